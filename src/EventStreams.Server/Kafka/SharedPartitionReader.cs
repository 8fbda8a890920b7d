using System.Collections.Concurrent;
using Confluent.Kafka;
using EventStreams.Server.Diagnostics;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Kafka;

/// <summary>
/// Reads every partition any client wants exactly once per process, into a <see cref="PartitionCache"/> per partition.
/// One consumer on one dedicated thread, started and stopped by the host; partitions are added on first demand and
/// removed when idle.
/// </summary>
internal sealed partial class SharedPartitionReader : IHostedService, IDisposable
{
    private const int MaxBatch = 2000;

    /// <summary>
    /// How far back a partition's reader starts (messages): clients resuming within it read the shared cache, further back
    /// is catch-up. The cache holds that much in steady state anyway (it is bounded by Streaming:CacheMegabytesPerPartition).
    /// </summary>
    public const int MaxLookBack = 10_000;
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(20);

    private readonly KafkaClients _kafka;
    private readonly BrokerCalls _calls;
    private readonly PartitionCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly IReaderMetrics _metrics;
    private readonly ILogger<SharedPartitionReader> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<TopicPartition, PartitionCache> _caches = [];
    private readonly Dictionary<TopicPartition, Task> _starting = [];
    private readonly ConcurrentQueue<(TopicPartition Partition, long Offset, bool Add)> _assignments = new();
    private readonly CancellationTokenSource _stop = new();
    private DedicatedThread? _thread;
    private long _lastLoop;
    private int _disposed;

    public SharedPartitionReader(KafkaClients kafka, BrokerCalls calls, IOptions<PartitionCacheOptions> options, TimeProvider time, IReaderMetrics metrics, ILogger<SharedPartitionReader> logger)
    {
        _kafka = kafka;
        _calls = calls;
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _lastLoop = time.GetTimestamp();
        FollowPartitionsAdded();
    }

    /// <summary>The cache of <paramref name="partition"/>, starting its reader if needed. Pair with <see cref="Release"/>.</summary>
    /// <remarks>
    /// A partition not read yet starts <see cref="MaxLookBack"/> messages back (or at the oldest), whoever asks first: clients
    /// resuming anywhere in that window (a reconnect storm after a restart, ids spread over the recent past, arriving in any
    /// order, new clients among them) all read the one shared cache instead of each needing a catch-up reader. The cache
    /// also knows the time before the live edge and how many events share it (timestamp ids of clients that have received
    /// nothing yet). Clients that want only new events start at the end as the broker saw it. However many clients ask
    /// for a partition at once, its start costs one broker round trip (on <see cref="BrokerCalls"/>), which they share.
    /// </remarks>
    public async Task<PartitionCache> AcquireAsync(TopicPartition partition)
    {
        while (true)
        {
            TaskCompletionSource? mine = null;
            Task starting;
            lock (_gate)
            {
                if (_caches.TryGetValue(partition, out var existing))
                {
                    existing.Subscribers++;
                    return existing;
                }

                if (!_starting.TryGetValue(partition, out starting!))
                {
                    mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    starting = mine.Task;
                    _starting[partition] = starting;
                }
            }

            if (mine is not null)
            {
                await StartReadingAsync(partition, mine);
            }

            // Then take it as any later caller does (it may, rarely, have been removed idle in between: start again).
            await starting;
        }
    }

