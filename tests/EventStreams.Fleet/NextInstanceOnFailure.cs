using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace EventStreams.Fleet;

/// <summary>
/// A GET whose forward failed before the instance answered (the connection was refused, reset or timed out) goes to the
/// next available instance, as nginx does by default (<c>proxy_next_upstream error timeout</c>) and Envoy with
/// <c>retry_on: connect-failure,reset</c>: a stream request changes nothing, so trying elsewhere is safe, and the client
/// never sees the <c>502</c> or <c>504</c> that a browser's EventSource gives up on. That happens when a port closes (a
/// stopped instance) before the health checks took it out of rotation, or when an instance is too busy to accept.
/// </summary>
internal static class NextInstanceOnFailure
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next, ClientRoutes routes, FleetLog log)
    {
        var proxy = context.GetReverseProxyFeature();
        var candidates = proxy.AvailableDestinations;
        while (true)
        {
            await next();
            if (context.Features.Get<IForwarderErrorFeature>() is not { Error: ForwarderError.Request or ForwarderError.RequestTimedOut } failed
                || !HttpMethods.IsGet(context.Request.Method) || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested
                || proxy.ProxiedDestination is not { } failedOn)
            {
                return;
            }

            candidates = [.. candidates.Where(d => d != failedOn)];
            if (candidates.Count == 0)
            {
                return;
            }

            log.Add($"balancer: {context.Request.Path} to {failedOn.DestinationId} failed ({failed.Error}: {failed.Exception?.Message}); sent to another instance");
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
