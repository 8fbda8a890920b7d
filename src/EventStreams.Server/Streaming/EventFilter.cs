using System.Text.Json;
using Microsoft.Extensions.Primitives;

namespace EventStreams.Server.Streaming;

/// <summary>
/// Opt-in server-side filtering: <c>?filter=meta.domain=en.wikipedia.org&amp;filter=type!=log</c>.
/// Each filter compares the value at a dotted path with a text (strings by value, other JSON by its raw text);
/// every filter must hold. A missing field equals nothing.
/// </summary>
public sealed class EventFilter
{
    public const int MaxFilters = 20;
    private const int MaxLength = 512;

    private readonly (string[] Path, string Value, bool Negated)[] _conditions;

    private EventFilter((string[], string, bool)[] conditions) => _conditions = conditions;

    /// <summary>The filter for the request's <c>filter</c> parameters, or null when there are none.</summary>
    public static EventFilter? Parse(StringValues filters)
    {
        if (filters.Count == 0)
        {
            return null;
        }

        if (filters.Count > MaxFilters)
        {
            throw Invalid($"at most {MaxFilters} filters are allowed");
        }

        var conditions = new (string[], string, bool)[filters.Count];
        for (var i = 0; i < filters.Count; i++)
        {
            var text = filters[i] ?? "";
            if (LoneSurrogates.Any(text))
            {
                throw Invalid("a filter is not valid Unicode (lone surrogate)");
            }

            var equals = text.IndexOf('=', StringComparison.Ordinal);
            if (text.Length > MaxLength || equals <= 0)
            {
                throw Invalid($"'{(text.Length > 64 ? text[..64] + "…" : text)}' is not of the form path=value or path!=value");
            }

            var negated = text[equals - 1] == '!';
            var path = text[..(negated ? equals - 1 : equals)].Trim();
            if (path.Length == 0 || path.Split('.').Any(p => p.Length == 0))
            {
                throw Invalid($"'{text}' has an empty field name");
            }

            conditions[i] = (path.Split('.'), text[(equals + 1)..].Trim(), negated);
        }

        return new EventFilter(conditions);
    }

    public bool Matches(KafkaEvent e) => Matches(e.Json);

    public bool Matches(byte[] json)
    {
        // The encoder's depth limit: an event it accepted must never fail here.
        using var document = JsonDocument.Parse(json, EventJson.DocumentOptions);
        foreach (var (path, value, negated) in _conditions)
        {
            if (Equal(document.RootElement, path, value) == negated)
            {
                return false;
            }
        }

        return true;
    }

    private static bool Equal(JsonElement element, string[] path, string value)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return false;
            }
        }

        return element.ValueKind == JsonValueKind.String
            ? element.ValueEquals(value)
            : element.GetRawText() == value;
    }

    private static StreamRequestException Invalid(string why) => StreamRequestException.InvalidFilter($"Invalid filter: {why}.");
}
