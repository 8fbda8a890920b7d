using EventStreams.Server.Kafka;
using EventStreams.Server.Problems;
using EventStreams.Server.Routes;

namespace EventStreams.Server.Health;

/// <summary>
/// While Kafka is unreachable, a new SignalR connection or retention query gets <c>503 kafka_unavailable</c> with
/// <c>Retry-After</c> at once, instead of <c>200 :ok</c> and silence or a multi-second metadata timeout: a load balancer or
/// client retries elsewhere or later. Streams themselves, whatever the transport, are refused the same way by
/// <c>Streaming/StreamSessions.OpenAsync</c>.
/// </summary>
internal static class KafkaOutageGate
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

            return Refuse(health).ToResult().ExecuteAsync(context);
        });
        return app;
    }

    public static ApiProblemException Refuse(KafkaHealth health) =>
        ApiProblemException.KafkaUnavailable(health.OutageReason, (int)health.RetryAfter.TotalSeconds);

    private static bool IsStreamPath(PathString path) =>
        path.StartsWithSegments(ApiRoutes.Hub, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments(ApiRoutes.RetentionPrefix, StringComparison.OrdinalIgnoreCase);
}
