using Confluent.Kafka;
using EventStreams.Server.Api;
using EventStreams.Server.Catalog;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Streaming;

/// <summary>Turns a validated request (streams, since, Last-Event-ID) into a <see cref="Subscription"/> with a concrete offset per partition.</summary>
public sealed partial class SubscriptionFactory(
    KafkaClients kafka,
    SharedPartitionReader reader,
    TimeLookup timeLookup,
    StreamMetrics metrics,
    IOptions<StreamingOptions> options,
    TimeProvider time,
    ILogger<SubscriptionFactory> logger)
{
    /// <summary>Where each partition starts, before offsets are resolved. Throws <see cref="ApiProblemException"/> for what the client got wrong.</summary>
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
                    throw ApiProblemException.TopicNotAvailable(element.Topic);
                }

                var partitions = kafka.PartitionCount(element.Topic);
                if (element.Partition is { } partition)
                {
                    starts[(element.Topic, partition)] = partition < partitions
                        ? element
                        : throw ApiProblemException.InvalidLastEventId($"Invalid Last-Event-ID: partition {partition} of {element.Topic} does not exist.");
                }
                else
                {
                    AddAll(starts, element.Topic, partitions, since);
                }
            }
        }
        else
        {
            foreach (var topic in streams.SelectMany(s => s.Topics).Distinct(StringComparer.Ordinal))
            {
                AddAll(starts, topic, kafka.PartitionCount(topic), since);
            }
        }

        return starts.Count > 0
            ? [.. starts.Values]
            : throw ApiProblemException.ConfigurationError($"None of the topics of {string.Join(',', streams.Select(s => s.Name))} exists in Kafka.");
    }

    /// <summary>Plans and subscribes off the caller's thread: metadata and offset lookups are blocking broker round trips.</summary>
    public Task<Subscription> SubscribeAsync(StreamRequest request, CancellationToken cancellationToken) =>
        Task.Run(() => Subscribe(Plan(request.Streams, request.Resume, request.Since)), cancellationToken);

    /// <summary>Resolves every start to an offset (broker round trips: call off the request's hot path) and joins the shared readers.</summary>
    public Subscription Subscribe(IReadOnlyList<StartPosition> starts)
    {
        var positions = new List<PartitionPosition>(starts.Count);
        try
        {
            foreach (var start in starts)
            {
                var partition = new TopicPartition(start.Topic, start.Partition!.Value);
                var cache = reader.Acquire(partition);
                try
                {
                    var offset = start.Offset is { } o ? ClampOffset(cache, o) : timeLookup.Resolve(partition, start.Timestamp!.Value, cache);
                    positions.Add(new PartitionPosition(positions.Count, cache, offset, start.Timestamp ?? cache.TimestampBefore(offset)));
                }
                catch
                {
                    reader.Release(cache);
                    throw;
                }
            }
        }
        catch
        {
            positions.ForEach(p => reader.Release(p.Cache));
            throw;
        }

        return new Subscription(reader, positions, options.Value.IdFormat, () => new CatchUpReader(kafka, metrics, logger), time);
    }

    private static void AddAll(Dictionary<(string, int), StartPosition> starts, string topic, int partitions, long? since)
    {
        for (var p = 0; p < partitions; p++)
        {
            starts[(topic, p)] = StartPosition.AtLatestOrSince(topic, p, since);
        }
    }

    private long ClampOffset(PartitionCache cache, long offset)
    {
        if (offset == StartPosition.Latest)
        {
            return cache.End;
        }

        if (offset >= cache.CompleteFrom && offset <= cache.End)
        {
            return offset;
        }

        var watermarks = kafka.Watermarks(cache.Partition);
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

    [LoggerMessage(500, LogLevel.Information, "Offset {Offset} of {Topic}/{Partition} has expired; resuming at the earliest retained offset {Low}")]
    private static partial void LogExpired(ILogger logger, string topic, int partition, long offset, long low);

    [LoggerMessage(501, LogLevel.Information, "Offset {Offset} of {Topic}/{Partition} is beyond the end; starting at the latest offset {High}")]
    private static partial void LogBeyondEnd(ILogger logger, string topic, int partition, long offset, long high);
}
