using System.Collections.Concurrent;
using EventStreams.Server.Api;
using EventStreams.Server.Streaming;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Transports;

/// <summary>The optional per-client connection limit (per instance), keyed by a header such as <c>X-Client-IP</c>.</summary>
public sealed class ConnectionLimiter(IOptions<StreamingOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Takes a slot for this request's client, or throws the 429/400 problem. Dispose the result to give it back.</summary>
    public IDisposable? Enter(HttpRequest request)
    {
        var limit = options.Value.MaxConnectionsPerClient;
        if (limit <= 0)
        {
            return null;
        }

        var header = options.Value.ClientIpHeader;
        var key = request.Headers[header].ToString();
        if (string.IsNullOrEmpty(key))
        {
            throw ApiProblemException.MissingClientKey(header);
        }

        var count = _open.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (count > limit)
        {
            Leave(key);
            throw ApiProblemException.TooManyRequests($"At most {limit} concurrent connections per client.");
        }

        return new Slot(this, key);
    }

    private void Leave(string key)
    {
        if (_open.AddOrUpdate(key, 0, (_, n) => n - 1) <= 0)
        {
            _open.TryRemove(new KeyValuePair<string, int>(key, 0));
        }
    }

    private sealed class Slot(ConnectionLimiter owner, string key) : IDisposable
    {
        public void Dispose() => owner.Leave(key);
    }
}
