using EventStreams.Server.Catalog;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Health;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.Primitives;

namespace EventStreams.Server.Streaming;

/// <summary>
/// Opens <see cref="StreamSession"/>s for every transport: end at once while the instance stops, refuse at once while
/// Kafka is unreachable, parse, take a connection slot, subscribe, and give the slot back whatever fails.
/// </summary>
internal sealed class StreamSessions(
    StreamCatalog catalog,
    SubscriptionFactory subscriptions,
    FilterRegistry filters,
    KafkaHealth health,
    StreamTerminations terminations,
    StreamMetrics metrics,
    ILogger<StreamSession> logger)
{
    /// <summary>
    /// Throws <see cref="StreamEndedException"/> while the instance stops (the stream ends before it starts, counted as a
    /// stream the server ended), <see cref="StreamRequestException"/> for what the client got wrong or Kafka refused, and whatever
    /// <paramref name="enterLimit"/> throws when the client has no slot left. <paramref name="cancellationToken"/> is
    /// the client's: the session ends with it.
    /// </summary>
    public async Task<StreamSession> OpenAsync(
        string transport,
        string streams,
        string? since,
        string? lastEventId,
        StringValues filterTexts,
        Func<CancellationToken, ValueTask<IDisposable?>> enterLimit,
        CancellationToken cancellationToken)
    {
        if (terminations.ShutdownEnding() is { } shutdown)
        {
            // Sent elsewhere rather than refused: a browser's EventSource gives up for good on an error status.
            metrics.Dropped(shutdown.Name);
            throw new StreamEndedException(shutdown);
        }

        if (!health.IsReachable)
        {
            // Before anything else, as a load balancer expects: 503 + Retry-After instead of a multi-second metadata timeout.
            throw StreamRequestException.KafkaUnavailable(health.OutageReason, (int)health.RetryAfter.TotalSeconds);
        }

        var request = StreamRequest.Parse(catalog, streams, since, lastEventId, filterTexts);
        if (request.Filter is not null)
        {
            request = request with { Filter = filters.Share(request.Filter) };
        }

        var slot = await enterLimit(cancellationToken);
        try
        {
            var subscription = await subscriptions.SubscribeAsync(request, cancellationToken);
            return new StreamSession(request, subscription, slot, terminations, metrics, transport, logger, cancellationToken);
        }
        catch (Confluent.Kafka.KafkaException e)
        {
            slot?.Dispose();
            throw StreamRequestException.KafkaUnavailable(e.Error.Reason);
        }
        catch
        {
            slot?.Dispose(); // whatever failed, the slot goes back
            throw;
        }
    }
}
