using EventStreams.Server.Problems;
using EventStreams.Server.Routes;
using Microsoft.AspNetCore.Http.Features;

namespace EventStreams.Server.Transports;

/// <summary>
/// Answers requests to <c>/v2/hub</c> that SignalR would refuse in plain text with the JSON problem body every other
/// route gives: a negotiate that is not a POST (405), a method SignalR has no use for (405), a transport request
/// without its connection id (400).
/// </summary>
internal static class HubRequestGuard
{
    private static readonly string[] ConnectionMethods = [HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete];

    public static IApplicationBuilder UseHubRequestGuard(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        var request = context.Request;
        // A CORS preflight is the CORS middleware's to answer.
        if (!request.Path.StartsWithSegments(ApiRoutes.Hub, out var rest) || (HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey("Access-Control-Request-Method")))
        {
            return next(context);
        }

        var problem = rest.Value switch
        {
            "/negotiate" when !HttpMethods.IsPost(request.Method) => NotAllowed(context, request, HttpMethods.Post),
            "" or "/" when !ConnectionMethods.Contains(request.Method, StringComparer.OrdinalIgnoreCase) => NotAllowed(context, request, ConnectionMethods),
            "" or "/" when !request.Query.ContainsKey("id") && !IsWebSocketUpgrade(context) =>
                new ApiProblemException(400, "connection_id_required", "Connection ID Required", $"{request.Method} {ApiRoutes.Hub} needs the id that {ApiRoutes.Hub}/negotiate returned."),
            _ => null,
        };
        return problem is null ? next(context) : problem.ToResult().ExecuteAsync(context);
    });

    /// <summary>
    /// A client that skips negotiation opens the WebSocket with no connection id. <c>context.WebSockets</c> cannot tell here:
    /// SignalR adds the WebSockets middleware only inside its own endpoint, after this guard.
    /// </summary>
    private static bool IsWebSocketUpgrade(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) && context.Request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase))
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;

    private static ApiProblemException NotAllowed(HttpContext context, HttpRequest request, params string[] allowed)
    {
        context.Response.Headers.Allow = string.Join(", ", allowed);
        return new ApiProblemException(405, "method_not_allowed", "Method Not Allowed", $"{request.Method} {request.Path}: Method Not Allowed.");
    }
}
