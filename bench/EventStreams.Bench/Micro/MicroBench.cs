using System.Buffers;
using System.Diagnostics;
using EventStreams.Bench.Sources;
using EventStreams.Server.Kafka;
using EventStreams.Server.Streaming;
using EventStreams.Server.Streaming.EventIds;

namespace EventStreams.Bench.Micro;

/// <summary>The <c>micro</c> mode: time and allocations of the per-event server paths (encode once, write a frame).</summary>
internal static class MicroBench
{
    public static int Run(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 200_000;
        var values = Enumerable.Range(0, 1000).Select(i => BenchEvents.Create("bench.s0", 0, i, BenchEvents.NowMicros())).ToArray();
        Measure("EventEncoder.TryEncode (1 KB event)", count, i => EventEncoder.TryEncode("bench.s0", 0, i, 1_700_000_000_000, default, values[i % values.Length]));
        var encoded = values.Select((v, i) => EventEncoder.TryEncode("bench.s0", 0, i, 1_700_000_000_000, default, v)!).ToArray();
        var output = new ArrayBufferWriter<byte>(1 << 20);
        Measure("SSE frame write (1 partition id)", count, i =>
        {
            if (output.WrittenCount > (1 << 19))
            {
                output.ResetWrittenCount();
            }

            output.Write("event: message\nid: "u8);
            output.Write("[{\"topic\":\"bench.s0\",\"partition\":0,\"timestamp\":1700000000000}]"u8);
            output.Write("\ndata: "u8);
            output.Write(encoded[i % encoded.Length].Json);
            output.Write("\n\n"u8);
            return null;
        });
        foreach (var partitions in new[] { 1, 64 })
        {
            // The catch-up scenario's id: one element per partition, one partition moving per event.
            var positions = Enumerable.Range(0, partitions)
                .Select(p => new PartitionPosition(p, new EventStreams.Server.Kafka.PartitionCache(new("bench.catchup", p), 0, 1 << 20), 0, 1_700_000_000_000))
                .ToArray();
            var events = Enumerable.Range(0, partitions).Select(p => new KafkaEvent("bench.catchup", p, 1_000_000, 1_700_000_000_000, [])).ToArray();
            var subscription = new Subscription(positions, IdFormat.Timestamp, null!, null!, null!, null, new EventStreams.Server.Kafka.WakeupTimer(TimeProvider.System)); // not disposed: it holds no cache
            Measure($"Subscription.WriteId ({partitions} partition{(partitions == 1 ? "" : "s")})", count, i =>
            {
                if (output.WrittenCount > (1 << 19))
                {
                    output.ResetWrittenCount();
                }

                var e = events[i % partitions];
                positions[i % partitions].Delivered(e with { Offset = e.Offset + i, Timestamp = e.Timestamp + i });
                subscription.WriteId(output);
                return null;
            });
        }

        foreach (var withNever in new[] { true, false })
        {
            WakeAll(10_000, withNever);
            var times = Enumerable.Range(0, 5).Select(_ => WakeAll(10_000, withNever)).Order().ToList();
            Console.WriteLine($"wake 10,000 waiters {(withNever ? "WhenAny(signal, shared never)" : "signal alone"),-32} median {times[2]:F1} ms (min {times[0]:F1})");
        }

        return 0;
    }

    /// <summary>Time to wake <paramref name="clients"/> loops waiting on one shared signal, as the writer loops do per event.</summary>
    private static double WakeAll(int clients, bool withNever)
    {
        var never = new TaskCompletionSource().Task;
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ready = new CountdownEvent(clients);
        var waiters = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var wait = withNever ? Task.WhenAny(signal.Task, never) : signal.Task;
            ready.Signal();
            await wait.WaitAsync(TimeSpan.FromSeconds(30));
        })).ToArray();
        ready.Wait();
        var watch = Stopwatch.StartNew();
        signal.SetResult();
        Task.WaitAll(waiters);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static void Measure(string name, int count, Func<int, object?> action)
    {
        for (var i = 0; i < 10_000; i++)
        {
            action(i);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            action(i);
        }

        watch.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Console.WriteLine($"{name,-45} {watch.Elapsed.TotalMicroseconds / count,8:F2} µs/op {allocated / (double)count,9:F0} B/op {count / watch.Elapsed.TotalSeconds,12:N0} op/s");
    }
}
