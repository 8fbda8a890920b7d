using EventStreams.Server.Catalog;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventStreams.Server.Health;

/// <summary>Ready once a catalogue is loaded; a failing reload only degrades (the last good catalogue still serves).</summary>
internal sealed class CatalogHealthCheck(StreamCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(catalog switch
        {
            { IsLoaded: false } => HealthCheckResult.Unhealthy("No stream catalogue loaded yet."),
            { LastReloadError: { } error } => HealthCheckResult.Degraded($"Serving {catalog.Current.Streams.Count} streams; the latest reload failed: {error}"),
            _ => HealthCheckResult.Healthy($"{catalog.Current.Streams.Count} streams from {catalog.Current.Source}."),
        });
}
