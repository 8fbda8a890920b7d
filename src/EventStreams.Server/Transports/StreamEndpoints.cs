using EventStreams.Server.Api;
using EventStreams.Server.Catalog;
using EventStreams.Server.Streaming;

namespace EventStreams.Server.Transports;

/// <summary><c>GET /v2/stream/{streams}</c>: Server-Sent Events, or newline-delimited JSON for <c>Accept: application/json</c>.</summary>
public static class StreamEndpoints
{
    public static IEndpointRouteBuilder MapStreamApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v2/stream/{streams}", StreamAsync).WithName("stream");
        return endpoints;
    }

    internal static async Task StreamAsync(
        HttpContext context,
        string streams,
        StreamCatalog catalog,
        SubscriptionFactory subscriptions,
        ConnectionLimiter limiter,
        EventStreamWriter writer)
    {
        var request = context.Request;
        IDisposable? slot;
        Subscription subscription;
        StreamRequest parsed;
        try
        {
            // Browsers' EventSource cannot set headers on its first request, so a page may pass the id as ?last_event_id=.
            var lastEventId = request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : request.Query["last_event_id"].ToString();
            parsed = StreamRequest.Parse(catalog, streams, request.Query["since"].FirstOrDefault(), lastEventId, request.Query["filter"]);
            slot = await limiter.EnterAsync(request, context.RequestAborted);
            try
            {
                subscription = await subscriptions.SubscribeAsync(parsed, context.RequestAborted);
            }
            catch
            {
                slot?.Dispose(); // whatever failed, the slot goes back
                throw;
            }
        }
        catch (ApiProblemException problem)
        {
            await problem.ToResult(request).ExecuteAsync(context);
            return;
        }
        catch (Confluent.Kafka.KafkaException e)
        {
            await ApiProblemException.KafkaUnavailable(e.Error.Reason).ToResult(request).ExecuteAsync(context);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        using (slot)
        using (subscription)
        {
            var ndjson = request.Headers.Accept.ToString().StartsWith("application/json", StringComparison.OrdinalIgnoreCase);
            await writer.RunAsync(context, subscription, parsed.Names, ndjson, parsed.Filter);
        }
    }
}
