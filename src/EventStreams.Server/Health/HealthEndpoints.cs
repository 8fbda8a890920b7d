using System.Text.Json;
using EventStreams.Server.Routes;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventStreams.Server.Health;

/// <summary>
/// <c>GET /healthz</c>: liveness (the process answers; no dependency checked, so an orchestrator does not restart
/// instances for a Kafka outage). <c>GET /readyz</c>: readiness (catalogue loaded, Kafka reachable, reader not stuck),
/// 503 when not, with a JSON body naming each check. On the public port a check says only its status and a description
/// with no file path, URL or host name; with <c>Metrics:Port</c> set, the same routes there add each check's
/// <see cref="HealthDetail"/>.
/// </summary>
internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// Readiness: not stopping (<see cref="ShutdownHealthCheck"/>) and, with <paramref name="readsKafka"/> (not upstream mode,
    /// which has no catalogue and no Kafka here), catalogue, Kafka and reader.
    /// </summary>
    public static IServiceCollection AddEventStreamsHealth(this IServiceCollection services, bool readsKafka)
    {
        var checks = services.AddHealthChecks().AddCheck<ShutdownHealthCheck>("shutdown", tags: [ReadyTag]);
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
        var writer = (HttpContext context, HealthReport report) => WriteAsync(context, report, withDetail: false);
        endpoints.MapHealthChecks(ApiRoutes.Liveness, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = writer })
            .WithMetadata(new HttpMethodMetadata(ApiRoutes.GetAndHead));
        endpoints.MapHealthChecks(ApiRoutes.Readiness, new HealthCheckOptions { Predicate = IsReadinessCheck, ResponseWriter = writer })
            .WithMetadata(new HttpMethodMetadata(ApiRoutes.GetAndHead));
        return endpoints;
    }

    /// <summary>The operator's copy on the metrics port: the same checks and statuses, with each check's detail.</summary>
    internal static void MapWithDetail(IEndpointRouteBuilder endpoints, HealthCheckService checks)
    {
        // The metrics listener is an app of its own: it asks the server's checks, not checks of its own container.
        endpoints.MapGet(ApiRoutes.Liveness, (HttpContext context) => AnswerAsync(context, checks, _ => false));
        endpoints.MapGet(ApiRoutes.Readiness, (HttpContext context) => AnswerAsync(context, checks, IsReadinessCheck));
    }

    private static bool IsReadinessCheck(HealthCheckRegistration check) => check.Tags.Contains(ReadyTag);

    private static async Task AnswerAsync(HttpContext context, HealthCheckService checks, Func<HealthCheckRegistration, bool> predicate)
    {
        var report = await checks.CheckHealthAsync(predicate, context.RequestAborted);
        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        await WriteAsync(context, report, withDetail: true);
    }

    private static async Task WriteAsync(HttpContext context, HealthReport report, bool withDetail)
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
            if (withDetail && entry.Data.Count > 0)
            {
                json.WriteStartObject("detail");
                foreach (var (key, value) in entry.Data)
                {
                    json.WriteString(key, value.ToString());
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
