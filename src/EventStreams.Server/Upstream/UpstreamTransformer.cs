using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventStreams.Server.Api;
using EventStreams.Server.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace EventStreams.Server.Upstream;

/// <summary>
/// What goes upstream and what comes back. Upstream: only the headers the EventStreams protocol uses (the client's
/// cookies and credentials for this server stay here), the configured ones, a descriptive User-Agent and the Host
/// override. Back: 2xx and 4xx (the upstream's problem bodies) pass unchanged; a 5xx, or a 2xx that is not what the
/// route serves, becomes this server's problem body with the upstream's status in the detail.
/// </summary>
internal sealed partial class UpstreamTransformer(IOptions<UpstreamOptions> options, ServiceInfo info, StreamMetrics metrics, ILogger<UpstreamTransformer> logger) : HttpTransformer
{
    // The upstream's /?spec and /_info are rewritten (below), so they are read whole: this much at most.
    private const int MaxRewrittenBytes = 16 * 1024 * 1024;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private const int ErrorBodyBytes = 4096;
    private const int ErrorDetailChars = 300;
    private static readonly TimeSpan ErrorBodyWait = TimeSpan.FromSeconds(5);
    private static readonly string[] PassedRequestHeaders = [HeaderNames.Accept, "Last-Event-ID", HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince];

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        foreach (var name in PassedRequestHeaders)
        {
            if (httpContext.Request.Headers.TryGetValue(name, out var values))
            {
                proxyRequest.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        proxyRequest.Headers.TryAddWithoutValidation(HeaderNames.UserAgent, ProductInfo.UserAgent);
        foreach (var (name, value) in settings.Headers)
        {
            proxyRequest.Headers.Remove(name);
            proxyRequest.Headers.TryAddWithoutValidation(name, value);
        }

        if (settings.HostName.Length > 0)
        {
            // SocketsHttpHandler takes the TLS server name (SNI and the certificate check) from the Host header.
            proxyRequest.Headers.Host = settings.HostName;
        }

        return default;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return false;
        }

        var status = (int)proxyResponse.StatusCode;
        var problem = status >= StatusCodes.Status500InternalServerError
            ? UpstreamProblems.BadAnswer(options.Value.DestinationPrefix, status, await ReadErrorDetailAsync(proxyResponse, cancellationToken))
            : status is >= 200 and < 300 && WrongContent(httpContext.Request, proxyResponse) is { } wrong
                ? UpstreamProblems.BadAnswer(options.Value.DestinationPrefix, status, wrong)
                : null;
        if (problem is null && status is >= 200 and < 300 && Rewrite(httpContext.Request) is { } rewrite)
        {
            return await RewriteAsync(httpContext, proxyResponse, rewrite, cancellationToken);
        }

        if (problem is null)
        {
            var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
            if (copyBody && status is >= 200 and < 300 && UpstreamRoutes.IsStream(httpContext.Request.Path))
            {
                Count(httpContext);
                // The body is copied as it arrives, and the headers would wait for its first bytes: on a quiet NDJSON
                // stream (no ":ok" line) until the first event. Send them now, as the upstream did.
                await httpContext.Response.Body.FlushAsync(cancellationToken);
            }

            return copyBody;
        }

        LogUpstreamError(logger, httpContext.Request.Path, status, problem.Detail);
        httpContext.Response.Headers.Clear();
        await problem.ToResult().ExecuteAsync(httpContext);
        return false;
    }

    /// <summary>
    /// What of the upstream's answer would not be true of this instance: the spec lists only the routes this instance
    /// serves (the upstream's intake, schema and retention routes answer 404 here), and <c>/_info</c> names this
    /// instance's environment (the one its UI shows) and the upstream.
    /// </summary>
    private Action<JsonObject>? Rewrite(HttpRequest request) =>
        !HttpMethods.IsGet(request.Method) ? null
        : UpstreamRoutes.IsSpec(request) ? KeepServedPaths
        : UpstreamRoutes.IsInfo(request.Path) ? SayEnvironment
        : null;

