using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventStreams.Server.Health;

/// <summary>Unready from the moment the instance begins to stop, so that load balancers send new clients elsewhere first.</summary>
internal sealed class ShutdownHealthCheck(ShutdownDrain drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(drain.IsDraining ? HealthCheckResult.Unhealthy("Stopping: streams are sent to other instances.") : HealthCheckResult.Healthy("Running."));
}
