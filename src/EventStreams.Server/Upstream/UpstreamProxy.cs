using EventStreams.Server.Diagnostics;
using EventStreams.Server.Problems;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace EventStreams.Server.Upstream;

/// <summary>
/// Forwards one request with YARP's <see cref="IHttpForwarder"/>: the response is copied as it arrives (no buffering),
/// the client's disconnect cancels the upstream request (YARP links it to <c>RequestAborted</c>), and a failure before
/// the response started becomes this server's JSON problem body. A failure after it started cuts the client's connection,
/// so that an EventSource reconnects with its last id rather than taking a truncated stream for a complete one.
/// Live streams are first offered to <see cref="SharedUpstreams"/>: one upstream request per stream, query and format.
/// </summary>
internal sealed partial class UpstreamProxy(
    IHttpForwarder forwarder,
    UpstreamHttpClient client,
    UpstreamTransformer transformer,
    SharedUpstreams shared,
    UpstreamCertificateValidator certificates,
    ConnectionLimiter limiter,
    IOptions<UpstreamOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<UpstreamProxy> logger)
{
    private readonly ForwarderRequestConfig _config = new()
    {
        ActivityTimeout = options.Value.IdleTimeoutSeconds > 0 ? TimeSpan.FromSeconds(options.Value.IdleTimeoutSeconds) : Timeout.InfiniteTimeSpan,
    };

    private int _active;

    public async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        var settings = options.Value;
        IDisposable? slot = null;
        var counted = false;
        try
        {
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            {
                throw UpstreamProblems.MethodNotAllowed(request.Method);
            }

            if (UpstreamRoutes.IsStream(request.Path))
            {
                slot = limiter.Enter(request);
            }

            counted = true;
            if (Interlocked.Increment(ref _active) > settings.MaxConcurrentRequests)
            {
                throw UpstreamProblems.Busy(settings.MaxConcurrentRequests);
            }

            // The forwarded status is the upstream's; this server's "problem for an empty error status" must not rewrite it.
            if (context.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
            {
                statusPages.Enabled = false;
            }

            // Live streams share one upstream request per stream, query and format; anything else goes on its own.
            if (SharedUpstreams.CanShare(request) && await shared.TryServeAsync(context) is var (served, failure) && served)
            {
                if (failure is not null)
                {
                    await ReportAsync(context, ForwarderError.Request, failure);
                }

                return;
            }

            // Stopping ends forwarded streams at once (their clients reconnect elsewhere with their last id) rather than
            // holding the shutdown for its whole timeout.
            var error = await forwarder.SendAsync(context, settings.DestinationPrefix, client.Invoker, _config, transformer, lifetime.ApplicationStopping);
            if (error != ForwarderError.None)
            {
                await ReportAsync(context, error, context.Features.Get<IForwarderErrorFeature>()?.Exception);
            }
        }
        catch (ApiProblemException problem) when (!context.Response.HasStarted)
        {
            await problem.ToResult().ExecuteAsync(context);
        }
        finally
        {
            if (counted)
            {
                Interlocked.Decrement(ref _active);
            }

            slot?.Dispose();
        }
    }

    private async Task ReportAsync(HttpContext context, ForwarderError error, Exception? exception)
    {
        if (context.RequestAborted.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested || error is ForwarderError.RequestCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient)
        {
            // The client left: nothing to tell it, and YARP already let go of the upstream request.
            return;
        }

        LogForwardFailed(logger, context.Request.Path, error, exception?.GetBaseException().Message ?? "");
        if (context.Response.HasStarted)
        {
            return;
        }

        var upstream = options.Value.DestinationPrefix;
        var problem = IsTimeout(exception, error)
            ? UpstreamProblems.Timeout(upstream, Describe(exception))
            : UpstreamProblems.Unreachable(upstream, IsTls(exception) && certificates.LastRefusal is { } refusal ? refusal : Describe(exception));
        context.Response.Clear();
        await problem.ToResult().ExecuteAsync(context);
    }

    private static bool IsTimeout(Exception? exception, ForwarderError error) =>
        error == ForwarderError.RequestTimedOut || Chain(exception).Any(e => e is TimeoutException);

    private static bool IsTls(Exception? exception) => Chain(exception).Any(e => e is System.Security.Authentication.AuthenticationException);

    /// <summary>The messages of the exception chain, each once (socket errors repeat themselves down the chain).</summary>
    private static string Describe(Exception? exception)
    {
        var parts = new List<string>();
        foreach (var message in Chain(exception).Select(e => e.Message.TrimEnd('.')))
        {
            if (!parts.Any(p => p.Contains(message, StringComparison.Ordinal)))
            {
                parts.Add(message);
            }
        }

        return parts.Count == 0 ? "no response" : string.Join(": ", parts);
    }

    private static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    [LoggerMessage(LogEventIds.UpstreamForwardFailed, LogLevel.Warning, "Forwarding {Path} upstream failed ({Error}): {Reason}")]
    private static partial void LogForwardFailed(ILogger logger, string path, ForwarderError error, string reason);
}
