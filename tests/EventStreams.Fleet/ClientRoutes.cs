using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace EventStreams.Fleet;

/// <summary>
/// What the balancer knows about clients: which instance served each of a client's streams, in order, and the streams it
/// is forwarding now (to cut one). A client says who it is with header <see cref="ClientHeader"/>, or
/// <see cref="ClientQuery"/> on a WebSocket's URL.
/// </summary>
public sealed class ClientRoutes
{
    public const string ClientHeader = "X-Fleet-Client";
    public const string ClientQuery = "fleet_client";

    private readonly ConcurrentDictionary<string, List<string>> _served = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<HttpContext, string> _live = new();

    public static string? ClientOf(HttpContext context) =>
        context.Request.Headers[ClientHeader].FirstOrDefault() ?? context.Request.Query[ClientQuery].FirstOrDefault();

    /// <summary>The instances that served <paramref name="client"/>'s streams, in order.</summary>
    public IReadOnlyList<string> Served(string client)
    {
        if (!_served.TryGetValue(client, out var served))
        {
            return [];
        }

        lock (served)
        {
            return [.. served];
        }
    }

    public int Live => _live.Count;

    /// <summary>Clients with a request being forwarded now (a stream, or one on its way).</summary>
    public int LiveClients => _live.Values.Distinct(StringComparer.Ordinal).Count();

    internal string? Last(string client)
    {
        if (!_served.TryGetValue(client, out var served))
        {
            return null;
        }

        lock (served)
        {
            return served.Count > 0 ? served[^1] : null;
        }
    }

    internal void Record(string client, string destination)
    {
        var served = _served.GetOrAdd(client, _ => []);
        lock (served)
        {
            served.Add(destination);
        }
    }

    /// <summary>Takes back the last <see cref="Record"/>: that instance refused the connection, another one serves the stream.</summary>
    internal void Unrecord(string client)
    {
        if (_served.TryGetValue(client, out var served))
        {
            lock (served)
            {
                served.RemoveAt(served.Count - 1);
            }
        }
    }

    internal IDisposable Track(HttpContext context, string client)
    {
        _live[context] = client;
        return new Untrack(_live, context);
    }

    /// <summary>Cuts one of the streams being forwarded, chosen at random; returns its client, or null when none runs.</summary>
    public string? CutOne(Random random)
    {
        var live = _live.ToArray();
        if (live.Length == 0)
        {
            return null;
        }

        var (context, client) = live[random.Next(live.Length)];
        // Out of the live set at once, so that a stream is cut once however long its end takes: one cut, one reconnect.
        if (!_live.TryRemove(context, out _))
        {
            return null;
        }

        context.Abort();
        return client;
    }

    private sealed class Untrack(ConcurrentDictionary<HttpContext, string> live, HttpContext context) : IDisposable
    {
        public void Dispose() => live.TryRemove(context, out _);
    }
}
