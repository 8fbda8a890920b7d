using System.Threading.Channels;
using Confluent.Kafka;
using EventStreams.Server.Kafka;
using EventStreams.Server.Streaming;
using EventStreams.Server.Streaming.EventIds;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EventStreams.Server.Tests.Streaming;

/// <summary>
/// The heart of "no loss, no repeat": a subscription moving between the shared cache and its own catch-up reader, with a
/// fake reader of history (the test hands its events over) and fake time (heartbeats without sleeping), in the style of
/// Orleans' cache-cursor tests. No Kafka, no server.
/// </summary>
public sealed class SubscriptionCatchUpTests : IDisposable
{
    private static readonly TopicPartition Partition = new("t", 0);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly WakeupTimer _timer;
    private readonly List<FakeCatchUpReader> _readers = [];
    private readonly Channel<FakeCatchUpReader> _created = Channel.CreateUnbounded<FakeCatchUpReader>();
    private readonly List<PartitionCache> _released = [];
    private readonly List<(PartitionPosition Position, KafkaEvent Event)> _batch = [];
    private readonly CatchUpPermits _permits = new(Options.Create(new StreamingOptions { MaxCatchUpReaders = 1 }));

    public SubscriptionCatchUpTests() => _timer = new WakeupTimer(_time);

    public void Dispose() => _timer.Dispose();

    [Fact]
    public async Task ReadAsync_StartInHistory_CatchUpThenCacheThenLive_EveryOffsetOnceAndThePermitGivenBack()
    {
        var cache = Cache(from: 100, through: 104);
        using var subscription = Subscribe(cache, start: 90, permit: await _permits.EnterAsync().WaitAsync(Wait));

        var first = subscription.ReadAsync(_batch, Heartbeat, CancellationToken.None);
        var reader = Assert.Single(_readers);
        Assert.Equal([(Partition, 90L, 0)], reader.Added);
        Assert.True(reader.Started);
        Assert.False(first.IsCompleted);
        reader.Hand(90, 99);
        Assert.True(await first.AsTask().WaitAsync(Wait));
        var delivered = Offsets();
        Assert.Equal([Partition], reader.Removed);
        Assert.Equal(1, _permits.InUse);
        var idle = subscription.ReadAsync(_batch, Heartbeat, CancellationToken.None);
        var stopped = (reader.Disposed, _permits.InUse);
        _time.Advance(Heartbeat);
        var heartbeat = await idle.AsTask().WaitAsync(Wait);
        cache.Append(Event(105));
        cache.Publish();
        var live = await subscription.ReadAsync(_batch, Heartbeat, CancellationToken.None).AsTask().WaitAsync(Wait);

        Assert.Equal(Range(90, 104), delivered);
        Assert.Equal((true, 0), stopped);
        Assert.False(heartbeat);
        Assert.True(live);
        Assert.Equal([105L], Offsets());
        Assert.Single(_readers);
        Assert.Equal(1, _permits.Granted);
    }

    [Fact]
    public async Task ReadAsync_FallsBehindTheCacheWhilePermitsAreTaken_HeartbeatsUntilItsTurnThenCatchesUpAndRejoins()
    {
        var cache = Cache(from: 100, through: 104, maxEvents: 5);
        using var subscription = Subscribe(cache, start: 100, permit: null);
        Assert.True(await subscription.ReadAsync(_batch, Heartbeat, CancellationToken.None).AsTask().WaitAsync(Wait));
        Assert.Equal(Range(100, 104), Offsets());
        var other = await _permits.EnterAsync().WaitAsync(Wait);
        Append(cache, 105, 114); // the cache now holds 110..114: the client, at 105, is behind it

        var waiting = subscription.ReadAsync(_batch, Heartbeat, CancellationToken.None);
        var readersWhileWaiting = _readers.Count;
        _time.Advance(Heartbeat);
        var heartbeat = await waiting.AsTask().WaitAsync(Wait);
        var turn = subscription.ReadAsync(_batch, Heartbeat, CancellationToken.None);
        other.Dispose();
        var reader = await WaitForReaderAsync();
        reader.Hand(105, 109);
        Assert.True(await turn.AsTask().WaitAsync(Wait));

        Assert.Equal(0, readersWhileWaiting);
        Assert.False(heartbeat);
        Assert.Equal([(Partition, 105L, 0)], reader.Added);
        Assert.Equal(Range(105, 114), Offsets());
        Assert.Equal([Partition], reader.Removed);
        Assert.Equal(2, _permits.Granted);
    }

