using System.Globalization;
using EventStreams.Server.Kafka;
using EventStreams.Server.Problems;

namespace EventStreams.Server.Health;

/// <summary>
/// While Kafka is unreachable, a new stream (SSE, NDJSON or a SignalR connection) or retention query gets <c>503 kafka_unavailable</c> with
/// <c>Retry-After</c> at once, instead of <c>200 :ok</c> and silence or a multi-second metadata timeout: a load balancer or
/// client retries elsewhere or later.
/// </summary>
public static class KafkaOutageGate
{
    public static IApplicationBuilder UseKafkaOutageGate(this IApplicationBuilder app)
    {
        var health = app.ApplicationServices.GetRequiredService<KafkaHealth>();
        app.Use((context, next) =>
        {
            if (health.IsReachable || HttpMethods.IsOptions(context.Request.Method) || !IsStreamPath(context.Request.Path))
            {
                return next(context);
            }

            context.Response.Headers.RetryAfter = ((int)health.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return Refuse(health).ToResult(context.Request).ExecuteAsync(context);
        });
        return app;
    }

    public static ApiProblemException Refuse(KafkaHealth health) =>
        ApiProblemException.KafkaUnavailable(string.Create(CultureInfo.InvariantCulture, $"unreachable for {health.UnreachableFor.TotalSeconds:0} s ({health.LastError ?? "no answer"})"));

    private static bool IsStreamPath(PathString path) =>
        path.StartsWithSegments("/v2/stream", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/v2/hub", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/v2/retention", StringComparison.OrdinalIgnoreCase);
}
