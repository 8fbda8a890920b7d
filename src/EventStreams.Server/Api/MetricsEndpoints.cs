using EventStreams.Server.Streaming;
using Prometheus;

namespace EventStreams.Server.Api;

/// <summary><c>GET /metrics</c>: Prometheus text from this server's own registry.</summary>
public static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder endpoints)
    {
        var registry = endpoints.ServiceProvider.GetRequiredService<StreamMetrics>().Registry;
        endpoints.MapMetrics("/metrics", registry);
        return endpoints;
    }
}
