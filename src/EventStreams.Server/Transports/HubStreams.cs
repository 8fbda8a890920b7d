using System.Runtime.CompilerServices;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Health;
using EventStreams.Server.Problems;
using EventStreams.Server.Streaming;
using Microsoft.AspNetCore.SignalR;

namespace EventStreams.Server.Transports;

/// <summary>
/// The hub's <c>Stream</c> method, whichever transport carries it (<see cref="StreamHub"/> on SignalR's, <see cref="HubSocketStreams"/>
/// on the hub's own WebSockets): the session opened from its arguments, and each wait for events. Errors are
/// <see cref="HubException"/>s whose message the client sees: before the start the problem's <c>type: detail</c>, after
/// it <c>name: message</c> of the server's ending.
/// </summary>
internal sealed partial class HubStreams(StreamSessions sessions, ConnectionLimiter limiter, ILogger<StreamHub> logger)
{
    /// <summary>Opens the session, one slot of the connection limit, keyed by the request that opened the hub connection.</summary>
    public async Task<StreamSession> OpenAsync(HttpRequest http, string streams, string? since, string? lastEventId, string[]? filters, CancellationToken cancellationToken)
    {
        try
        {
            return await sessions.OpenAsync("signalr", streams, since, lastEventId, filters ?? [], aborted => limiter.EnterAsync(http, aborted), cancellationToken);
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

    /// <summary>Waits for events. A stream the server ends (shutdown, outage with <c>Kafka:Health:OutageNotice=Close</c>, stream removed) fails with <c>"name: message"</c>, as one asked of a stopping instance does at once.</summary>
    /// <remarks>Pooled: a stream waits here once per delivery, and a box per wait would be garbage per client per event.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReadAsync(StreamSession session)
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
