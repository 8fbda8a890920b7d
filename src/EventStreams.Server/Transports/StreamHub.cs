using System.Buffers;
using System.Runtime.CompilerServices;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Health;
using EventStreams.Server.Problems;
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
internal sealed partial class StreamHub(StreamSessions sessions, ConnectionLimiter limiter, ILogger<StreamHub> logger) : Hub
{
    /// <summary>
    /// SignalR's dispatcher logs every exception of a hub method at error level with its stack, a client's mistake
    /// included; this hub logs its own failures (<see cref="LogRefused"/>, <see cref="LogFailed"/>) instead.
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
        try
        {
            var http = Context.GetHttpContext()!.Request;
            var session = await sessions.OpenAsync("signalr", streams, since, lastEventId, filters ?? [], aborted => limiter.EnterAsync(http, aborted), cancellationToken);
            return DeliverAsync(session, cancellationToken);
        }
        catch (StreamEndedException e)
        {
            throw Ended(e.Ending);
        }
        catch (Exception e) when (ApiProblemException.From(e) is { } problem)
        {
            LogRefused(logger, problem.Type, problem.Detail);
            throw new HubException(ProblemTypes.ToHubMessage(problem));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
            throw;
        }
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
                await ReadAsync(session);
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

    /// <summary>A stream the server ends (shutdown, outage with <c>Kafka:Health:OutageNotice=Close</c>, stream removed) fails with <c>"name: message"</c>, as one asked of a stopping instance does at once.</summary>
    /// <remarks>Pooled: a stream waits here once per delivery, and a box per wait would be garbage per client per event.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadAsync(StreamSession session)
    {
        try
        {
            await session.ReadAsync(Timeout.InfiniteTimeSpan);
        }
        catch (OperationCanceledException) when (session.EndedBy is { } ending)
        {
            throw Ended(ending);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
            throw;
        }
    }

    private static HubException Ended(StreamEnding ending) => new($"{ending.Name}: {ending.Message}");

    [LoggerMessage(LogEventIds.HubStreamRefused, LogLevel.Information, "Hub stream refused: {Type}: {Detail}")]
    private static partial void LogRefused(ILogger logger, string type, string detail);

    [LoggerMessage(LogEventIds.HubStreamFailed, LogLevel.Error, "Hub stream failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