    /// <summary>Asks the broker where the partition ends and starts reading it <see cref="MaxLookBack"/> messages before; <paramref name="started"/> says when (or why not).</summary>
    private async Task StartReadingAsync(TopicPartition partition, TaskCompletionSource started)
    {
        try
        {
            var watermarks = await _calls.RunAsync(() => _kafka.Watermarks(partition));
            var start = Math.Max(watermarks.Low.Value, watermarks.High.Value - MaxLookBack);
            lock (_gate)
            {
                var cache = new PartitionCache(partition, start, _options.CacheMegabytesPerPartition * 1024L * 1024L)
                {
                    FromOldest = start == watermarks.Low.Value,
                    EndWhenStarted = watermarks.High.Value,
                    IdleSince = _time.GetTimestamp(),
                };
                cache.Advance(watermarks.High.Value - 1);
                _caches[partition] = cache;
                _starting.Remove(partition);
                _assignments.Enqueue((partition, start, true));
                LogStarted(_logger, partition.Topic, partition.Partition.Value, start);
            }

            started.TrySetResult();
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _starting.Remove(partition);
            }

            started.TrySetException(e);
        }
    }

    public void Release(PartitionCache cache)
    {
        lock (_gate)
        {
            if (--cache.Subscribers == 0)
            {
                cache.IdleSince = _time.GetTimestamp();
            }
        }
    }

    /// <summary>
    /// Signals every subscription (each watches the caches of its partitions, and every partition it reads has one here):
    /// how streams learn what they follow without a callback each, which would cost every idle connection memory (issue 14
    /// item 2): the server ending streams (<c>StreamTerminations</c>) and partitions added to a topic (followed here).
    /// </summary>
    public void WakeAll()
    {
        PartitionCache[] caches;
        lock (_gate)
        {
            caches = [.. _caches.Values];
        }

        foreach (var cache in caches)
        {
            cache.WakeWatchers();
        }
    }

    /// <summary>Wakes every subscription when a topic gains partitions, then follows the next token (KafkaClients makes a new one each time).</summary>
    private void FollowPartitionsAdded() =>
        _kafka.PartitionsAdded.UnsafeRegister(
            static self =>
            {
                var reader = (SharedPartitionReader)self!;
                reader.FollowPartitionsAdded();
                reader.WakeAll();
            },
            this);

    public int ActivePartitions
    {
        get
        {
            lock (_gate)
            {
                return _caches.Count;
            }
        }
    }

    /// <summary>When the read loop last went round (readiness: a loop stuck in a call shows here).</summary>
    public long LastLoopTimestamp => Interlocked.Read(ref _lastLoop);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _thread = DedicatedThread.Start("kafka-shared-reader", Run);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stop.Cancel();
        return _thread is { Ended.IsCompleted: false } thread ? Task.WhenAny(thread.Ended, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)) : Task.CompletedTask;
    }

    public void Dispose()
    {
        // Registered both as itself and as a hosted service: the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stop.Cancel();
        if (_thread is null || _thread.Join(TimeSpan.FromSeconds(5)))
        {
            // Only once the thread is gone: it reads the source's token until it leaves.
            _stop.Dispose();
        }
    }

    private void Run()
    {
        using var consumer = _kafka.CreateConsumer("shared");
        var touched = new HashSet<PartitionCache>();
        var lastSweep = _time.GetTimestamp();
        while (!_stop.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _lastLoop, _time.GetTimestamp());
            try
            {
                ApplyAssignments(consumer);
                if (consumer.Assignment.Count == 0)
                {
                    _stop.Token.WaitHandle.WaitOne(PollTimeout);
                }
                else
                {
                    ReadBatch(consumer, touched);
                }

                if (_time.GetElapsedTime(lastSweep) > TimeSpan.FromSeconds(1))
                {
                    RemoveIdle();
                    ReportLag(consumer);
                    lastSweep = _time.GetTimestamp();
                }
            }
            catch (KafkaException e)
            {
                LogReadFailed(_logger, e.Error.Code, e.Error.Reason);
                _stop.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(500));
            }
        }
    }

    private void ReadBatch(IConsumer<byte[]?, byte[]?> consumer, HashSet<PartitionCache> touched)
    {
        var timeout = PollTimeout;
        for (var n = 0; n < MaxBatch; n++)
        {
            var result = consumer.Consume(timeout);
            if (result is null)
            {
                break;
            }

            timeout = TimeSpan.Zero;
            PartitionCache? cache;
            lock (_gate)
            {
                _caches.TryGetValue(result.TopicPartition, out cache);
            }

            if (cache is null || result.IsPartitionEOF)
            {
                continue;
            }

            var encoded = EventEncoder.TryEncode(result);
            if (encoded is null)
            {
                _metrics.SkippedMessage(result.Topic);
                if (result.Message.Value is not null)
                {
                    // A tombstone (null value: compacted topics delete keys so) is no mistake; counted, not logged.
                    LogSkipped(_logger, result.Topic, result.Partition.Value, result.Offset.Value);
                }

                cache.Advance(result.Offset.Value);
            }
            else
            {
                cache.Append(encoded);
            }

            touched.Add(cache);
        }

        foreach (var cache in touched)
        {
            cache.Publish();
        }

        touched.Clear();
    }

    private void ApplyAssignments(IConsumer<byte[]?, byte[]?> consumer)
    {
        var add = new List<TopicPartitionOffset>();
        var remove = new List<TopicPartition>();
        while (_assignments.TryDequeue(out var change))
        {
            if (change.Add)
            {
                add.Add(new TopicPartitionOffset(change.Partition, change.Offset));
            }
            else
            {
                remove.Add(change.Partition);
            }
        }

        if (remove.Count > 0)
        {
            consumer.IncrementalUnassign(remove);
        }

        if (add.Count > 0)
        {
            consumer.IncrementalAssign(add);
        }
    }

    private void RemoveIdle()
    {
        var grace = TimeSpan.FromSeconds(_options.ReaderIdleSeconds);
        lock (_gate)
        {
            foreach (var (partition, cache) in _caches.ToList())
            {
                if (cache.Subscribers == 0 && _time.GetElapsedTime(cache.IdleSince) >= grace)
                {
                    _caches.Remove(partition);
                    _assignments.Enqueue((partition, 0, false));
                    LogStopped(_logger, partition.Topic, partition.Partition.Value);
                }
            }
        }
    }

    private void ReportLag(IConsumer<byte[]?, byte[]?> consumer)
    {
        List<PartitionCache> caches;
        lock (_gate)
        {
            caches = [.. _caches.Values];
        }

        foreach (var cache in caches)
        {
            var high = consumer.GetWatermarkOffsets(cache.Partition).High;
            if (high != Offset.Unset)
            {
                _metrics.Lag(cache.Partition.Topic, cache.Partition.Partition.Value, Math.Max(0, high.Value - cache.End));
            }
        }
    }

    [LoggerMessage(LogEventIds.SharedReaderStarted, LogLevel.Information, "Shared reader started {Topic}/{Partition} at offset {Offset}")]
    private static partial void LogStarted(ILogger logger, string topic, int partition, long offset);

    [LoggerMessage(LogEventIds.SharedReaderStoppedIdle, LogLevel.Information, "Shared reader stopped idle {Topic}/{Partition}")]
    private static partial void LogStopped(ILogger logger, string topic, int partition);

    [LoggerMessage(LogEventIds.SkippedNonJsonMessage, LogLevel.Warning, "Skipped a message that is not a JSON object at {Topic}/{Partition}@{Offset}")]
    private static partial void LogSkipped(ILogger logger, string topic, int partition, long offset);

    [LoggerMessage(LogEventIds.SharedReaderError, LogLevel.Warning, "Shared reader error {Code}: {Reason}")]
    private static partial void LogReadFailed(ILogger logger, ErrorCode code, string reason);
}
