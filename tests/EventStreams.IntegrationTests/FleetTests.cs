using System.Diagnostics;
using EventStreams.Fleet;
using Xunit.Abstractions;

namespace EventStreams.IntegrationTests;

/// <summary>
/// Three instances on one broker behind a YARP load balancer (round-robin, active health checks on <c>/readyz</c>): clients
/// cut off at random and moved to another instance each time, and a rolling restart, lose and repeat nothing, in both id forms.
/// </summary>
public sealed class FleetTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("Timestamp")]
    [InlineData("Offset")]
    public async Task ClientsCutOffAtRandom_EachReconnectOnAnotherInstance_NothingLostOrRepeated(string idFormat)
    {
        await using var fleet = await Fleet.Fleet.StartAsync(new FleetOptions { IdFormat = idFormat });
        await using var run = FleetRun.Start(fleet, new FleetLoad(8, 8, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50)));
        await run.WaitStartedAsync(Wait);
        var random = new Random(17);
        var cuts = 0;

        using (var stop = new CancellationTokenSource())
        {
            var producing = fleet.Producer.RunAsync(perSecond: 300, stop.Token);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(8))
            {
                // Pacing the cuts (not waiting for anything): one every 30-120 ms, at a random client.
                await Task.Delay(random.Next(30, 120));
                cuts += fleet.Balancer.Routes.CutOne(random) is null ? 0 : 1;
            }

            await stop.CancelAsync();
            await producing;
        }

        var delivered = await run.WaitDeliveredAsync(Wait);
        await run.WaitStreamingAsync(Wait);
        var tally = run.Tally();
        Report($"fleet, {idFormat} ids: {cuts} cuts; {tally}");

        Assert.True(delivered, tally.ToString());
        Assert.Equal(0, tally.Lost);
        Assert.Equal(0, tally.Repeated);
        Assert.Equal(0, tally.Fatal);
        Assert.True(cuts >= 30, $"only {cuts} cuts");
        // Every client streams again, so every cut has been followed by its reconnect, and the balancer saw each one.
        Assert.Equal(cuts, tally.Reconnects);
        Assert.Equal(tally.Reconnects, tally.Moves);
    }

    [Fact]
    public async Task RollingRestart_ThreeInstancesOneAfterAnother_ClientsMoveWithNothingLostOrRepeated()
    {
        await using var fleet = await Fleet.Fleet.StartAsync(new FleetOptions { DrainSeconds = 2, RetryMilliseconds = 500, MoveEachReconnect = false });
        // SSE clients reconnect after EventSource's usual 3 s unless the server says sooner (retry:).
        await using var run = FleetRun.Start(fleet, new FleetLoad(10, 10, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(500)));
        await run.WaitStartedAsync(Wait);

        using (var stop = new CancellationTokenSource())
        {
            var producing = fleet.Producer.RunAsync(perSecond: 100, stop.Token);
            await run.WaitDeliveredAsync(Wait);
            run.Silence.Open();
            for (var i = 0; i < fleet.Instances; i++)
            {
                await fleet.RestartAsync(i);
            }

            run.Silence.Close();
            await stop.CancelAsync();
            await producing;
        }

        var delivered = await run.WaitDeliveredAsync(Wait);
        var tally = run.Tally();
        Report($"rolling restart of {fleet.Instances} instances: {tally}");

        Assert.True(delivered, tally.ToString());
        Assert.Equal(0, tally.Lost);
        Assert.Equal(0, tally.Repeated);
        Assert.Equal(0, tally.Fatal);
        Assert.Equal(tally.Clients, tally.ClientsOnSeveralInstances);
    }

    /// <summary>
    /// The counts, in the test's output and on the console: xunit shows a passing test's output only at detailed verbosity,
    /// while CI's normal verbosity shows what the test host writes to its console.
    /// </summary>
    private void Report(string line)
    {
        output.WriteLine(line);
        Console.WriteLine(line);
    }
}
