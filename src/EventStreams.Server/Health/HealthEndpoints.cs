using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventStreams.Server.Health;

/// <summary>
/// <c>GET /healthz</c>: liveness (the process answers; no dependency checked, so an orchestrator does not restart
/// instances for a Kafka outage). <c>GET /readyz</c>: readiness (catalogue loaded, Kafka reachable, reader not stuck),
/// 503 when not, with a JSON body naming each check.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>With <paramref name="readsKafka"/> false (upstream mode: no catalogue, no Kafka here) readiness checks nothing of its own.</summary>
    public static IServiceCollection AddEventStreamsHealth(this IServiceCollection services, bool readsKafka)
    {
        var checks = services.AddHealthChecks();
        if (readsKafka)
        {
            checks.AddCheck<CatalogHealthCheck>("catalog", tags: [ReadyTag])
                .AddCheck<KafkaHealthCheck>("kafka", tags: [ReadyTag])
                .AddCheck<ReaderHealthCheck>("reader", tags: [ReadyTag]);
        }

        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
        return endpoints;
    }

    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            json.WriteString("description", entry.Description);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
