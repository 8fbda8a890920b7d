using EventStreams.Server.Catalog;
using EventStreams.Server.Diagnostics;
using Microsoft.Extensions.Primitives;

namespace EventStreams.Server.Streaming;

/// <summary>Opens <see cref="StreamSession"/>s: parse, take a connection slot, subscribe, and give the slot back whatever fails.</summary>
public sealed class StreamSessions(StreamCatalog catalog, SubscriptionFactory subscriptions, FilterRegistry filters, StreamMetrics metrics)
{
    /// <summary>
    /// Throws <see cref="StreamRequestException"/> for what the client got wrong or Kafka refused, and whatever
    /// <paramref name="enterLimit"/> throws when the client has no slot left.
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
        var request = StreamRequest.Parse(catalog, streams, since, lastEventId, filterTexts);
        request = request with { Filter = filters.Share(request.Filter) };
        var slot = await enterLimit(cancellationToken);
        try
        {
            var subscription = await subscriptions.SubscribeAsync(request, cancellationToken);
            return new StreamSession(request, subscription, slot, metrics, transport);
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
