using EventStreams.Server.Problems;
using EventStreams.Server.Routes;
using EventStreams.Server.Streaming;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

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

    /// <summary>
    /// Opens the session and streams it. One async frame stays with the stream (the writer's): an idle connection's memory.
    /// </summary>
    internal static Task StreamAsync(HttpContext context, StreamSessions sessions, ConnectionLimiter limiter, EventStreamWriter writer)
    {
        var ndjson = context.Request.Headers.Accept.ToString().StartsWith("application/json", StringComparison.OrdinalIgnoreCase);
        return writer.RunAsync(context, OpenAsync(context, ndjson, sessions, limiter, writer), ndjson);
    }

    /// <summary>The session, or null when the request was answered otherwise (a problem, a stopping instance, a client gone).</summary>
    private static async Task<StreamSession?> OpenAsync(HttpContext context, bool ndjson, StreamSessions sessions, ConnectionLimiter limiter, EventStreamWriter writer)
    {
        var request = context.Request;
        var streams = (string)request.RouteValues["streams"]!;
        // Nothing reads them again, and the request would hold them (a dictionary, its array and the name) for the stream's life.
        request.RouteValues = null!;
        // Parsed here rather than through request.Query, whose feature and collection the request would keep for the stream's life.
        var query = QueryHelpers.ParseNullableQuery(request.QueryString.Value);
        // Browsers' EventSource cannot set headers on its first request, so a page may pass the id as ?last_event_id=.
        var lastEventId = request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : Query(query, "last_event_id").ToString();
        var clientGone = ClientGone(context);
        try
        {
            return await sessions.OpenAsync(
                ndjson ? "ndjson" : "sse", streams, Query(query, "since").FirstOrDefault(), lastEventId, Query(query, "filter"),
                aborted => limiter.EnterAsync(request, aborted), clientGone);
        }
        catch (StreamEndedException e)
        {
            await writer.EndAtOnceAsync(context, e.Ending, ndjson);
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            // The client left.
        }
        catch (Exception e) when (!context.Response.HasStarted && ApiProblemException.From(e) is { } problem)
        {
            await problem.ToResult().ExecuteAsync(context);
        }

        return null;
    }

    /// <summary>
    /// Cancelled when the client is gone. On HTTP/1.x a stream is the only request its connection runs until it ends, so
    /// that is when the connection closes: the connection's token, which the transport always has, serves, where asking
    /// for RequestAborted would give every stream a cancellation source of its own (an idle connection's memory, issue 14
    /// item 2). On HTTP/2 a client can cancel one stream and keep the connection: RequestAborted.
    /// </summary>
    private static CancellationToken ClientGone(HttpContext context) =>
        (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
        && context.Features.Get<IConnectionLifetimeFeature>() is { } connection
            ? connection.ConnectionClosed
            : context.RequestAborted;

    private static StringValues Query(Dictionary<string, StringValues>? query, string name) =>
        query is not null && query.TryGetValue(name, out var values) ? values : StringValues.Empty;
}
