using System.Collections.Concurrent;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace EventStreams.Fleet;

/// <summary>
/// The balancer's active health policy: an instance is healthy while its <c>/readyz</c> answers 2xx, unhealthy from the first
/// probe that does not (YARP's <c>ConsecutiveFailures</c> with threshold 1), and every change is written to the
/// <see cref="FleetLog"/> with the probe's answer, so that a run shows when the balancer saw what.
/// </summary>
internal sealed class LoggedHealthPolicy(IDestinationHealthUpdater updater, FleetLog log) : IActiveHealthCheckPolicy
{
    public const string PolicyName = "LoggedReadiness";

    private readonly ConcurrentDictionary<string, DestinationHealth> _last = new(StringComparer.Ordinal);
    private TimeSpan _lastRound;

    public string Name => PolicyName;

    public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
    {
        var gap = log.Elapsed - _lastRound;
        _lastRound = log.Elapsed;
        if (gap > TimeSpan.FromSeconds(3))
        {
            log.Add($"balancer: no probe round for {gap.TotalSeconds:0.0} s");
        }

        var healths = new List<NewActiveDestinationHealth>(probingResults.Count);
        foreach (var result in probingResults)
        {
            var health = result.Response is { IsSuccessStatusCode: true } ? DestinationHealth.Healthy : DestinationHealth.Unhealthy;
            healths.Add(new NewActiveDestinationHealth(result.Destination, health));
            var id = result.Destination.DestinationId;
            if (_last.TryGetValue(id, out var last) && last == health)
            {
                continue;
            }

            _last[id] = health;
            var answer = result.Response is { } response ? $"{(int)response.StatusCode}" : $"{result.Exception?.GetType().Name}: {result.Exception?.Message}";
            log.Add($"balancer: {id} {health} (/readyz: {answer})");
        }

        updater.SetActive(cluster, healths);
    }
}
