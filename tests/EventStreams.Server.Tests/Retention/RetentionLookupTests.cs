using Confluent.Kafka;
using EventStreams.Server.Retention;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EventStreams.Server.Tests.Retention;

/// <summary>The retention cache alone, with a fake broker query and fake time: one query per partition per period, shared by concurrent callers, bounded in parallel.</summary>
public sealed class RetentionLookupTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TopicPartition Partition = new("t", 0);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task PartitionAsync_CallersDuringAQuery_ShareIt()
    {
        using var release = new ManualResetEventSlim();
        using var lookup = Lookup(partition => { release.Wait(Wait); return Answer(partition, low: 7); });

        var first = lookup.PartitionAsync(Partition);
        var second = lookup.PartitionAsync(Partition);
        release.Set();

        Assert.Same(first, second);
        Assert.Equal(7, (await first.WaitAsync(Wait)).Low);
        Assert.Equal(1, lookup.Queries);
    }

    [Fact]
    public async Task PartitionAsync_WithinCacheSeconds_Reused_After_AskedAgain()
    {
        var low = 0L;
        using var lookup = Lookup(partition => Answer(partition, low: Interlocked.Increment(ref low)), cacheSeconds: 10);

        var first = await lookup.PartitionAsync(Partition).WaitAsync(Wait);
        _time.Advance(TimeSpan.FromSeconds(9));
        var cached = await lookup.PartitionAsync(Partition).WaitAsync(Wait);
        _time.Advance(TimeSpan.FromSeconds(1));
        var fresh = await lookup.PartitionAsync(Partition).WaitAsync(Wait);

        Assert.Equal(1, first.Low);
        Assert.Same(first, cached);
        Assert.Equal(2, fresh.Low);
        Assert.Equal(2, lookup.Queries);
    }

    [Fact]
    public async Task PartitionAsync_FailedQuery_FailureKeptForThePeriod()
    {
        using var lookup = Lookup(_ => throw new KafkaException(ErrorCode.Local_Transport), cacheSeconds: 10);

        var first = await Record.ExceptionAsync(() => lookup.PartitionAsync(Partition).WaitAsync(Wait));
        var again = await Record.ExceptionAsync(() => lookup.PartitionAsync(Partition).WaitAsync(Wait));

        Assert.IsType<KafkaException>(first);
        Assert.Same(first, again);
        Assert.Equal(1, lookup.Queries);
    }

    [Fact]
    public async Task PartitionAsync_ManyPartitions_AtMostMaxConcurrentQueriesAtOnce()
    {
        using var release = new ManualResetEventSlim();
        using var lookup = Lookup(partition => { release.Wait(Wait); return Answer(partition, low: 0); }, maxConcurrent: 2);

        var answers = Enumerable.Range(0, 8).Select(p => lookup.PartitionAsync(new TopicPartition("t", p))).ToList();
        release.Set();
        await Task.WhenAll(answers).WaitAsync(Wait);

        Assert.Equal(8, lookup.Queries);
        Assert.InRange(lookup.PeakConcurrentQueries, 1, 2);
    }

    private static PartitionRetention Answer(TopicPartition partition, long low) => new(partition.Topic, partition.Partition.Value, low, low + 10, 1000);

    private RetentionLookup Lookup(Func<TopicPartition, PartitionRetention> query, int cacheSeconds = 10, int maxConcurrent = 4) =>
        new(null!, query, _time, Options.Create(new RetentionOptions { CacheSeconds = cacheSeconds, MaxConcurrentQueries = maxConcurrent }));
}
