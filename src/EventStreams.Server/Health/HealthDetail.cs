namespace EventStreams.Server.Health;

/// <summary>
/// What a health check knows beyond its public description: file paths, URLs, broker names, librdkafka's reasons. It goes
/// in the check's data, which only the operator's copy of the health routes on <c>Metrics:Port</c> writes (and the logs say).
/// </summary>
internal static class HealthDetail
{
    public static IReadOnlyDictionary<string, object> Of(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(entry => entry.Key, entry => (object)entry.Value, StringComparer.Ordinal);
}
