using EventStreams.Bench.Driver;
using EventStreams.Bench.Load;
using EventStreams.Bench.Servers;
using EventStreams.Bench.Sources;

// One program, several roles, each run as its own process so that CPU and memory are measured per role.
var mode = args.Length > 0 ? args[0] : "run";
var rest = args.Length > 0 ? args[1..] : [];
return mode switch
{
    "run" => await BenchDriver.RunAsync(rest),
    "kafka-load" => await KafkaLoadBench.RunAsync(rest),
    "storm" => await StormBench.RunAsync(rest),
    "broker" => BrokerHost.Run(rest),
    "ceiling" => await CeilingServer.RunAsync(rest),
    "baseline" => await BaselineServer.RunAsync(rest),
    "load" => await LoadGenerator.RunAsync(rest),
    "micro" => EventStreams.Bench.Micro.MicroBench.Run(rest),
    "consume" => EventStreams.Bench.Micro.ConsumeProbe.Run(rest),
    "catchup-reader" => await EventStreams.Bench.Micro.CatchUpReaderProbe.RunAsync(rest),
    "intake" => await EventStreams.Bench.Micro.IntakeBench.RunAsync(rest),
    "validation" => await EventStreams.Bench.Micro.ValidationBench.RunAsync(rest),
    "fleet" => await EventStreams.Bench.FleetRuns.FleetBench.RunFleetAsync(rest),
    "roll" => await EventStreams.Bench.FleetRuns.FleetBench.RunRollAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: EventStreams.Bench [run [--smoke] [--out file.md] [--only scenario,...]] | kafka-load [--clients 1,100,1000] [--instances 1,2,3] [--servers ours,baseline] [--window 10] | storm [--clients 2000] [--rate 10] [--history 60] [--partitions 2] | broker | ceiling | baseline | load | fleet | roll");
    return 2;
}
