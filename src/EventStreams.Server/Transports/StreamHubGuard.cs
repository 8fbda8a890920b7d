using System.Runtime.CompilerServices;
using EventStreams.Server.Health;
using EventStreams.Server.Kafka;
using Microsoft.AspNetCore.SignalR;

namespace EventStreams.Server.Transports;

/// <summary>
/// The hub's side of <see cref="KafkaOutageGate"/> and <see cref="StreamTerminations"/>: a stream asked of a stopping instance
/// or during a Kafka outage fails at once (the client reconnects, to another instance), and a running one ends with a <see cref="HubException"/> (<c>"name: message"</c>) when the server
/// ends it (shutdown, an outage with <c>Kafka:Health:OutageNotice=Close</c>, stream removed from the catalogue). Client
/// errors and failures are logged once by the hub itself.
/// </summary>
internal sealed partial class StreamHubGuard(KafkaHealth health, StreamTerminations terminations, ILogger<StreamHubGuard> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (terminations.ShutdownEnding() is { } shutdown)
        {
            throw new HubException($"{shutdown.Name}: {shutdown.Message}");
        }

        if (!health.IsReachable)
        {
            var problem = KafkaOutageGate.Refuse(health);
            throw new HubException($"{problem.Type}: {problem.Detail}");
        }

        var result = await next(invocationContext);
        if (result is IAsyncEnumerable<HubEvent> events && invocationContext.HubMethodArguments is [string streams, ..])
        {
            return EndWhenTerminated(events, streams.Split(','), CancellationToken.None);
        }

        return result;
    }

    private async IAsyncEnumerable<HubEvent> EndWhenTerminated(IAsyncEnumerable<HubEvent> events, string[] streams, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var watch = terminations.Watch(streams);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watch.Token);
        await using var enumerator = events.GetAsyncEnumerator(linked.Token);
        while (true)
        {
            bool more;
            try
            {
                more = await enumerator.MoveNextAsync();
            }
            catch (OperationCanceledException) when (watch.Ending is { } ending && !cancellationToken.IsCancellationRequested)
            {
                LogEnded(logger, string.Join(',', streams), ending.Name);
                throw new HubException($"{ending.Name}: {ending.Message}");
            }

            if (!more)
            {
                yield break;
            }

            yield return enumerator.Current;
        }
    }

    [LoggerMessage(651, LogLevel.Information, "Hub stream of {Streams} ended by the server: {Reason}")]
    private static partial void LogEnded(ILogger logger, string streams, string reason);
}
