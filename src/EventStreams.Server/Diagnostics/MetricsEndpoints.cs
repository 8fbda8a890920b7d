using EventStreams.Server.Routes;
using Microsoft.Extensions.Options;
using Prometheus;

namespace EventStreams.Server.Diagnostics;

/// <summary><c>GET /metrics</c>: Prometheus text from this server's own registry, on the public port unless <c>Metrics:Port</c> moves it.</summary>
internal static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value.Port == 0)
        {
            MapGetOnly(endpoints, endpoints.ServiceProvider.GetRequiredService<StreamMetrics>().Registry);
        }

        return endpoints;
    }

    /// <summary>Only GET and HEAD: any other method is a 405 problem body.</summary>
    internal static void MapGetOnly(IEndpointRouteBuilder endpoints, CollectorRegistry registry) =>
        endpoints.MapMetrics(ApiRoutes.Metrics, registry).WithMetadata(new HttpMethodMetadata(ApiRoutes.GetAndHead));
}
