using Confluent.Kafka;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Kafka;
using EventStreams.Server.Streaming;
using EventStreams.Server.Streaming.EventIds;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventStreams.IntegrationTests;

/// <summary>
/// A catch-up reader that fails mid-way (Kafka refuses its position) fails the client's read, and disposing the
/// subscription then gives back every partition it held and its catch-up permit.
/// </summary>
public sealed class CatchUpFailureTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task CatchUpFailsMidWay_ReadThrows_DisposeReleasesEveryPartitionAndThePermit()
    {
        // auto.offset.reset=error: a fetch outside the log is an error the catch-up consumer throws.
        await using var server = await TestServer.StartAsync(
            """
            streams:
              fail.s:
                topics: [fail.s]
            """,
            partitions: 2,
            "--Kafka:Consumer:auto.offset.reset=error");
        await server.ProduceAsync("fail.s", 0, """{"n":0}""");
        var services = server.App.Services;
        var reader = services.GetRequiredService<SharedPartitionReader>();
        var permits = services.GetRequiredService<CatchUpPermits>();
        var live = await reader.AcquireAsync(new TopicPartition("fail.s", 0)).WaitAsync(TimeSpan.FromSeconds(30));
        // Partition 1's position lies behind its cache's window and beyond the log's end: catch-up starts, then fails.
        var behind = new PartitionCache(new TopicPartition("fail.s", 1), 2_000_000, 1 << 20) { Subscribers = 1 };
        var positions = new[] { new PartitionPosition(0, live, live.End, null), new PartitionPosition(1, behind, 1_000_000, null) };
        var kafka = services.GetRequiredService<KafkaClients>();
        var subscription = new Subscription(
            positions,
            IdFormat.Offset,
            reader.Release,
            () => new CatchUpReader(kafka, services.GetRequiredService<StreamMetrics>(), NullLogger.Instance),
            permits,
            permit: null,
            services.GetRequiredService<WakeupTimer>());
        var batch = new List<(PartitionPosition, KafkaEvent)>();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            using var timeout = new CancellationTokenSource(Wait);
            while (true)
            {
                await subscription.ReadAsync(batch, Timeout.InfiniteTimeSpan, timeout.Token);
            }
        });
        Assert.Equal(1, permits.InUse);
        subscription.Dispose();

        Assert.IsAssignableFrom<KafkaException>(failure.InnerException);
        Assert.Equal(0, live.Subscribers);
        Assert.Equal(0, behind.Subscribers);
        Assert.Equal(0, permits.InUse);
    }
}
