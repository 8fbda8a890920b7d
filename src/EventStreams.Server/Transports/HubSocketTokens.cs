using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Transports;

/// <summary>
/// The connection tokens SignalR's <c>/negotiate</c> hands out, so that a WebSocket opened with one is answered as SignalR
/// would: taken once (then served by <see cref="HubSocketEndpoint"/>), <c>409</c> while its connection is open, <c>404</c>
/// after it ended or once it expired unused. A token never negotiated is SignalR's to refuse. A token is kept only as
/// long as SignalR keeps the unused connection it made for it (<see cref="ConnectionOptions.DisconnectTimeout"/>), or
/// while its connection is open: the table is bounded by the rate of negotiations, as SignalR's own is.
/// </summary>
internal sealed class HubSocketTokens(TimeProvider time, IOptions<ConnectionOptions> options)
{
    private static readonly TimeSpan DefaultDisconnectTimeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, Token> _tokens = new(StringComparer.Ordinal);
    private readonly TimeSpan _lifetime = options.Value.DisconnectTimeout ?? DefaultDisconnectTimeout;

    public enum Use
    {
        /// <summary>Not negotiated here: SignalR answers.</summary>
        Unknown,

        /// <summary>Taken: the caller serves the connection and calls <see cref="End"/>.</summary>
        Taken,

        /// <summary>Its connection is open: <c>409</c>.</summary>
        InUse,

        /// <summary>Its connection ended, or it expired unused: <c>404</c>.</summary>
        Gone,
    }

    public int Count => _tokens.Count;

    /// <summary>Lets SignalR answer a negotiation, and keeps the token it handed out.</summary>
    public async Task NegotiateAsync(HttpContext context, RequestDelegate next)
    {
        var body = context.Response.Body;
        using var answer = new MemoryStream();
        context.Response.Body = answer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }

        if (context.Response.StatusCode == StatusCodes.Status200OK && TokenOf(answer.GetBuffer().AsSpan(0, (int)answer.Length)) is { } token)
        {
            _tokens[token] = new Token(time.GetUtcNow() + _lifetime);
        }

        answer.Position = 0;
        await answer.CopyToAsync(body, context.RequestAborted);
    }

    public Use Take(string token)
    {
        if (!_tokens.TryGetValue(token, out var entry))
        {
            return Use.Unknown;
        }

        lock (entry)
        {
            if (entry.State == State.Negotiated && entry.Expires <= time.GetUtcNow())
            {
                entry.State = State.Ended;
            }

            switch (entry.State)
            {
                case State.Negotiated:
                    entry.State = State.Active;
                    return Use.Taken;
                case State.Active:
                    return Use.InUse;
                default:
                    return Use.Gone;
            }
        }
    }

    /// <summary>Its connection ended: refused (<c>404</c>) until SignalR has dropped its unused connection too.</summary>
    public void End(string token)
    {
        if (_tokens.TryGetValue(token, out var entry))
        {
            lock (entry)
            {
                entry.State = State.Ended;
            }
        }
    }

    /// <summary>Forgets the tokens SignalR has forgotten (once a second, from <see cref="HubSocketConnections"/>).</summary>
    public void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (token, entry) in _tokens)
        {
            lock (entry)
            {
                if (entry.State != State.Active && entry.Expires <= now)
                {
                    _tokens.TryRemove(token, out _);
                }
            }
        }
    }

    /// <summary>
    /// SignalR writes the 404 itself in plain text, without a content type; the 409 empty, as <c>text/plain</c>.
    /// </summary>
    public static Task RefuseAsync(HttpContext context, Use use)
    {
        if (use == Use.InUse)
        {
            context.Response.StatusCode = StatusCodes.Status409Conflict;
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = 0;
            return Task.CompletedTask;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return context.Response.WriteAsync("No Connection with that ID");
    }

    /// <summary>The token a client connects with: <c>connectionToken</c> (negotiate version 1), else <c>connectionId</c>.</summary>
    private static string? TokenOf(ReadOnlySpan<byte> negotiation)
    {
        try
        {
            var reader = new Utf8JsonReader(negotiation);
            string? id = null;
            string? token = null;
            while (reader.Read())
            {
                if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString();
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && name is "connectionId" or "connectionToken")
                    {
                        (name == "connectionId" ? ref id : ref token) = reader.GetString();
                    }
                }
            }

            return token ?? id;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private enum State
    {
        Negotiated,
        Active,
        Ended,
    }

    private sealed class Token(DateTimeOffset expires)
    {
        public State State { get; set; }

        public DateTimeOffset Expires { get; } = expires;
    }
}
