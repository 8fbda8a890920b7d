using System.Globalization;
using Confluent.Kafka;
using EventStreams.Server.Problems;
using Microsoft.Extensions.Primitives;
using EventStreams.Server.Catalog;
using EventStreams.Server.Kafka;
using EventStreams.Server.Routes;
using EventStreams.Server.Streaming;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Retention;

/// <summary>
/// <c>GET /v2/retention/{a,b,...}</c>: how far back each stream's data goes — per topic-partition the low and high
/// watermarks and the time of the oldest retained event, and the oldest of them per stream. Read-only, answered from
/// <see cref="RetentionLookup"/>'s short cache. With <c>?at=&lt;time&gt;</c> each partition also gets <c>at_offset</c>, where
/// <c>?since=&lt;time&gt;</c> would start it (the same <see cref="TimeLookup"/>, asked afresh): a client can then read an exact
/// window of offsets (the UI's "from … to …").
/// </summary>
internal static class RetentionEndpoints
{
    public const string InvalidLast = "invalid_last";

    public static IEndpointRouteBuilder MapRetentionApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGetAndHead(ApiRoutes.Retention, GetAsync);
        return endpoints;
    }

    private static async Task GetAsync(HttpContext context, string streams, StreamCatalog catalog, RetentionLookup lookup, TimeLookup times, BrokerCalls calls, LastEvents lastEvents, IOptions<RetentionOptions> options)
    {
        try
        {
            var at = SinceParser.Parse(context.Request.Query["at"].FirstOrDefault(), "at");
            var last = LastCount(context.Request.Query["last"]);
            var requested = Resolve(catalog, streams);
            var body = new List<StreamRetention>(requested.Count);
            foreach (var (name, definition) in requested)
            {
                var partitions = (await Task.WhenAll(definition.Topics.Distinct(StringComparer.Ordinal).Select(t => lookup.TopicAsync(t, context.RequestAborted)))).SelectMany(p => p).ToList();
                if (at is { } time)
                {
                    partitions = await calls.RunAsync(() => partitions.ConvertAll(p => p with { AtOffset = times.Resolve(new(p.Topic, p.Partition), time) })).WaitAsync(context.RequestAborted);
                }

                var oldest = partitions.Where(p => p.OldestTimestamp is not null).Min(p => p.OldestTimestamp);
                body.Add(new StreamRetention(name, oldest, oldest is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) : null, partitions));
            }

            var answer = new RetentionBody(body);
            if (last is { } count)
            {
                var partitions = body.SelectMany(s => s.Partitions).Select(p => new TopicPartition(p.Topic, p.Partition)).Distinct().ToList();
                var (starts, events) = await lastEvents.FindAsync(partitions, count, context.RequestAborted);
                answer = answer with { Last = new LastEventsStart(count, events, [.. starts.Select(s => new LastEventsOffset(s.Topic, s.Partition.Value, s.Offset.Value))]) };
            }

            // "The last N" and the offsets at a time are as of now: an answer kept by a cache would start a later request
            // before its last N, or end a window before events that arrived since.
            context.Response.Headers.CacheControl = last is null && at is null ? $"max-age={options.Value.CacheSeconds}" : "no-store";
            await Results.Json(answer, RetentionJsonContext.Default.RetentionBody).ExecuteAsync(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    /// <summary><c>?last=N</c>: a whole number from 1 to <see cref="LastEvents.MaxCount"/>; null when absent.</summary>
    private static int? LastCount(StringValues last) =>
        last.Count == 0 ? null
        : last.Count == 1 && int.TryParse(last[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= LastEvents.MaxCount ? n
        : throw ProblemTypes.ToProblem(InvalidLast, $"'last' must be one whole number from 1 to {LastEvents.MaxCount}.");

    /// <summary>The requested names (first occurrence each) and their streams, or the same <c>not_found</c> as <c>/v2/stream</c>.</summary>
    private static List<(string Name, StreamDefinition Definition)> Resolve(StreamCatalog catalog, string streams)
    {
        var names = streams.Split(',').Distinct(StringComparer.Ordinal).ToList();
        var unknown = names.Where(n => !catalog.TryGet(n, out _)).ToList();
        if (unknown.Count > 0)
        {
            throw StreamRequestException.StreamNotFound(unknown.Take(20).Select(n => LoneSurrogates.Replace(n.Length > 200 ? n[..200] : n)));
        }

        return [.. names.Select(n => { catalog.TryGet(n, out var s); return (n, s); })];
    }
}
