using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using EventStreams.Server.Api;
using EventStreams.Server.Catalog;
using EventStreams.Server.Kafka;
using EventStreams.Server.Streaming;
using Microsoft.AspNetCore.SignalR;

namespace EventStreams.Server.Transports;

/// <summary>
/// One streamed item for SignalR clients: the same id and JSON an SSE client gets. The first item of every stream
/// is a start marker with <c>Data == null</c> (SSE's <c>:ok</c>): the subscription is in place, and its
/// <c>Id</c> resumes from the start position even if the stream is cut before any event arrives.
/// </summary>
public sealed record StreamEvent(string Id, string? Data);

/// <summary>
/// SignalR at <c>/v2/hub</c>: <c>Stream(streams, since, lastEventId, filters)</c> yields the same events with
/// the same ids as <c>/v2/stream</c>, from the same subscriptions. Errors before the start are <see cref="HubException"/>s
/// whose message is the problem's <c>type: detail</c>. Each running stream takes one slot of the per-client
/// connection limit, keyed by the header of the request that opened the SignalR connection.
/// </summary>
public sealed class StreamHub(StreamCatalog catalog, SubscriptionFactory subscriptions, ConnectionLimiter limiter, StreamMetrics metrics) : Hub
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
        IDisposable? slot;
        Subscription subscription;
        try
        {
            request = StreamRequest.Parse(catalog, streams, since, lastEventId, filters ?? []);
            slot = await limiter.EnterAsync(Context.GetHttpContext()!.Request, cancellationToken);
            try
            {
                subscription = await subscriptions.SubscribeAsync(request, cancellationToken);
            }
            catch
            {
                slot?.Dispose(); // whatever failed, the slot goes back
                throw;
            }
        }
        catch (ApiProblemException problem)
        {
            throw new HubException($"{problem.Type}: {problem.Detail}");
        }
        catch (Confluent.Kafka.KafkaException e)
        {
            throw new HubException($"kafka_unavailable: {e.Error.Reason}");
        }

        using (slot)
        using (subscription)
        {
            metrics.Connected(request.Names);
            try
            {
                var batch = new List<(PartitionPosition Position, KafkaEvent Event)>();
                var id = new ArrayBufferWriter<byte>(256);
                subscription.WriteId(id);
                yield return new StreamEvent(Encoding.UTF8.GetString(id.WrittenSpan), null);
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
