using System.Collections.Concurrent;
using Confluent.Kafka;
using EventStreams.Server.Diagnostics;

namespace EventStreams.Server.Kafka;

/// <summary>
/// Reads history straight from Kafka for one client whose positions are behind the shared cache,
/// on a dedicated thread, into a small bounded channel the client drains at its own pace. Its owner (the client's
/// subscription) starts it and disposes it; the cancellation source is this object's alone and is never disposed
/// while the thread may still read it.
/// </summary>
internal sealed partial class CatchUpReader : ICatchUpReader
{
    private const int MaxBatch = 256;
    private const int CapacityInBatches = 2;

    private readonly KafkaClients _kafka;
    private readonly IReaderMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Dictionary<TopicPartition, int> _indexes = [];
    private readonly ConcurrentQueue<(TopicPartitionOffset Position, int Index, bool Add)> _changes = new();
    private readonly CatchUpEvents _events = new(CapacityInBatches);
    private readonly List<(int Index, KafkaEvent Event)> _batch = new(MaxBatch);

    private readonly CancellationTokenSource _stop = new();

    public CatchUpReader(KafkaClients kafka, IReaderMetrics metrics, ILogger logger)
    {
        _kafka = kafka;
        _metrics = metrics;
        _logger = logger;
    }

    public CatchUpEvents Events => _events;

    public void Start() => DedicatedThread.Start("kafka-catch-up", Run);

    public void Add(TopicPartition partition, long next, int index) =>
        _changes.Enqueue((new TopicPartitionOffset(partition, next), index, true));

    public void Remove(TopicPartition partition) =>
        _changes.Enqueue((new TopicPartitionOffset(partition, Offset.Unset), -1, false));

    /// <summary>Stops the reader without waiting for it: its thread closes the consumer on its way out.</summary>
    public void Dispose() => _stop.Cancel();

    private void Run()
    {
        try
        {
            // Prefetch bounds this reader's memory: 2 MiB queued plus one fetch of at most 1 MiB in flight, times
            // Streaming:MaxCatchUpReaders. (8 + 4 MiB read a 64-partition backlog faster, 189k msg/s, but 200 clients
            // that never read held 4 GB.)
            using var consumer = _kafka.CreateConsumer("catch-up", config =>
            {
                config.QueuedMaxMessagesKbytes = 2048;
                config.FetchMaxBytes = 1024 * 1024;
                config.MaxPartitionFetchBytes = 1024 * 1024;
            });
            while (!_stop.IsCancellationRequested)
            {
                ApplyChanges(consumer);
                // Block only when there is nothing to hand over; otherwise take what librdkafka already holds.
                var result = consumer.Consume(_batch.Count == 0 ? TimeSpan.FromMilliseconds(100) : TimeSpan.Zero);
                if (result is null || result.IsPartitionEOF)
                {
                    HandOver();
                    continue;
                }

                if (!_indexes.TryGetValue(result.TopicPartition, out var index))
                {
                    continue;
                }

                var encoded = EventEncoder.TryEncode(result);
                if (encoded is null)
                {
                    _metrics.SkippedMessage(result.Topic);
                    continue;
                }

                _batch.Add((index, encoded));
                if (_batch.Count == MaxBatch)
                {
                    HandOver();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (KafkaException e)
        {
            LogFailed(_logger, e.Error.Code, e.Error.Reason);
            _events.Complete(e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug: the client's stream fails with it (and the transport logs it) rather than waiting forever.
            _events.Complete(e);
        }
        finally
        {
            _events.Complete(null);
        }
    }

    /// <summary>Gives the batch to the client; a dedicated thread may block here, which is where a slow client's catch-up waits for it.</summary>
    private void HandOver()
    {
        if (_batch.Count > 0)
        {
            _events.Write([.. _batch], _stop.Token);
            _batch.Clear();
        }
    }

    private void ApplyChanges(IConsumer<byte[]?, byte[]?> consumer)
    {
        while (_changes.TryDequeue(out var change))
        {
            if (change.Add)
            {
                _indexes[change.Position.TopicPartition] = change.Index;
                consumer.IncrementalAssign([change.Position]);
            }
            else if (_indexes.Remove(change.Position.TopicPartition))
            {
                consumer.IncrementalUnassign([change.Position.TopicPartition]);
            }
        }
    }

    [LoggerMessage(LogEventIds.CatchUpReaderFailed, LogLevel.Warning, "Catch-up reader failed {Code}: {Reason}")]
    private static partial void LogFailed(ILogger logger, ErrorCode code, string reason);
}
