using Microsoft.Extensions.Options;

namespace EventStreams.Server.Catalog;

/// <summary>The current stream catalogue. Loads at start (failing loudly), then reloads, keeping the last good version.</summary>
public sealed partial class StreamCatalog(
    IOptions<StreamConfigOptions> options,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<StreamCatalog> logger)
{
    private StreamCatalogSnapshot? _current;

    public StreamCatalogSnapshot Current => _current ?? throw new InvalidOperationException("The stream catalogue has not been loaded yet.");

    public event Action<StreamCatalogSnapshot>? Changed;

    public bool TryGet(string name, out StreamDefinition stream)
    {
        stream = null!;
        return _current is { } snapshot && snapshot.Streams.TryGetValue(name, out stream!);
    }

    public async Task<StreamCatalogSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var source = ResolveSource(options.Value.Uri);
        var text = await ReadAsync(source, cancellationToken);
        var snapshot = StreamConfigParser.Parse(text, source, options.Value, time.GetUtcNow());
        _current = snapshot;
        LogLoaded(logger, snapshot.Streams.Count, source);
        Changed?.Invoke(snapshot);
        return snapshot;
    }

    /// <summary>Reloads; on failure logs and keeps serving the last good catalogue.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await LoadAsync(cancellationToken);
        }
        catch (Exception e) when (e is StreamConfigException or HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogReloadFailed(logger, e.Message);
        }
    }

    internal static string ResolveSource(string uri) =>
        string.IsNullOrWhiteSpace(uri) ? Path.Combine(AppContext.BaseDirectory, StreamConfigOptions.DemoConfigFile) : uri;

    private async Task<string> ReadAsync(string source, CancellationToken cancellationToken)
    {
        if (source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, source);
            // A configured User-Agent below replaces this one.
            request.Headers.TryAddWithoutValidation("User-Agent", ProductInfo.UserAgent);
            foreach (var (name, value) in options.Value.Headers)
            {
                if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
                {
                    request.Headers.Host = value;
                }
                else
                {
                    request.Headers.Remove(name);
                    request.Headers.TryAddWithoutValidation(name, value);
                }
            }

            using var client = httpClients.CreateClient(nameof(StreamCatalog));
            using var response = await client.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new StreamConfigException($"Stream config {source} answered HTTP {(int)response.StatusCode}.");
            }

            return await response.Content.ReadAsStringAsync(cancellationToken);
        }

        var path = source.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(source).LocalPath : source;
        if (!File.Exists(path))
        {
            throw new StreamConfigException($"Stream config file {path} does not exist.");
        }

        return await File.ReadAllTextAsync(path, cancellationToken);
    }

    [LoggerMessage(1, LogLevel.Information, "Loaded {Count} streams from {Source}")]
    private static partial void LogLoaded(ILogger logger, int count, string source);

    [LoggerMessage(2, LogLevel.Warning, "Stream config reload failed; keeping the last good catalogue: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string reason);
}
