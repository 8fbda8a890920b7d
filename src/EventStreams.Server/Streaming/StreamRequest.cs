using System.Runtime.CompilerServices;
using EventStreams.Server.Catalog;
using EventStreams.Server.Streaming.EventIds;
using Microsoft.Extensions.Primitives;

namespace EventStreams.Server.Streaming;

/// <summary>What a client asked for, validated: the same for SSE, NDJSON and SignalR.</summary>
internal sealed record StreamRequest(StreamDefinition[] Streams, long? Since, IReadOnlyList<StartPosition>? Resume, EventFilter? Filter)
{
    /// <summary>The one-stream arrays of each catalogued stream, shared by all its requests (read only): 64 bytes less per stream held open.</summary>
    private static readonly ConditionalWeakTable<StreamDefinition, Single> Singles = new();

    public string[] Names => Streams is [var only] ? Singles.GetValue(only, Single.Of).Names : [.. Streams.Select(s => s.Name)];

    /// <summary>Parses every input or throws the <see cref="StreamRequestException"/> COMPATIBILITY.md names.</summary>
    public static StreamRequest Parse(StreamCatalog catalog, string streams, string? since, string? lastEventId, StringValues filters)
    {
        var requested = Resolve(catalog, streams);
        var start = SinceParser.Parse(since);
        var filter = EventFilter.Parse(filters);
        var resume = string.IsNullOrEmpty(lastEventId) ? null : LastEventIdParser.Parse(lastEventId, start);
        return new StreamRequest(requested, start, resume, filter);
    }

    private static StreamDefinition[] Resolve(StreamCatalog catalog, string streams)
    {
        var names = streams.Split(',');
        // One stream, the common request: no set, no query (every stream's request leaves its garbage between idle streams).
        if (names.Length == 1 && catalog.TryGet(names[0], out var only))
        {
            return Singles.GetValue(only, Single.Of).Streams;
        }

        var unknown = names.Where(n => !catalog.TryGet(n, out _)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw StreamRequestException.StreamNotFound(unknown.Take(20).Select(n => LoneSurrogates.Replace(n.Length > 200 ? n[..200] : n)));
        }

        return [.. names.Distinct(StringComparer.Ordinal).Select(n => { catalog.TryGet(n, out var s); return s; })];
    }

    private sealed record Single(StreamDefinition[] Streams, string[] Names)
    {
        public static Single Of(StreamDefinition stream) => new([stream], [stream.Name]);
    }
}
