using EventStreams.Server.Kafka;
using Microsoft.AspNetCore.SignalR;

namespace EventStreams.Server.Health;

/// <summary>The hub's side of <see cref="KafkaOutageGate"/>: a stream asked for on an open SignalR connection during an outage fails at once.</summary>
internal sealed class StreamHubGuard(KafkaHealth health) : IHubFilter
{
    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (!health.IsReachable)
        {
            var problem = KafkaOutageGate.Refuse(health);
            throw new HubException($"{problem.Type}: {problem.Detail}");
        }

        return next(invocationContext);
    }
}
