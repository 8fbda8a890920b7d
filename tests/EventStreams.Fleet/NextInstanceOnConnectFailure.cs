using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace EventStreams.Fleet;

/// <summary>
/// A request whose instance refused the connection goes to the next available instance, as nginx does by default
/// (<c>proxy_next_upstream error</c>) and Envoy with <c>retry_on: connect-failure</c>: nothing was sent, so trying
/// elsewhere is safe, and the client never sees the <c>502</c> that a browser's EventSource gives up on. That happens when a
/// port closes (a stopped instance) before the health checks took it out of rotation.
/// </summary>
internal static class NextInstanceOnConnectFailure
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next, ClientRoutes routes, FleetLog log)
    {
        var proxy = context.GetReverseProxyFeature();
        var candidates = proxy.AvailableDestinations;
        while (true)
        {
            await next();
            if (context.Features.Get<IForwarderErrorFeature>() is not { } failed || !ReadinessHealthPolicy.IsRefused(failed.Exception)
                || context.Response.HasStarted || proxy.ProxiedDestination is not { } refused)
            {
                return;
            }

            candidates = [.. candidates.Where(d => d != refused)];
            if (candidates.Count == 0)
            {
                return;
            }

            log.Add($"balancer: {refused.DestinationId} refused {context.Request.Path}; sent to another instance");
            if (ClientRoutes.ClientOf(context) is { } client)
            {
                routes.Unrecord(client);
            }

            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
            proxy.AvailableDestinations = candidates;
        }
    }
}
