using System.Globalization;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventStreams.Server.Health;

/// <summary>Ready while the shared reader's loop keeps going round (it polls every few milliseconds, busy or idle).</summary>
internal sealed class ReaderHealthCheck(SharedPartitionReader reader, TimeProvider time) : IHealthCheck
{
    internal static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(30);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var since = time.GetElapsedTime(reader.LastLoopTimestamp);
        return Task.FromResult(since < StuckAfter
            ? HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"{reader.ActivePartitions} partitions read."))
            : HealthCheckResult.Unhealthy(string.Create(CultureInfo.InvariantCulture, $"The shared reader has not gone round for {since.TotalSeconds:0} s.")));
    }
}
