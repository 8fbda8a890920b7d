using System.Runtime.CompilerServices;
using Confluent.Kafka;
using EventStreams.Server.Catalog;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Kafka;
using EventStreams.Server.Streaming.EventIds;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Streaming;

/// <summary>Turns a validated request (streams, since, Last-Event-ID) into a <see cref="Subscription"/> with a concrete offset per partition.</summary>
internal sealed partial class SubscriptionFactory(
    KafkaClients kafka,
    SharedPartitionReader reader,
    TimeLookup timeLookup,
    HighWatermarks highWatermarks,
    BrokerCalls brokerCalls,
    CatchUpPermits permits,
    WakeupTimer wakeupTimer,
    StreamMetrics metrics,
    IOptions<StreamingOptions> options,
    TimeProvider time,
    ILogger<SubscriptionFactory> logger,
    ILoggerFactory loggers)
{
    /// <summary>Catch-up readers log under their own category.</summary>
    private readonly ILogger _catchUpLogger = loggers.CreateLogger<CatchUpReader>();

    /// <summary>One delegate each for every subscription (a closure per subscription would cost each idle client 64 bytes).</summary>
    private Func<CatchUpReader>? _newCatchUp;
    private Action<PartitionCache>? _release;
    private Func<IReadOnlyList<StartPosition>, int, Task<PartitionPosition[]>>? _positionsAsync;
    private readonly ConditionalWeakTable<IReadOnlyList<string>, AddedPartitions> _sharedAdded = new();
    private ConditionalWeakTable<IReadOnlyList<string>, AddedPartitions>.CreateValueCallback? _newAdded;

    /// <summary>
    /// Where each partition starts, before offsets are resolved. Throws <see cref="StreamRequestException"/> for what the
    /// client got wrong. With a <paramref name="lastEventId"/>, the partitions of a <see cref="Followed"/> topic after the
    /// highest one it names (all of them when it names none) start at their first event: Kafka only ever adds partitions,
    /// numbered on, and ids carry every partition their stream read, so those were added, or the topic created, after the
    /// id was written, and the client has nothing of them. A partition below that the id leaves out stays out, as in
    /// the reference (an id written to read only some partitions).
    /// </summary>
    public IReadOnlyList<StartPosition> Plan(IReadOnlyList<StreamDefinition> streams, IReadOnlyList<StartPosition>? lastEventId, long? since)
    {
        var starts = new Dictionary<(string, int), StartPosition>();
        if (lastEventId is not null)
        {
            var allowed = streams.SelectMany(s => s.TopicsAllowed).ToHashSet(StringComparer.Ordinal);
            foreach (var element in lastEventId)
            {
                if (!allowed.Contains(element.Topic))
                {
                    throw StreamRequestException.TopicNotAvailable(element.Topic);
                }

                var partitions = kafka.PartitionCount(element.Topic);
                if (element.Partition is { } partition)
                {
                    starts[(element.Topic, partition)] = partition < partitions
                        ? element
                        : throw StreamRequestException.InvalidLastEventId($"Invalid Last-Event-ID: partition {partition} of {element.Topic} does not exist.");
                }
                else
                {
                    AddAll(starts, element.Topic, partitions, since);
                }
            }
        }

        foreach (var topic in Followed(streams, lastEventId))
        {
            var partitions = kafka.PartitionCount(topic);
            for (var p = AddedPartitions.FirstUnknown(topic, starts.Keys); p < partitions; p++)
            {
                starts[(topic, p)] = lastEventId is null ? StartPosition.AtLatestOrSince(topic, p, since) : StartPosition.First(topic, p);
            }
        }

        return starts.Count > 0
            ? [.. starts.Values]
            : throw StreamRequestException.ConfigurationError($"None of the topics of {string.Join(',', streams.Select(s => s.Name))} exists in Kafka.");
    }

    /// <summary>The topics a stream reads, existing or not yet: its streams' topics and those its Last-Event-ID names.</summary>
    public static IReadOnlyList<string> Followed(IReadOnlyList<StreamDefinition> streams, IReadOnlyList<StartPosition>? lastEventId) =>
        // The common request (one stream, no id) allocates nothing: the catalogue lists a stream's topics once each. Garbage
        // left by each stream's request is what fragments the heap between idle streams (issue 14 item 2).
        streams.Count == 1 && lastEventId is null
            ? streams[0].Topics
            : [.. streams.SelectMany(s => s.Topics).Concat(lastEventId?.Select(e => e.Topic) ?? []).Distinct(StringComparer.Ordinal)];

    /// <summary>Plans and subscribes. Planning may ask the broker for metadata: it runs on <see cref="BrokerCalls"/>, as every broker round trip of the subscription does.</summary>
    public async Task<Subscription> SubscribeAsync(StreamRequest request, CancellationToken cancellationToken)
    {
        var starts = await brokerCalls.RunAsync(() => Plan(request.Streams, request.Resume, request.Since)).WaitAsync(cancellationToken);
        var topics = Followed(request.Streams, request.Resume);
        // The common request follows its stream's own topic list (see Followed): one AddedPartitions per list, shared by
        // every subscription that follows it, rather than one per subscription held for the stream's life.
        var added = request.Streams.Length == 1 && request.Resume is null ? _sharedAdded.GetValue(topics, _newAdded ??= NewAdded) : NewAdded(topics);
        return await SubscribeAsync(starts, added, cancellationToken);
    }

    /// <summary>
    /// Resolves every start to an offset (from the shared caches, else broker round trips on <see cref="BrokerCalls"/>) and
    /// joins the shared readers. Partitions <paramref name="added"/> to the followed topics later join the subscription from
    /// their first event.
    /// </summary>
    private async Task<Subscription> SubscribeAsync(IReadOnlyList<StartPosition> starts, AddedPartitions added, CancellationToken cancellationToken)
    {
        var positions = await PositionsAsync(starts, firstIndex: 0);
        IDisposable? permit = null;
        try
        {
            if (positions.Any(p => p.Next < p.Cache.CompleteFrom))
            {
                permit = await EnterCatchUpAsync(cancellationToken);
            }

            return new Subscription(positions, options.Value.IdFormat, _release ??= reader.Release, _newCatchUp ??= () => new CatchUpReader(kafka, metrics, _catchUpLogger), permits, permit, wakeupTimer, added);
        }
        catch
        {
            permit?.Dispose();
            foreach (var position in positions)
            {
                reader.Release(position.Cache);
            }

            throw;
        }
    }

    private AddedPartitions NewAdded(IReadOnlyList<string> topics) => new(topics, kafka, _positionsAsync ??= PositionsAsync);

    /// <summary>A position per start, numbered from <paramref name="firstIndex"/>, each holding its partition's shared cache.</summary>
    private async Task<PartitionPosition[]> PositionsAsync(IReadOnlyList<StartPosition> starts, int firstIndex)
    {
        starts = [.. starts.Select(StartFromTheEndWhenInTheFuture)];

        // "Latest" is the end when the request arrived, as the broker sees it (the shared reader may not have fetched
        // everything acknowledged by then): asked first, one shared query per partition however many clients ask.
        var latest = starts.Select(s => s.Offset == StartPosition.Latest ? highWatermarks.AfterNowAsync(Partition(s)) : null).ToArray();
        var acquiring = starts.Select(s => reader.AcquireAsync(Partition(s))).ToArray();
        try
        {
            await Task.WhenAll(acquiring);
            return await Task.WhenAll(starts.Select((start, i) => PositionAsync(start, acquiring[i].Result, firstIndex + i, latest[i])));
        }
        catch
        {
            foreach (var acquired in acquiring.Where(a => a.IsCompletedSuccessfully))
            {
                reader.Release(acquired.Result);
            }

            throw;
        }
    }

    private async Task<PartitionPosition> PositionAsync(StartPosition start, PartitionCache cache, int index, Task<long>? latest)
    {
        if (latest is not null)
        {
            return new PartitionPosition(index, cache, await latest, resumeTimestamp: null);
        }

        if (start.Offset is { } offset)
        {
            return new PartitionPosition(index, cache, await ClampOffsetAsync(cache, offset), resumeTimestamp: null);
        }

        // Events before the resume time (a since later than the reader's view) or of its millisecond that the client
        // already has are swallowed by the position, so the offset may be early, never late.
        var at = await timeLookup.ResolveAsync(cache, start.Timestamp!.Value);
        return new PartitionPosition(index, cache, at, start.Timestamp, start.Skip);
    }

    private static TopicPartition Partition(StartPosition start) => new(start.Topic, start.Partition!.Value);

    /// <summary>
    /// A time later than the server's clock (a client clock running ahead, a typo in a date) is "latest", as the
    /// reference reads it: the end as of the request, then every event produced after it, whatever its timestamp.
    /// Left as a time, it would swallow every new event stamped before it: a silent stream.
    /// </summary>
    private StartPosition StartFromTheEndWhenInTheFuture(StartPosition start) =>
        start.Timestamp > time.GetUtcNow().ToUnixTimeMilliseconds()
            ? StartPosition.AtLatestOrSince(start.Topic, start.Partition, since: null)
            : start;

    /// <summary>A start in history waits its turn for a catch-up reader, for a bounded time.</summary>
    private async Task<IDisposable> EnterCatchUpAsync(CancellationToken cancellationToken)
    {
        var entering = permits.EnterAsync();
        var patience = TimeSpan.FromSeconds(options.Value.CatchUpQueueSeconds);
        try
        {
            return await entering.WaitAsync(patience, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            permits.Abandon(entering);
            LogHistoryBusy(logger, options.Value.MaxCatchUpReaders);
            throw StreamRequestException.HistoryBusy(Math.Max(1, options.Value.CatchUpQueueSeconds));
        }
        catch (OperationCanceledException)
        {
            permits.Abandon(entering);
            throw;
        }
    }

    private static void AddAll(Dictionary<(string, int), StartPosition> starts, string topic, int partitions, long? since)
    {
        for (var p = 0; p < partitions; p++)
        {
            starts[(topic, p)] = StartPosition.AtLatestOrSince(topic, p, since);
        }
    }

    private async Task<long> ClampOffsetAsync(PartitionCache cache, long offset)
    {
        // Below the end when the reader started: the offset exists even while the reader has not reached it.
        if (offset >= cache.CompleteFrom && offset <= Math.Max(cache.End, cache.EndWhenStarted))
        {
            return offset;
        }

        var watermarks = await brokerCalls.RunAsync(() => kafka.Watermarks(cache.Partition));
        if (offset == StartPosition.Earliest || offset < watermarks.Low.Value)
        {
            if (offset != StartPosition.Earliest)
            {
                LogExpired(logger, cache.Partition.Topic, cache.Partition.Partition.Value, offset, watermarks.Low.Value);
            }

            return watermarks.Low.Value;
        }

        if (offset > watermarks.High.Value)
        {
            LogBeyondEnd(logger, cache.Partition.Topic, cache.Partition.Partition.Value, offset, watermarks.High.Value);
            return watermarks.High.Value;
        }

        return offset;
    }

    [LoggerMessage(LogEventIds.OffsetExpired, LogLevel.Information, "Offset {Offset} of {Topic}/{Partition} has expired; resuming at the earliest retained offset {Low}")]
    private static partial void LogExpired(ILogger logger, string topic, int partition, long offset, long low);

    [LoggerMessage(LogEventIds.HistoryBusy, LogLevel.Information, "All {Readers} catch-up readers stayed busy: a request for history was refused (503 history_busy)")]
    private static partial void LogHistoryBusy(ILogger logger, int readers);

    [LoggerMessage(LogEventIds.OffsetBeyondEnd, LogLevel.Information, "Offset {Offset} of {Topic}/{Partition} is beyond the end; starting at the latest offset {High}")]
    private static partial void LogBeyondEnd(ILogger logger, string topic, int partition, long offset, long high);
}
