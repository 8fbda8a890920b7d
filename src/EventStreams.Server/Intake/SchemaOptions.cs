using System.ComponentModel.DataAnnotations;

namespace EventStreams.Server.Intake;

/// <summary>The <c>Schemas</c> configuration section: where event schemas are found (EventGate's <c>schema_base_uris</c>).</summary>
internal sealed class SchemaOptions
{
    public const string Section = "Schemas";

    /// <summary>The schemas shipped with the server (the demo streams' and <c>/error</c>), used when <see cref="BaseUris"/> is empty.</summary>
    public const string BundledFolder = "schemas";

    public const int DefaultCacheSize = 1000;
    public const int DefaultFetchTimeoutSeconds = 10;
    public const int DefaultMaxSchemaBytes = 4 * 1024 * 1024;
    public const int DefaultMissingRetrySeconds = 10;

    /// <summary>
    /// Folders, <c>file://</c> or <c>http(s)://</c> URIs, tried in order; the first that has the schema wins. A
    /// <c>$schema</c> without a file extension is looked up with <c>.yaml</c>, then <c>.json</c>. Empty = the bundled schemas.
    /// </summary>
    public List<string> BaseUris { get; } = [];

    /// <summary>Most schemas kept in memory; the least recently used one goes first.</summary>
    [Range(1, 100_000)]
    public int CacheSize { get; set; } = DefaultCacheSize;

    [Range(1, 300)]
    public int FetchTimeoutSeconds { get; set; } = DefaultFetchTimeoutSeconds;

    /// <summary>A larger schema document is refused (the event is invalid: its schema cannot be loaded).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxSchemaBytes { get; set; } = DefaultMaxSchemaBytes;

    /// <summary>A <c>$schema</c> that could not be found is not looked up again for this long.</summary>
    [Range(0, 3600)]
    public int MissingRetrySeconds { get; set; } = DefaultMissingRetrySeconds;

    /// <summary>A base a typo would make useless (every event "schema not found") fails the start instead.</summary>
    public static bool IsUsableBase(string baseUri) =>
        baseUri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || baseUri.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || (baseUri.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? Uri.TryCreate(baseUri, UriKind.Absolute, out var file) && Directory.Exists(file.LocalPath)
            : baseUri.Length > 0 && Directory.Exists(baseUri));
}
