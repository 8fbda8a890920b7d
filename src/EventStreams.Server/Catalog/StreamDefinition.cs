namespace EventStreams.Server.Catalog;

/// <summary>A stream clients may request, by name or alias, and the Kafka topics behind it.</summary>
internal sealed record StreamDefinition(
    string Name,
    IReadOnlyList<string> Topics,
    IReadOnlySet<string> TopicsAllowed,
    string? Description,
    string? SchemaTitle,
    string? AliasOf = null,
    string? DestinationEventService = null,
    IReadOnlyList<string>? StreamAliases = null)
{
    public bool IsErrorValidation => (AliasOf ?? Name).EndsWith(".error.validation", StringComparison.Ordinal);
}
