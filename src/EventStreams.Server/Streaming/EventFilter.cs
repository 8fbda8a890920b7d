using System.Runtime.CompilerServices;
using System.Text.Json;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.Primitives;

namespace EventStreams.Server.Streaming;

/// <summary>
/// Opt-in server-side filtering: <c>?filter=meta.domain=en.wikipedia.org&amp;filter=type!=log</c>.
/// Each filter compares the value at a dotted path with a text (strings by value, other JSON by its raw text);
/// every filter must hold. A missing field equals nothing. One instance is shared by every client asking for the same
/// filter (<see cref="FilterRegistry"/>), and it judges each event once for all of them.
/// </summary>
internal sealed class EventFilter
{
    public const int MaxFilters = 20;
    private const int MaxLength = 512;

    private static readonly object Yes = true;
    private static readonly object No = false;

    private readonly (string[] Path, string Value, bool Negated)[] _conditions;
    // Verdicts live as long as their event (the shared caches decide that), not longer.
    private readonly ConditionalWeakTable<KafkaEvent, object> _verdicts = [];
    private int _evaluations;

    private EventFilter((string[], string, bool)[] conditions)
    {
        _conditions = conditions;
        Key = string.Join('\n', conditions.Select(c => $"{string.Join('.', c.Item1)}{(c.Item3 ? "!=" : "=")}{c.Item2}"));
    }

    /// <summary>The filter in a canonical text: equal keys, equal filters.</summary>
    public string Key { get; }

    /// <summary>How many events this filter has actually parsed (tests and diagnostics).</summary>
    public int Evaluations => _evaluations;

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

    /// <summary>Whether <paramref name="e"/> passes; judged once per event, whichever client asks first.</summary>
    public bool Matches(KafkaEvent e)
    {
        if (_verdicts.TryGetValue(e, out var verdict))
        {
            return verdict == Yes;
        }

        var matches = Matches(e.Json);
        Interlocked.Increment(ref _evaluations);
        _verdicts.AddOrUpdate(e, matches ? Yes : No);
        return matches;
    }

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
