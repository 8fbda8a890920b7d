namespace EventStreams.Server.Catalog;

/// <summary>One loaded version of the catalogue; immutable, swapped whole on reload.</summary>
internal sealed record StreamCatalogSnapshot(IReadOnlyDictionary<string, StreamDefinition> Streams, string Source)
{
    public IEnumerable<StreamDefinition> Ordered => Streams.Values.OrderBy(s => s.Name, StringComparer.Ordinal);

    public IEnumerable<string> AllTopics => Streams.Values.SelectMany(s => s.Topics).Distinct(StringComparer.Ordinal);
}