    private static void KeepServedPaths(JsonObject spec)
    {
        if (spec["paths"] is JsonObject paths)
        {
            foreach (var path in paths.Select(p => p.Key).Where(p => !UpstreamRoutes.IsServedPath(p)).ToList())
            {
                paths.Remove(path);
            }
        }
    }

    private void SayEnvironment(JsonObject body)
    {
        if (info.Environment is { } environment)
        {
            body["environment"] = environment;
        }

        body["upstream"] = options.DisplayName();
    }

    private async Task<bool> RewriteAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, Action<JsonObject> rewrite, CancellationToken cancellationToken)
    {
        JsonObject? body;
        try
        {
            await proxyResponse.Content.LoadIntoBufferAsync(MaxRewrittenBytes, cancellationToken);
            body = JsonNode.Parse(await proxyResponse.Content.ReadAsStreamAsync(cancellationToken)) as JsonObject;
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException)
        {
            body = null;
        }

        if (body is null)
        {
            var problem = UpstreamProblems.BadAnswer(options.Value.DestinationPrefix, (int)proxyResponse.StatusCode, $"with a body that is not a JSON object of at most {MaxRewrittenBytes / 1024 / 1024} MiB");
            LogUpstreamError(logger, httpContext.Request.Path, (int)proxyResponse.StatusCode, problem.Detail);
            await problem.ToResult().ExecuteAsync(httpContext);
            return false;
        }

        await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        rewrite(body);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, Indented);
        httpContext.Response.ContentLength = bytes.Length;
        await httpContext.Response.Body.WriteAsync(bytes, cancellationToken);
        return false;
    }

    /// <summary>A stream the upstream accepted (so its names are real streams, a bounded label) counts as the direct server counts it.</summary>
    internal void Count(HttpContext httpContext)
    {
        var streams = UpstreamRoutes.StreamNames(httpContext.Request.Path);
        metrics.Connected(streams);
        httpContext.Response.OnCompleted(() =>
        {
            metrics.Disconnected(streams);
            return Task.CompletedTask;
        });
    }

    /// <summary>A stream route must get an event stream (or NDJSON), the spec must be JSON; anything else (an HTML error page behind a 200) is not forwarded as if it were.</summary>
    private static string? WrongContent(HttpRequest request, HttpResponseMessage response)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        if (UpstreamRoutes.IsStream(request.Path))
        {
            return mediaType is "text/event-stream" or "application/json" or "application/x-ndjson"
                ? null
                : $"with Content-Type '{mediaType}', not an event stream";
        }

        return UpstreamRoutes.IsSpec(request) && !mediaType.Contains("json", StringComparison.OrdinalIgnoreCase)
            ? $"with Content-Type '{mediaType}', not an OpenAPI document"
            : null;
    }

    /// <summary>The upstream's own explanation, short and printable: its problem's <c>detail</c> (or <c>title</c>), else the start of its body.</summary>
    private static async Task<string> ReadErrorDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var reason = response.ReasonPhrase ?? "";
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ErrorBodyWait);
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var buffer = new byte[ErrorBodyBytes];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), timeout.Token)) > 0)
            {
                length += read;
            }

            var text = FromJson(buffer.AsSpan(0, length)) ?? Encoding.UTF8.GetString(buffer, 0, length);
            var printable = string.Join(' ', new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]).Split(' ', StringSplitOptions.RemoveEmptyEntries));
            if (printable.Length > ErrorDetailChars)
            {
                printable = printable[..ErrorDetailChars] + "…";
            }

            return printable.Length == 0 ? reason : $"{reason} ({printable})";
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            return reason;
        }
    }

    private static string? FromJson(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            foreach (var name in new[] { "detail", "message", "title" })
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString();
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    [LoggerMessage(LogEventIds.UpstreamAnsweredError, LogLevel.Warning, "Upstream answered {Path} with HTTP {Status}; sent the client: {Detail}")]
    private static partial void LogUpstreamError(ILogger logger, string path, int status, string detail);
}
