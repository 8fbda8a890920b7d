using System.Collections.Concurrent;
using System.Net;
using EventStreams.Server.Problems;
using EventStreams.Server.Streaming;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Transports;

/// <summary>
/// The optional per-client connection limit (per instance). The client is the <c>Streaming:ClientIpHeader</c> header
/// when the request comes from a trusted proxy (<c>ForwardedHeaders:TrustedProxies</c>), otherwise the remote address
/// (after trusted <c>X-Forwarded-For</c>): a client cannot pick its own key.
/// </summary>
internal sealed class ConnectionLimiter(IOptions<StreamingOptions> options, IOptions<TrustedProxyOptions> proxies, TimeProvider time)
{
    /// <summary>
    /// How long a request over the limit waits for one of its client's slots to come back before its 429. A client that
    /// closes a stream and reconnects at once is often faster than the server noticing the close (287 of 1,000 quick
    /// reconnects were refused without this wait); a client really over the limit gets its 429 this much later.
    /// </summary>
    public static readonly TimeSpan ReleaseGrace = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IReadOnlyList<IPNetwork> _trusted = proxies.Value.Networks();

    /// <summary>
    /// Takes a slot for this request's client, waiting up to <see cref="ReleaseGrace"/> for one to come back, or throws
    /// the 429/400 problem. Dispose the result to give it back.
    /// </summary>
    public async ValueTask<IDisposable?> EnterAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxConnectionsPerClient;
        if (limit <= 0)
        {
            return null;
        }

        var key = KeyOf(request);
        var waited = time.GetTimestamp();
        while (!TryTake(key, limit))
        {
            var left = ReleaseGrace - time.GetElapsedTime(waited);
            if (left <= TimeSpan.Zero)
            {
                throw ApiProblemException.TooManyRequests($"At most {limit} concurrent connections per client.");
            }

            try
            {
                await Volatile.Read(ref _released).Task.WaitAsync(left, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Checked once more above, then refused.
            }
        }

        return NewSlot(request, key);
    }

    /// <summary>As <see cref="EnterAsync"/> without the wait.</summary>
    public IDisposable? Enter(HttpRequest request)
    {
        var limit = options.Value.MaxConnectionsPerClient;
        if (limit <= 0)
        {
            return null;
        }

        var key = KeyOf(request);
        return TryTake(key, limit) ? NewSlot(request, key) : throw ApiProblemException.TooManyRequests($"At most {limit} concurrent connections per client.");
    }

    private bool TryTake(string key, int limit)
    {
        if (_open.AddOrUpdate(key, 1, (_, n) => n + 1) <= limit)
        {
            return true;
        }

        Decrement(key);
        return false;
    }

    private LimitSlot NewSlot(HttpRequest request, string key)
    {
        // Given back the moment the server learns the connection is gone, not when the stream has unwound: a client
        // that closes and reconnects at once must not find its old slot still taken.
        var slot = new LimitSlot(this, key);
        slot.ReleaseOn(request.HttpContext.RequestAborted);
        return slot;
    }

    private string KeyOf(HttpRequest request)
    {
        if (TrustedProxies.FromTrustedProxy(request.HttpContext, _trusted))
        {
            var header = options.Value.ClientIpHeader;
            var value = request.Headers[header].ToString();
            return string.IsNullOrEmpty(value) ? throw ApiProblemException.MissingClientKey(header) : value;
        }

        var remote = request.HttpContext.Connection.RemoteIpAddress;
        return (remote is { IsIPv4MappedToIPv6: true } ? remote.MapToIPv4() : remote)?.ToString() ?? "";
    }

    private void Leave(string key)
    {
        Decrement(key);

        // Wake whoever waits for a slot (they check their own key again).
        Interlocked.Exchange(ref _released, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private void Decrement(string key)
    {
        if (_open.AddOrUpdate(key, 0, (_, n) => n - 1) <= 0)
        {
            _open.TryRemove(new KeyValuePair<string, int>(key, 0));
        }
    }

    private sealed class LimitSlot(ConnectionLimiter owner, string key) : IDisposable
    {
        private CancellationTokenRegistration _aborted;
        private int _released;

        public void ReleaseOn(CancellationToken aborted) =>
            _aborted = aborted.UnsafeRegister(static state => ((LimitSlot)state!).Release(), this);

        public void Dispose()
        {
            _aborted.Dispose();
            Release();
        }

        private void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Leave(key);
            }
        }
    }
}
