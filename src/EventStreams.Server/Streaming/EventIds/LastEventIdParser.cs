using System.Text.Json;

namespace EventStreams.Server.Streaming.EventIds;

/// <summary>
/// Parses a <c>Last-Event-ID</c>: a JSON array of topic names or <c>{"topic","partition","offset"|"timestamp"[,"skip"]}</c>
/// objects. Shape only; whether the topics and partitions exist is checked against the catalogue and Kafka later.
/// </summary>
internal static class LastEventIdParser
{
    public const int MaxLength = 64 * 1024;
    public const int MaxElements = 4096;

    public static IReadOnlyList<StartPosition> Parse(string header, long? since)
    {
        if (header.Length > MaxLength)
        {
            throw StreamRequestException.InvalidLastEventId($"Last-Event-ID is longer than {MaxLength} characters.");
        }

        if (LoneSurrogates.Any(header))
        {
            throw Invalid("it is not valid Unicode (lone surrogate)");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException)
        {
            throw StreamRequestException.InvalidLastEventId("Last-Event-ID is not JSON; it must be the id of an event this service sent.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0)
            {
                throw StreamRequestException.InvalidLastEventId("Last-Event-ID must be a non-empty JSON array.");
            }

            if (root.GetArrayLength() > MaxElements)
            {
                throw StreamRequestException.InvalidLastEventId($"Last-Event-ID has more than {MaxElements} elements.");
            }

            var positions = new List<StartPosition>(root.GetArrayLength());
            foreach (var element in root.EnumerateArray())
            {
                positions.Add(ParseElement(element, since));
            }

            return positions;
        }
    }

    private static StartPosition ParseElement(JsonElement element, long? since)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            var name = TextOf(element);
            return name.Length > 0 ? StartPosition.AtLatestOrSince(name, null, since) : throw Invalid("a topic name is empty");
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("each element must be a topic name or an object");
        }

        var topic = element.TryGetProperty("topic", out var t) && t.ValueKind == JsonValueKind.String && TextOf(t) is { Length: > 0 } s
            ? s
            : throw Invalid("an element has no string 'topic'");
        var partition = element.TryGetProperty("partition", out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var pn) && pn >= 0
            ? pn
            : throw Invalid($"the element for {topic} needs a non-negative integer 'partition'");
        long? offset = null;
        if (element.TryGetProperty("offset", out var o) && o.ValueKind != JsonValueKind.Null)
        {
            offset = o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out var on) && on >= StartPosition.Earliest
                ? on
                : throw Invalid($"'offset' of {topic}/{partition} must be an integer ≥ -2");
        }

        long? timestamp = null;
        if (element.TryGetProperty("timestamp", out var ts) && ts.ValueKind != JsonValueKind.Null)
        {
            timestamp = ts.ValueKind == JsonValueKind.Number && ts.TryGetInt64(out var tn) && tn >= 0
                ? tn
                : throw Invalid($"'timestamp' of {topic}/{partition} must be a non-negative integer (epoch ms)");
        }

        var skip = 0;
        if (element.TryGetProperty("skip", out var k) && k.ValueKind != JsonValueKind.Null)
        {
            skip = k.ValueKind == JsonValueKind.Number && k.TryGetInt32(out var kn) && kn >= 0
                ? kn
                : throw Invalid($"'skip' of {topic}/{partition} must be a non-negative integer");
        }

        return offset is null && timestamp is null
            ? throw Invalid($"the element for {topic}/{partition} needs an 'offset' or a 'timestamp'")
            : new StartPosition(topic, partition, offset, offset is null ? timestamp : null, offset is null ? skip : 0);
    }

    private static string TextOf(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // JSON may escape a lone surrogate ("\ud800"), which no string of a topic can hold.
            throw Invalid("a string is not valid Unicode (lone surrogate)");
        }
    }

    private static StreamRequestException Invalid(string why) => StreamRequestException.InvalidLastEventId($"Invalid Last-Event-ID: {why}.");
}
