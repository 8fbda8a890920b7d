using System.Text.Json;
using System.Text.Json.Nodes;
using EventStreams.Server.Diagnostics;
using Json.Schema;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using YamlDotNet.Core;

namespace EventStreams.Server.Intake;

/// <summary>
/// Finds the schema of a <c>$schema</c> URI in <c>Schemas:BaseUris</c> (as EventGate's <c>schema_base_uris</c>: first
/// base that has it wins; without a file extension <c>.yaml</c>, then <c>.json</c>, then the bare name), builds it as
/// JSON Schema draft-07 and keeps it in a cache bounded to <c>Schemas:CacheSize</c> entries. A URI that was not found
/// is remembered as missing for <c>Schemas:MissingRetrySeconds</c>, so a flood of bad events does not become a flood of fetches.
/// </summary>
internal sealed partial class SchemaRepository : IDisposable
{
    private const int MaxUriLength = 2048;
    private static readonly string[] Extensions = [".yaml", ".json", ""];

    private readonly SchemaOptions _options;
    private readonly IHttpClientFactory _http;
    private readonly ILogger<SchemaRepository> _logger;
    private readonly MemoryCache _cache;
    private readonly IReadOnlyList<string> _bases;

    public SchemaRepository(IOptions<SchemaOptions> options, IHttpClientFactory http, ILogger<SchemaRepository> logger)
    {
        _options = options.Value;
        _http = http;
        _logger = logger;
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = _options.CacheSize });
        _bases = _options.BaseUris.Count > 0 ? [.. _options.BaseUris] : [Path.Combine(AppContext.BaseDirectory, SchemaOptions.BundledFolder)];
    }

    /// <summary>The schema of <paramref name="uri"/>; throws <see cref="SchemaNotFoundException"/> when it cannot be had.</summary>
    public async ValueTask<LoadedSchema> GetAsync(string uri, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(uri, out var cached))
        {
            return cached as LoadedSchema ?? throw new SchemaNotFoundException((string)cached!);
        }

        try
        {
            var schema = await LoadAsync(uri, cancellationToken);
            _cache.Set(uri, schema, new MemoryCacheEntryOptions { Size = 1 });
            return schema;
        }
        catch (SchemaNotFoundException e)
        {
            if (_options.MissingRetrySeconds > 0)
            {
                _cache.Set(uri, e.Message, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(_options.MissingRetrySeconds) });
            }

            throw;
        }
    }

    private async Task<LoadedSchema> LoadAsync(string uri, CancellationToken cancellationToken)
    {
        var relative = Relative(uri);
        foreach (var baseUri in _bases)
        {
            foreach (var candidate in Candidates(relative))
            {
                var (text, location) = await ReadAsync(baseUri, candidate, cancellationToken);
                if (text is not null)
                {
                    LogLoaded(_logger, uri, location);
                    return Build(uri, location, text);
                }
            }
        }

        var where = _options.BaseUris.Count > 0 ? $"any of Schemas:BaseUris ({string.Join(", ", _bases)})" : "the bundled schemas (Schemas:BaseUris is empty)";
        throw new SchemaNotFoundException($"could not find schema {uri} in {where}");
    }

    /// <summary>The URI as a relative path; absolute URIs and paths leaving the base are refused (as EventGate does by default).</summary>
    private static string Relative(string uri)
    {
        if (uri.Length == 0 || uri.Length > MaxUriLength)
        {
            throw new SchemaNotFoundException($"must be a URI of 1 to {MaxUriLength} characters");
        }

        if (SchemePattern().IsMatch(uri))
        {
            throw new SchemaNotFoundException($"absolute schema URIs are not allowed, but $schema is {uri}");
        }

        var path = uri.Split('#', 2)[0].TrimStart('/');
        var segments = path.Split('/');
        // Schema paths are titles and versions: letters, digits, '_', '-', '.'. Anything else (an escape such as %2e,
        // a backslash, a colon) could mean another path to a file system or a web server than the one checked here.
        if (path.Length == 0 || !SafePath().IsMatch(path) || segments.Any(s => s is "" or "." or ".."))
        {
            throw new SchemaNotFoundException($"{uri} is not a relative schema path such as /mediawiki/recentchange/1.0.0");
        }

        return path;
    }

    private static IEnumerable<string> Candidates(string relative)
    {
        var hasExtension = relative.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || relative.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            || relative.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        return hasExtension ? [relative] : Extensions.Select(e => relative + e);
    }

    private async Task<(string? Text, string Location)> ReadAsync(string baseUri, string relative, CancellationToken cancellationToken)
    {
        if (baseUri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || baseUri.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var url = baseUri.TrimEnd('/') + "/" + relative;
            return (await FetchAsync(url, cancellationToken), url);
        }

        var folder = baseUri.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(baseUri).LocalPath : baseUri;
        var path = Path.Combine(folder, relative);
        if (!File.Exists(path))
        {
            return (null, path);
        }

        var info = new FileInfo(path);
        var length = (info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info).Length;
        if (length > _options.MaxSchemaBytes)
        {
            throw new SchemaNotFoundException($"schema {path} is larger than Schemas:MaxSchemaBytes ({_options.MaxSchemaBytes})");
        }

        return (await File.ReadAllTextAsync(path, cancellationToken), path);
    }

    private async Task<string?> FetchAsync(string url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.FetchTimeoutSeconds));
        try
        {
            using var client = _http.CreateClient(nameof(SchemaRepository));
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var buffer = new byte[_options.MaxSchemaBytes + 1];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(read), timeout.Token)) > 0)
            {
                read += n;
            }

            if (read > _options.MaxSchemaBytes)
            {
                throw new SchemaNotFoundException($"schema {url} is larger than Schemas:MaxSchemaBytes ({_options.MaxSchemaBytes})");
            }

            return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogFetchFailed(_logger, url, e.Message);
            return null;
        }
    }

    private static LoadedSchema Build(string uri, string location, string text)
    {
        JsonObject document;
        try
        {
            document = (text.AsSpan().TrimStart().StartsWith("{") ? JsonNode.Parse(text) : YamlJson.Parse(text)) as JsonObject
                ?? throw new SchemaNotFoundException($"schema {location} is not a JSON Schema object");
        }
        catch (Exception e) when (e is JsonException or YamlException)
        {
            throw new SchemaNotFoundException($"schema {location} is not valid YAML or JSON: {e.Message}", e);
        }

        // Every schema is read as draft-07 (EventGate's dialect), whatever meta-schema URI it names (Wikimedia's say https://).
        var forBuild = (JsonObject)document.DeepClone();
        forBuild.Remove("$schema");
        try
        {
            var options = new BuildOptions { Dialect = Dialect.Draft07, SchemaRegistry = new SchemaRegistry() };
            var element = JsonSerializer.SerializeToElement(forBuild, IntakeJsonContext.Default.JsonObject);
            var schema = JsonSchema.Build(element, options, new Uri("https://schemas.invalid/" + Relative(uri)));
            var title = document["title"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
            return new LoadedSchema(uri, location, title, schema, FastSchema.TryCompile(element), document, SchemaDefaults.From(element));
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or KeyNotFoundException or NotSupportedException or FormatException)
        {
            throw new SchemaNotFoundException($"schema {location} is not a usable JSON Schema: {e.Message}", e);
        }
    }

    public void Dispose() => _cache.Dispose();

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_.\\-/]+$")]
    private static partial System.Text.RegularExpressions.Regex SafePath();

    [System.Text.RegularExpressions.GeneratedRegex("^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial System.Text.RegularExpressions.Regex SchemePattern();

    [LoggerMessage(LogEventIds.SchemaLoaded, LogLevel.Information, "Schema {Uri} loaded from {Location}")]
    private static partial void LogLoaded(ILogger logger, string uri, string location);

    [LoggerMessage(LogEventIds.SchemaFetchFailed, LogLevel.Warning, "Schema fetch {Url} failed: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string url, string reason);
}
