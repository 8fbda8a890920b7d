#!/bin/bash
cd /work/i14n
B=bench/EventStreams.Bench/bin/Release/net10.0/EventStreams.Bench.dll
for r in 1 2 3; do
 for v in before after2; do
  echo "== $v r$r $(date -u +%T) $(uptime | sed 's/.*load/load/')"
  BENCH_PORTS=48000-48499 timeout 900 dotnet $B run --only idle10000 --servers ours,ceiling --server-dll /tmp/i14n/$v/EventStreams.Server.dll > /tmp/i14n/bench/final-$v-r$r.log 2>&1
  grep -E "^\| (Ours|Ceiling) #" /tmp/i14n/bench/final-$v-r$r.log | awk -F'|' '{print $2, $(NF-1)}'
  grep -E "Idle connection" /tmp/i14n/bench/final-$v-r$r.log | head -1
  grep -E "^Report:" /tmp/i14n/bench/final-$v-r$r.log
 done
done
echo "end $(date -u +%T) $(uptime | sed 's/.*load/load/')"
