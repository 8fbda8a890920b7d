using EventStreams.Server.Problems;
using EventStreams.Server.Routes;
using EventStreams.Server.Streaming;

namespace EventStreams.Server.Transports;

/// <summary>
/// <c>GET /v2/stream/{streams}</c>: Server-Sent Events, or newline-delimited JSON for <c>Accept: application/json</c>. A
/// plain request delegate marked <see cref="LongLivedEndpoint"/>: it runs straight after routing (see
/// <c>Api/ApiMiddleware</c>), with no endpoint filter, and answers its own problems.
/// </summary>
internal static class StreamEndpoints
{
    public static IEndpointRouteBuilder MapStreamApi(this IEndpointRouteBuilder endpoints)
    {
        // The handler's services are singletons, taken once here: resolved per request, they would give every stream a DI
        // scope of its own, held (with its dictionary and disposal registration) for the stream's whole life.
        var services = endpoints.ServiceProvider;
        var sessions = services.GetRequiredService<StreamSessions>();
        var limiter = services.GetRequiredService<ConnectionLimiter>();
        var writer = services.GetRequiredService<EventStreamWriter>();
        endpoints.Map(ApiRoutes.Stream, context => StreamAsync(context, sessions, limiter, writer))
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]), LongLivedEndpoint.Instance)
            .WithName("stream");
        return endpoints;
    }

    internal static async Task StreamAsync(HttpContext context, StreamSessions sessions, ConnectionLimiter limiter, EventStreamWriter writer)
    {
        var request = context.Request;
        var streams = (string)request.RouteValues["streams"]!;
        var ndjson = request.Headers.Accept.ToString().StartsWith("application/json", StringComparison.OrdinalIgnoreCase);
        // Browsers' EventSource cannot set headers on its first request, so a page may pass the id as ?last_event_id=.
        var lastEventId = request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : request.Query["last_event_id"].ToString();
        StreamSession session;
        try
        {
            session = await sessions.OpenAsync(
                ndjson ? "ndjson" : "sse", streams, request.Query["since"].FirstOrDefault(), lastEventId, request.Query["filter"],
                aborted => limiter.EnterAsync(request, aborted), context.RequestAborted);
        }
        catch (StreamEndedException e)
        {
            await writer.EndAtOnceAsync(context, e.Ending, ndjson);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (!context.Response.HasStarted && ApiProblemException.From(e) is { } problem)
        {
            await problem.ToResult().ExecuteAsync(context);
            return;
        }

        using (session)
        {
            await writer.RunAsync(context, session, ndjson);
        }
    }
}