    [Fact]
    public async Task ReadAsync_CatchUpReaderFailsMidWay_DeliversWhatItReadThenFailsAndDisposeGivesEverythingBack()
    {
        var cache = Cache(from: 100, through: 104);
        var subscription = Subscribe(cache, start: 90, permit: await _permits.EnterAsync().WaitAsync(Wait));

        var first = subscription.ReadAsync(_batch, Heartbeat, CancellationToken.None);
        var reader = Assert.Single(_readers);
        reader.Hand(90, 94);
        reader.Events.Complete(new KafkaException(new Error(ErrorCode.Local_Transport, "broker down")));
        Assert.True(await first.AsTask().WaitAsync(Wait));
        var delivered = Offsets();
        var failure = await Record.ExceptionAsync(() => subscription.ReadAsync(_batch, Heartbeat, CancellationToken.None).AsTask().WaitAsync(Wait));
        var permitsBeforeDispose = _permits.InUse;
        subscription.Dispose();

        Assert.Equal(Range(90, 94), delivered);
        Assert.IsType<KafkaException>(Assert.IsType<InvalidOperationException>(failure).InnerException);
        Assert.Equal(1, permitsBeforeDispose);
        Assert.True(reader.Disposed);
        Assert.Equal(0, _permits.InUse);
        Assert.Equal([cache], _released);
    }

    private static KafkaEvent Event(long offset) => new("t", 0, offset, 1000 + offset, new byte[10]);

    private static List<long> Range(long first, long last) => [.. Enumerable.Range((int)first, (int)(last - first + 1)).Select(o => (long)o)];

    private static PartitionCache Cache(long from, long through, int maxEvents = 1000)
    {
        var cache = new PartitionCache(Partition, from, maxEvents * 10);
        Append(cache, from, through);
        return cache;
    }

    private static void Append(PartitionCache cache, long first, long last)
    {
        for (var offset = first; offset <= last; offset++)
        {
            cache.Append(Event(offset));
        }

        cache.Publish();
    }

    private Subscription Subscribe(PartitionCache cache, long start, IDisposable? permit) => new(
        [new PartitionPosition(0, cache, start, resumeTimestamp: null)],
        IdFormat.Offset,
        _released.Add,
        () =>
        {
            var reader = new FakeCatchUpReader();
            _readers.Add(reader);
            _created.Writer.TryWrite(reader);
            return reader;
        },
        _permits,
        permit,
        _timer);

    /// <summary>The permit arrives on another thread (its waiters continue asynchronously); the reader starts with it.</summary>
    private async Task<FakeCatchUpReader> WaitForReaderAsync() => await _created.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    private List<long> Offsets() => [.. _batch.Select(item => item.Event.Offset)];

    private sealed class FakeCatchUpReader : ICatchUpReader
    {
        public CatchUpEvents Events { get; } = new(capacityInBatches: 2);

        public List<(TopicPartition Partition, long Next, int Index)> Added { get; } = [];

        public List<TopicPartition> Removed { get; } = [];

        public bool Started { get; private set; }

        public bool Disposed { get; private set; }

        public void Start() => Started = true;

        public void Add(TopicPartition partition, long next, int index) => Added.Add((partition, next, index));

        public void Remove(TopicPartition partition) => Removed.Add(partition);

        public void Dispose() => Disposed = true;

        /// <summary>Hands over history as the Kafka reader would: one batch, in offset order.</summary>
        public void Hand(long first, long last) => Events.Write([.. Range(first, last).Select(offset => (0, Event(offset)))], CancellationToken.None);
    }
}
