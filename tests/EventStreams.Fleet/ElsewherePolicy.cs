using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace EventStreams.Fleet;

/// <summary>
/// Round-robin over the available (healthy) instances, skipping the one that served the same client last when another is
/// available: a client that reconnects always lands on another instance, which is what the fleet test wants to prove safe.
/// </summary>
internal sealed class ElsewherePolicy(ClientRoutes routes) : ILoadBalancingPolicy
{
    public const string PolicyName = "RoundRobinElsewhere";

    private long _next = -1;

    public string Name => PolicyName;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count == 0)
        {
            return null;
        }

        var client = ClientRoutes.ClientOf(context);
        var last = client is null ? null : routes.Last(client);
        var candidates = availableDestinations.Where(d => d.DestinationId != last).ToList();
        if (candidates.Count == 0)
        {
            candidates = [.. availableDestinations];
        }

        return candidates[(int)((ulong)Interlocked.Increment(ref _next) % (ulong)candidates.Count)];
    }
}
