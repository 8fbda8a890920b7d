using System.Collections.Concurrent;
using System.Net.Http;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace EventStreams.Fleet;

/// <summary>
/// The balancer's active health policy, as an operator sets one up for instances that say when they stop: an instance is out
/// of rotation at once when its <c>/readyz</c> says so (any answer but 2xx: it drains) or refuses the connection (it is down),
/// but only after <see cref="UnansweredThreshold"/> probes in a row go unanswered (a timeout is as likely the balancer's or
/// the machine's load as the instance's); it is back with the first 2xx. YARP's own <c>ConsecutiveFailures</c> counts a slow
/// answer like a 503: with a threshold of 1 a busy moment takes every instance out at once, with a higher one a draining
/// instance stays in rotation for several intervals. Every change is written to the <see cref="FleetLog"/>.
/// </summary>
internal sealed class ReadinessHealthPolicy(IDestinationHealthUpdater updater, FleetLog log) : IActiveHealthCheckPolicy
{
    public const string PolicyName = "Readiness";
    public const int UnansweredThreshold = 3;

    private readonly ConcurrentDictionary<string, (DestinationHealth Health, int Unanswered)> _state = new(StringComparer.Ordinal);
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
            var id = result.Destination.DestinationId;
            var (last, unanswered) = _state.GetValueOrDefault(id, (DestinationHealth.Unknown, 0));
            unanswered = result.Response is null && !IsRefused(result.Exception) ? unanswered + 1 : 0;
            var health = result.Response is { IsSuccessStatusCode: true } ? DestinationHealth.Healthy
                : result.Response is not null || IsRefused(result.Exception) || unanswered >= UnansweredThreshold ? DestinationHealth.Unhealthy
                : last;
            _state[id] = (health, unanswered);
            healths.Add(new NewActiveDestinationHealth(result.Destination, health));
            if (health != last)
            {
                var answer = result.Response is { } response ? $"{(int)response.StatusCode}" : $"{result.Exception?.GetType().Name}: {result.Exception?.Message}";
                log.Add($"balancer: {id} {health} (/readyz: {answer})");
            }
        }

        updater.SetActive(cluster, healths);
    }

    /// <summary>Nothing listens (the instance has stopped, or has not started yet): the request was never sent.</summary>
    internal static bool IsRefused(Exception? exception) => exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError };
}
