using EventStreams.Server.Diagnostics;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Catalog;

/// <summary>The current stream catalogue. Loads at start (failing loudly), then reloads, keeping the last good version.</summary>
internal sealed partial class StreamCatalog(
    IOptions<StreamConfigOptions> options,
    IHttpClientFactory httpClients,
    ILogger<StreamCatalog> logger)
{
    private StreamCatalogSnapshot? _current;
    private long _reloadFailures;

    public StreamCatalogSnapshot Current => _current ?? throw new InvalidOperationException("The stream catalogue has not been loaded yet.");

    public event Action<StreamCatalogSnapshot>? Changed;

    /// <summary>Whether a catalogue is loaded (readiness).</summary>
    public bool IsLoaded => _current is not null;

    /// <summary>Reloads that failed since start (each kept the last good catalogue).</summary>
    public long ReloadFailures => Interlocked.Read(ref _reloadFailures);

    /// <summary>Why the latest reload failed; null once a reload succeeds again.</summary>
    public string? LastReloadError { get; private set; }

    public bool TryGet(string name, out StreamDefinition stream)
    {
        stream = null!;
        return _current is { } snapshot && snapshot.Streams.TryGetValue(name, out stream!);
    }

    public async Task<StreamCatalogSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var source = ResolveSource(options.Value.Uri);
        var text = await ReadAsync(source, cancellationToken);
        var snapshot = StreamConfigParser.Parse(text, source, options.Value);
        _current = snapshot;
        LastReloadError = null;
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
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever the source answered, the server keeps its catalogue: one line, no stack (the message names the problem).
            Interlocked.Increment(ref _reloadFailures);
            if (e.Message == LastReloadError)
            {
                // The same answer every ReloadSeconds: said once at warning level, counted every time.
                LogReloadFailedAgain(logger, e.Message);
            }
            else
            {
                LogReloadFailed(logger, e.GetType().Name, e.Message);
            }

            LastReloadError = e.Message;
        }
    }

    internal static string ResolveSource(string uri) =>
        string.IsNullOrWhiteSpace(uri) ? Path.Combine(AppContext.BaseDirectory, StreamConfigOptions.DemoConfigFile) : uri;

    private async Task<string> ReadAsync(string source, CancellationToken cancellationToken)
    {
        var maxBytes = options.Value.MaxDocumentMegabytes * 1024L * 1024L;
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
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new StreamConfigException($"Stream config {source} answered HTTP {(int)response.StatusCode}.");
            }

            if (response.Content.Headers.ContentLength > maxBytes)
            {
                throw TooLarge(source, maxBytes);
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await ReadBoundedAsync(body, source, maxBytes, cancellationToken);
        }

        var path = source.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(source).LocalPath : source;
        if (!File.Exists(path))
        {
            throw new StreamConfigException($"Stream config file {path} does not exist.");
        }

        await using var file = File.OpenRead(path);
        return file.Length > maxBytes ? throw TooLarge(path, maxBytes) : await ReadBoundedAsync(file, path, maxBytes, cancellationToken);
    }

    /// <summary>Reads at most <paramref name="maxBytes"/>: a server that sends an endless body must not fill the memory.</summary>
    private static async Task<string> ReadBoundedAsync(Stream body, string source, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(source, maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        using var reader = new StreamReader(buffer, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static StreamConfigException TooLarge(string source, long maxBytes) =>
        new($"Stream config {source} is larger than StreamConfig:MaxDocumentMegabytes ({maxBytes / (1024 * 1024)} MB).");

    [LoggerMessage(LogEventIds.CatalogLoaded, LogLevel.Information, "Loaded {Count} streams from {Source}")]
    private static partial void LogLoaded(ILogger logger, int count, string source);

    [LoggerMessage(LogEventIds.CatalogReloadFailed, LogLevel.Warning, "Stream config reload failed ({Kind}); keeping the last good catalogue: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string kind, string reason);

    [LoggerMessage(LogEventIds.CatalogReloadFailedAgain, LogLevel.Debug, "Stream config reload failed again: {Reason}")]
    private static partial void LogReloadFailedAgain(ILogger logger, string reason);
}
