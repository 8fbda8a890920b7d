using System.Globalization;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventStreams.Server.Health;

/// <summary>Ready while the cluster answers <see cref="KafkaHealth"/>'s metadata probe. librdkafka's reason names brokers: <see cref="HealthDetail"/>.</summary>
internal sealed class KafkaHealthCheck(KafkaHealth kafka) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(kafka.IsReachable
            ? HealthCheckResult.Healthy("Kafka answers.")
            : HealthCheckResult.Unhealthy(
                string.Create(CultureInfo.InvariantCulture, $"Kafka unreachable for {kafka.UnreachableFor.TotalSeconds:0} s."),
                data: HealthDetail.Of(("error", kafka.LastError ?? "no answer"))));
}
