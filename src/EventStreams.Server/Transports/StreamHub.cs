using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using EventStreams.Server.Api;
using EventStreams.Server.Catalog;
using EventStreams.Server.Kafka;
using EventStreams.Server.Streaming;
using Microsoft.AspNetCore.SignalR;

namespace EventStreams.Server.Transports;

/// <summary>One streamed event for SignalR clients: the same id and JSON an SSE client gets.</summary>
public sealed record StreamEvent(string Id, string Data);

/// <summary>
/// SignalR at <c>/v2/hub</c>: <c>Stream(streams, since, lastEventId, filters)</c> yields the same events with
/// the same ids as <c>/v2/stream</c>, from the same subscriptions. Errors before the start are <see cref="HubException"/>s
/// whose message is the problem's <c>type: detail</c>.
/// </summary>
public sealed class StreamHub(StreamCatalog catalog, SubscriptionFactory subscriptions, StreamMetrics metrics) : Hub
{
    public const string Path = "/v2/hub";

    public async IAsyncEnumerable<StreamEvent> Stream(
        string streams,
        string? since,
        string? lastEventId,
        string[]? filters,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StreamRequest request;
        Subscription subscription;
        try
        {
            request = StreamRequest.Parse(catalog, streams, since, lastEventId, filters ?? []);
            subscription = await subscriptions.SubscribeAsync(request, cancellationToken);
        }
        catch (ApiProblemException problem)
        {
            throw new HubException($"{problem.Type}: {problem.Detail}");
        }
        catch (Confluent.Kafka.KafkaException e)
        {
            throw new HubException($"kafka_unavailable: {e.Error.Reason}");
        }

        using (subscription)
        {
            metrics.Connected(request.Names);
            try
            {
                var batch = new List<(PartitionPosition Position, KafkaEvent Event)>();
                var id = new ArrayBufferWriter<byte>(256);
                while (!cancellationToken.IsCancellationRequested)
                {
                    await subscription.ReadAsync(batch, Timeout.InfiniteTimeSpan, cancellationToken);
                    foreach (var (position, e) in batch)
                    {
                        position.Delivered(e);
                        if (request.Filter is { } filter && !filter.Matches(e.Json))
                        {
                            continue;
                        }

                        id.ResetWrittenCount();
                        subscription.WriteId(id);
                        metrics.Sent("signalr", 1, e.Json.Length);
                        yield return new StreamEvent(Encoding.UTF8.GetString(id.WrittenSpan), Encoding.UTF8.GetString(e.Json));
                    }
                }
            }
            finally
            {
                metrics.Disconnected(request.Names);
            }
        }
    }
}
