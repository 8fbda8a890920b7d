using System.Buffers;
using System.Runtime.CompilerServices;
using EventStreams.Server.Streaming;
using Microsoft.AspNetCore.SignalR;

namespace EventStreams.Server.Transports;

/// <summary>
/// One streamed item as SignalR clients read it: the same id and JSON (as a string) an SSE client gets. The hub
/// writes it from a <see cref="HubEvent"/> (same wire form, event data encoded once for all clients). The first item of every stream
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
internal sealed class StreamHub(HubStreams hubStreams) : Hub
{
    /// <summary>
    /// SignalR's dispatcher logs every exception of a hub method at error level with its stack, a client's mistake
    /// included; <see cref="HubStreams"/> logs the hub's own failures instead.
    /// </summary>
    public const string DispatcherLogCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    /// <summary>
    /// Opens the session before the stream starts: a request the client got wrong fails the invocation (a
    /// <see cref="HubException"/> the client sees, not an error SignalR logs with its stack as a broken stream).
    /// </summary>
    public async Task<IAsyncEnumerable<HubEvent>> Stream(
        string streams,
        string? since,
        string? lastEventId,
        string[]? filters,
        CancellationToken cancellationToken)
    {
        var session = await hubStreams.OpenAsync(Context.GetHttpContext()!.Request, streams, since, lastEventId, filters, cancellationToken);
        return DeliverAsync(session, cancellationToken);
    }

    private async IAsyncEnumerable<HubEvent> DeliverAsync(StreamSession session, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (session)
        {
            // One item and one id buffer for the stream: SignalR writes each item before it asks for the next.
            var id = new ArrayBufferWriter<byte>(256);
            var item = new HubEvent();
            session.WriteId(id);
            yield return item.Set(id.WrittenMemory, null);
            while (!cancellationToken.IsCancellationRequested)
            {
                await hubStreams.ReadAsync(session);
                while (session.TryNext(out var e))
                {
                    id.ResetWrittenCount();
                    session.WriteId(id);
                    session.Sent();
                    yield return item.Set(id.WrittenMemory, e);
                }
            }
        }
    }
}
