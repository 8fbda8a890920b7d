using System.Collections.Concurrent;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Routes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Transports;

/// <summary>
/// Accepts the hub's WebSockets itself (HTTP/1.1 upgrades of <c>/v2/hub</c>, negotiated or not) and runs SignalR's hub
/// on them through <see cref="HubSocketConnection"/>. Negotiation (the tokens it hands out kept in
/// <see cref="HubSocketTokens"/>), SignalR's other transports and WebSockets over HTTP/2 stay with SignalR.
/// <c>SignalR:DirectWebSockets=false</c> leaves every request to SignalR.
/// </summary>
/// <remarks>
/// SignalR's connection made by <c>/negotiate</c> for a token served here is left unused, and SignalR drops it as it
/// drops any negotiated connection that never starts (after its disconnect timeout).
/// </remarks>
internal static class HubSocketEndpoint
{
    public const string Setting = "SignalR:DirectWebSockets";

    public static IApplicationBuilder UseHubSockets(this IApplicationBuilder app)
    {
        if (!app.ApplicationServices.GetRequiredService<IConfiguration>().GetValue(Setting, true))
        {
            return app;
        }

        var hub = app.ApplicationServices.GetRequiredService<HubConnectionHandler<StreamHub>>();
        var connections = app.ApplicationServices.GetRequiredService<HubSocketConnections>();
        var tokens = connections.Tokens;
        return app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (HttpMethods.IsPost(request.Method) && request.Path == ApiRoutes.Hub + "/negotiate")
            {
                await tokens.NegotiateAsync(context, next);
                return;
            }

            if (!IsHubWebSocket(context))
            {
                await next(context);
                return;
            }

            if (request.Query["id"].ToString() is not { Length: > 0 } token)
            {
                await connections.RunAsync(context, hub);
                return;
            }

            switch (tokens.Take(token))
            {
                case HubSocketTokens.Use.Unknown:
                    await next(context);
                    break;
                case HubSocketTokens.Use.Taken:
                    try
                    {
                        await connections.RunAsync(context, hub);
                    }
                    finally
                    {
                        tokens.End(token);
                    }

                    break;
                case var refused:
                    await HubSocketTokens.RefuseAsync(context, refused);
                    break;
            }
        });
    }

    /// <summary>A well-formed WebSocket request of the hub; anything else is SignalR's to answer, as before.</summary>
    private static bool IsHubWebSocket(HttpContext context)
    {
        var request = context.Request;
        return HttpMethods.IsGet(request.Method)
            && (request.Path == ApiRoutes.Hub || request.Path == ApiRoutes.Hub + "/")
            && context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
            && request.Headers.Upgrade.ToString().Equals("websocket", StringComparison.OrdinalIgnoreCase)
            && request.Headers.SecWebSocketVersion == "13"
            && HubSocketFrames.IsValidKey(request.Headers.SecWebSocketKey.ToString());
    }
}

/// <summary>
/// The hub connections <see cref="HubSocketEndpoint"/> accepted: one timer ticks SignalR's heartbeat on each (keep-alive
/// pings, client timeout) once a second, as SignalR's connection manager does for its own (and forgets expired
/// <see cref="HubSocketTokens"/>), and a stopping server closes them as SignalR closes its own.
/// </summary>
internal sealed partial class HubSocketConnections : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<HubSocketConnection, byte> _live = new();
    private readonly ITimer _timer;
    private readonly CancellationTokenRegistration _stopping;
    private readonly StreamMetrics _metrics;
    private readonly ILogger _logger;

    public HubSocketConnections(
        StalledWrites stalls,
        HubStreams hubStreams,
        HubSocketTokens tokens,
        IHubProtocolResolver protocols,
        IOptions<HubOptions<StreamHub>> hubOptions,
        IOptions<HubOptions> options,
        IHostApplicationLifetime lifetime,
        TimeProvider time,
        StreamMetrics metrics,
        ILogger<HubSocketConnections> logger)
    {
        _metrics = metrics;
        _logger = logger;
        Stalls = stalls;
        HubStreams = hubStreams;
        Tokens = tokens;
        Protocols = protocols;
        SupportedProtocols = (hubOptions.Value.SupportedProtocols ?? options.Value.SupportedProtocols)?.ToArray();
        MaxMessageSize = hubOptions.Value.MaximumReceiveMessageSize ?? options.Value.MaximumReceiveMessageSize;
        // A frame is read whole: it may hold a few messages of the largest size the hub accepts (a longer one is refused
        // by the hub, which closes the connection); one longer still closes the WebSocket with 1009.
        MaxFramePayload = Math.Max((MaxMessageSize ?? 256 * 1024) * 4, 128 * 1024);
        _timer = time.CreateTimer(static self => ((HubSocketConnections)self!).TickAll(), this, Tick, Tick);
        _stopping = lifetime.ApplicationStopping.Register(static self => ((HubSocketConnections)self!).CloseAll(), this);
    }

    public StalledWrites Stalls { get; }

    public HubSocketTokens Tokens { get; }

    public HubStreams HubStreams { get; }

    public IHubProtocolResolver Protocols { get; }

    public IReadOnlyList<string>? SupportedProtocols { get; }

    /// <summary>The hub's <c>MaximumReceiveMessageSize</c> (<c>null</c>: none).</summary>
    public long? MaxMessageSize { get; }

    public long MaxFramePayload { get; }

    public int Count => _live.Count;

    public async Task RunAsync(HttpContext context, HubConnectionHandler<StreamHub> hub)
    {
        var key = context.Request.Headers.SecWebSocketKey.ToString();
        context.Response.StatusCode = StatusCodes.Status101SwitchingProtocols;
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers.SecWebSocketAccept = HubSocketFrames.AcceptKey(key);
        var socket = await context.Features.GetRequiredFeature<IHttpUpgradeFeature>().UpgradeAsync();
        var connection = new HubSocketConnection(context, socket, this);
        _live.TryAdd(connection, 0);
        try
        {
            await connection.RunAsync(hub);
        }
        finally
        {
            _live.TryRemove(connection, out _);
            await connection.DisposeAsync();
        }
    }

    /// <summary>A client that took nothing for <see cref="StalledWrites.Stall"/> was cut off: counted and logged as an SSE client is.</summary>
    public void Stalled(HttpContext context)
    {
        _metrics.Dropped("stalled");
        LogStalled(_logger, context.Connection.RemoteIpAddress?.ToString(), Stalls.Stall.TotalSeconds);
    }

    public void Dispose()
    {
        _timer.Dispose();
        _stopping.Dispose();
    }

    private void TickAll()
    {
        foreach (var connection in _live.Keys)
        {
            connection.TickHeartbeat();
        }

        Tokens.Sweep();
    }

    private void CloseAll()
    {
        foreach (var connection in _live.Keys)
        {
            connection.Close();
        }
    }

    [LoggerMessage(LogEventIds.HubClientStalled, LogLevel.Information, "Disconnected hub client {Remote}: it accepted no data for {Seconds} s")]
    private static partial void LogStalled(ILogger logger, string? remote, double seconds);
}
