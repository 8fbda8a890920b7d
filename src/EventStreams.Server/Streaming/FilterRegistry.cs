namespace EventStreams.Server.Streaming;

/// <summary>
/// One <see cref="EventFilter"/> per distinct filter among the connected clients, so that each event is judged once
/// per filter rather than once per client. Bounded: beyond <see cref="MaxShared"/> live distinct filters a new one is
/// simply not shared.
/// </summary>
internal sealed class FilterRegistry
{
    public const int MaxShared = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, WeakReference<EventFilter>> _filters = new(StringComparer.Ordinal);

    /// <summary>The shared filter equal to <paramref name="parsed"/> (or <paramref name="parsed"/> itself, now shared).</summary>
    public EventFilter? Share(EventFilter? parsed)
    {
        if (parsed is null)
        {
            return null;
        }

        lock (_gate)
        {
            if (_filters.TryGetValue(parsed.Key, out var existing) && existing.TryGetTarget(out var shared))
            {
                return shared;
            }

            if (_filters.Count >= MaxShared)
            {
                foreach (var (key, _) in _filters.Where(f => !f.Value.TryGetTarget(out _)).ToList())
                {
                    _filters.Remove(key);
                }

                if (_filters.Count >= MaxShared)
                {
                    return parsed;
                }
            }

            _filters[parsed.Key] = new WeakReference<EventFilter>(parsed);
            return parsed;
        }
    }
}
