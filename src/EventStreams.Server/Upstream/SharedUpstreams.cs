using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace EventStreams.Server.Upstream;

/// <summary>
/// Live streams forwarded once. Clients that ask for the same stream path and query with the same <c>Accept</c> and
/// no resume point (no <c>Last-Event-ID</c>, no <c>since</c>) share one upstream request: each run of whole frames read
/// from it is handed to all of them, the same bytes, as the direct server shares one Kafka read and one encoding. Every
/// client joins at a frame boundary, so its first id resumes the upstream subscription after its first event, as a
/// client of its own would. Resuming clients, and any request whose shared upstream did not answer 200 with an event
/// stream, are forwarded on their own by <see cref="UpstreamProxy"/> (which then also gives the upstream's own answer).
/// </summary>
internal sealed partial class SharedUpstreams(
    UpstreamHttpClient client,
    UpstreamTransformer transformer,
    IOptions<UpstreamOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<SharedUpstreams> logger)
{
    private readonly UpstreamHttpClient _client = client;
    private readonly UpstreamTransformer _transformer = transformer;
    private readonly IOptions<UpstreamOptions> _options = options;
    private readonly IHostApplicationLifetime _lifetime = lifetime;
    private readonly ILogger _logger = logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Feed> _feeds = new(StringComparer.Ordinal);

    /// <summary>Whether this request can join a shared upstream stream: a live GET of a stream route.</summary>
    public static bool CanShare(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && UpstreamRoutes.IsStream(request.Path)
        && !request.Headers.ContainsKey("Last-Event-ID") && !request.Query.ContainsKey("since");

    /// <summary>
    /// Serves the client from the shared upstream stream of its request until either ends. Not served when the upstream
    /// answered something else than a 200 event stream (an error status, another content type): nothing was sent, forward
    /// the request on its own for the upstream's own answer. Served with a failure when the upstream could not be asked
    /// (unreachable, TLS refused, no answer in time, not HTTP): nothing was sent, report it.
    /// </summary>
    public async Task<(bool Served, Exception? Failure)> TryServeAsync(HttpContext context)
    {
        var request = context.Request;
        var key = $"{request.Path}{request.QueryString}\n{request.Headers.Accept}";
        var follower = new Follower(context);
        Feed feed;
        var first = false;
        lock (_gate)
        {
            if (!_feeds.TryGetValue(key, out feed!))
            {
                feed = new Feed(this, key);
                _feeds[key] = feed;
                first = true;
            }

            feed.Followers = [.. feed.Followers, follower];
        }

        if (first)
        {
            // Builds the upstream request from this client's before it returns, while this request is surely alive.
            _ = feed.RunAsync(context);
        }

        try
        {
            if (!await feed.Started.WaitAsync(context.RequestAborted))
            {
                return (feed.Failure is not null, feed.Failure);
            }

            await follower.RunAsync(feed, _transformer);
            return (true, null);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return (true, null);
        }
        finally
        {
            Leave(feed, follower);
        }
    }

    private void Leave(Feed feed, Follower follower)
    {
        lock (_gate)
        {
            feed.Followers = Array.FindAll(feed.Followers, f => f != follower);
            if (feed.Followers.Length == 0)
            {
                // The last one left: no one reads this upstream request any more.
                Forget(feed);
                feed.Stop();
            }
        }
    }

    private void Forget(Feed feed)
    {
        lock (_gate)
        {
            if (_feeds.TryGetValue(feed.Key, out var current) && current == feed)
            {
                _feeds.Remove(feed.Key);
            }
        }
    }

    [LoggerMessage(Diagnostics.LogEventIds.UpstreamSharedStreamFailed, LogLevel.Warning, "Shared upstream stream {Path} failed: {Reason}")]
    private static partial void LogFeedFailed(ILogger logger, string path, string reason);

    /// <summary>One upstream request and the clients it serves.</summary>
    private sealed class Feed(SharedUpstreams owner, string key)
    {
        private const int ReadBytes = 64 * 1024;
        private readonly TaskCompletionSource<bool> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(owner._lifetime.ApplicationStopping);

        public string Key { get; } = key;

        /// <summary>The clients; copied on every change (under the owner's lock), read without a lock.</summary>
        public volatile Follower[] Followers = [];

        /// <summary>True once the upstream answered 200 with an event stream; false when it did not.</summary>
        public Task<bool> Started => _started.Task;

        /// <summary>The upstream's response headers to repeat to every client (hop-by-hop and length ones left out).</summary>
        public List<KeyValuePair<string, string[]>> Headers { get; } = [];

        public bool IsSse { get; private set; }

        /// <summary>Why the upstream could not be asked, when it could not (set before <see cref="Started"/> is false).</summary>
        public Exception? Failure { get; private set; }

        public void Stop()
        {
            try
            {
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It had ended already.
            }
        }

        public async Task RunAsync(HttpContext first)
        {
            Exception? failure = null;
            try
            {
                using var response = await SendAsync(first);
                if (response is null)
                {
                    return;
                }

                await using var body = await response.Content.ReadAsStreamAsync(_stop.Token);
                _started.TrySetResult(true);
                await CopyAsync(body);
            }
            catch (Exception e) when (_stop.IsCancellationRequested && e is OperationCanceledException or IOException or HttpRequestException)
            {
                // Stopped: the last client left, or the server is stopping (its clients' streams end, they reconnect with their ids).
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
            {
                failure = e;
                if (Started.IsCompleted)
                {
                    LogFeedFailed(owner._logger, Key.Split('\n')[0], e.GetBaseException().Message);
                }
                else
                {
                    Failure = e;
                }
            }
            finally
            {
                // Not started: its clients are forwarded on their own, nothing was sent to them.
                var started = !_started.TrySetResult(false);
                owner.Forget(this);
                foreach (var follower in started ? Followers : [])
                {
                    follower.End(failure);
                }

                _stop.Dispose();
            }
        }

        /// <summary>The upstream's answer when it is a 200 event stream (or NDJSON), else null.</summary>
        private async Task<HttpResponseMessage?> SendAsync(HttpContext first)
        {
            var settings = owner._options.Value;
            using var request = new HttpRequestMessage(HttpMethod.Get, settings.DestinationPrefix + first.Request.Path + first.Request.QueryString);
            await owner._transformer.TransformRequestAsync(first, request, settings.DestinationPrefix, _stop.Token);
            var response = await owner._client.Invoker.SendAsync(request, _stop.Token);
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (response.StatusCode != System.Net.HttpStatusCode.OK || mediaType is not ("text/event-stream" or "application/json" or "application/x-ndjson"))
            {
                response.Dispose();
                return null;
            }

            IsSse = mediaType == "text/event-stream";
            foreach (var (name, values) in ((IEnumerable<KeyValuePair<string, IEnumerable<string>>>)response.Headers).Concat(response.Content.Headers))
            {
                if (!IsHopOrLength(name))
                {
                    Headers.Add(new(name, [.. values]));
                }
            }

            return response;
        }

        private static bool IsHopOrLength(string name) =>
            name.Equals(HeaderNames.TransferEncoding, StringComparison.OrdinalIgnoreCase) || name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase)
            || name.Equals(HeaderNames.KeepAlive, StringComparison.OrdinalIgnoreCase) || name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)
            || name.Equals(HeaderNames.Date, StringComparison.OrdinalIgnoreCase) || name.Equals(HeaderNames.Server, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// Reads the upstream body and hands every run of whole frames (SSE: up to a blank line; NDJSON: a line) to all
        /// clients; the upstream's own <c>:ok</c> is left out (each client got its own when it joined).
        /// </summary>
        private async Task CopyAsync(Stream body)
        {
            var idle = owner._options.Value.IdleTimeoutSeconds > 0 ? TimeSpan.FromSeconds(owner._options.Value.IdleTimeoutSeconds) : Timeout.InfiniteTimeSpan;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var end = IsSse ? "\n\n"u8.ToArray() : "\n"u8.ToArray();
            var pending = new byte[ReadBytes];
            var length = 0;
            var first = IsSse;
            while (true)
            {
                if (length == pending.Length)
                {
                    Array.Resize(ref pending, pending.Length * 2);
                }

                timeout.CancelAfter(idle);
                var read = await body.ReadAsync(pending.AsMemory(length), timeout.Token);
                if (read == 0)
                {
                    return;
                }

                // Only the new bytes (and the end marker's first byte before them) can complete a frame.
                var searchFrom = Math.Max(0, length - (end.Length - 1));
                length += read;
                var last = pending.AsSpan(searchFrom, length - searchFrom).LastIndexOf(end);
                if (last < 0)
                {
                    continue;
                }

                var whole = searchFrom + last + end.Length;
                var skip = first && pending.AsSpan(0, whole).StartsWith(":ok\n\n"u8) ? 5 : 0;
                first = false;
                if (whole > skip)
                {
                    Broadcast(pending.AsSpan(skip, whole - skip).ToArray());
                }

                pending.AsSpan(whole, length - whole).CopyTo(pending);
                length -= whole;
            }
        }

        private void Broadcast(byte[] frames)
        {
            foreach (var follower in Followers)
            {
                follower.Offer(frames);
            }
        }
    }

    /// <summary>One client of a shared upstream stream: its queue of the shared bytes, drained then flushed by its request.</summary>
    private sealed class Follower(HttpContext context)
    {
        // Frames runs, not events: at 64 KB a read that is far more than any client can fall behind by while still reading.
        private const int QueueRuns = 1024;
        private const int FlushBytes = 64 * 1024;
        private static readonly byte[] Ok = ":ok\n\n"u8.ToArray();

        private readonly Channel<byte[]> _queue = Channel.CreateBounded<byte[]>(
            new BoundedChannelOptions(QueueRuns) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

        /// <summary>Queues the bytes; a client that fell a whole queue behind is cut (it reconnects with its id, and resumes on its own).</summary>
        public void Offer(byte[] frames)
        {
            if (!_queue.Writer.TryWrite(frames))
            {
                End(new IOException("the client fell behind the shared upstream stream"));
            }
        }

        /// <summary>The upstream stream ended: cleanly (the client's response ends too), or not (its connection is cut).</summary>
        public void End(Exception? failure)
        {
            if (_queue.Writer.TryComplete(failure is null ? null : new ChannelClosedException(failure)) && failure is not null)
            {
                context.Abort();
            }
        }

        public async Task RunAsync(Feed feed, UpstreamTransformer transformer)
        {
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            foreach (var (name, values) in feed.Headers)
            {
                response.Headers[name] = values;
            }

            context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
            transformer.Count(context);
            var output = response.BodyWriter;
            var aborted = context.RequestAborted;
            if (feed.IsSse)
            {
                output.Write(Ok);
            }

            await output.FlushAsync(aborted);
            var reader = _queue.Reader;
            try
            {
                while (await reader.WaitToReadAsync(aborted))
                {
                    while (output.UnflushedBytes < FlushBytes && reader.TryRead(out var frames))
                    {
                        output.Write(frames);
                    }

                    if ((await output.FlushAsync(aborted)).IsCompleted)
                    {
                        return;
                    }
                }
            }
            catch (ChannelClosedException)
            {
                // The upstream stream failed, or this client fell behind: End cut the connection.
            }
        }
    }
}
