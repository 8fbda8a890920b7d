using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace EventStreams.IntegrationTests;

/// <summary>A stream request as the server received it (<paramref name="AcceptEncoding"/>: the client's header).</summary>
public sealed record StreamRequest(string Path, string? LastEventId, string? AcceptEncoding = null);

/// <summary>
/// Test-only middleware (added through an <see cref="IStartupFilter"/>, ahead of the server's own pipeline) that records
/// every <c>/v2/stream</c> request and can cut all open ones, as a proxy restart or a network failure would.
/// </summary>
public sealed class StreamConnectionTracker : IStartupFilter
{
    private readonly ConcurrentDictionary<HttpContext, byte> _open = new();
    private readonly Channel<StreamRequest> _requests = Channel.CreateUnbounded<StreamRequest>();

    /// <summary>Stream requests in arrival order.</summary>
    public ChannelReader<StreamRequest> Requests => _requests.Reader;

    public int OpenCount => _open.Count;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (!context.Request.Path.StartsWithSegments("/v2/stream", StringComparison.Ordinal))
            {
                await nextMiddleware(context);
                return;
            }

            var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
            _requests.Writer.TryWrite(new StreamRequest(context.Request.Path + context.Request.QueryString, lastEventId.Length > 0 ? lastEventId : null, context.Request.Headers.AcceptEncoding.ToString()));
            _open[context] = 0;
            try
            {
                await nextMiddleware(context);
            }
            finally
            {
                _open.TryRemove(context, out _);
            }
        });
        next(app);
    };

    /// <summary>Aborts every open stream connection (the client sees its connection drop mid-stream); returns how many.</summary>
    public int AbortAll()
    {
        var aborted = 0;
        foreach (var context in _open.Keys)
        {
            context.Abort();
            aborted++;
        }

        return aborted;
    }
}
