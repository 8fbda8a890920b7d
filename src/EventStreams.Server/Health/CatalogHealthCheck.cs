using EventStreams.Server.Catalog;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventStreams.Server.Health;

/// <summary>
/// Ready once a catalogue is loaded; a failing reload only degrades (the last good catalogue still serves). Where the
/// config comes from and why a reload failed are <see cref="HealthDetail"/>, not for the public port.
/// </summary>
internal sealed class CatalogHealthCheck(StreamCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(catalog switch
        {
            { IsLoaded: false } => HealthCheckResult.Unhealthy("No stream catalogue loaded yet."),
            { LastReloadError: { } error } => HealthCheckResult.Degraded(
                $"Serving {catalog.Current.Streams.Count} streams; the latest reload failed.", data: HealthDetail.Of(("source", catalog.Current.Source), ("error", error))),
            _ => HealthCheckResult.Healthy($"{catalog.Current.Streams.Count} streams.", data: HealthDetail.Of(("source", catalog.Current.Source))),
        });
}
