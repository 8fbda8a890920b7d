using EventStreams.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace EventStreams.Fleet;

/// <summary>
/// The load balancer in front of a <see cref="Fleet"/>, built on YARP: round-robin (YARP's, or <see cref="ElsewherePolicy"/>)
/// over the instances that pass active health checks on <c>/readyz</c> (one failure takes an instance out, one success puts
/// it back). It knows which instance served each client's streams (<see cref="ClientRoutes"/>) and can cut them.
/// </summary>
public sealed class FleetBalancer : IAsyncDisposable
{
    /// <summary>The response header that names the instance the balancer sent a request to.</summary>
    public const string InstanceHeader = "X-Fleet-Instance";

    private const string ClusterId = "fleet";

    private readonly WebApplication _app;

    private FleetBalancer(WebApplication app, ClientRoutes routes)
    {
        _app = app;
        Routes = routes;
        Address = ServerAddress.Of(app);
    }

    public Uri Address { get; }

    public ClientRoutes Routes { get; }

    public static string DestinationId(int index) => $"instance{index}";

    public async ValueTask DisposeAsync()
    {
        using var now = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(now.Token).WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }

    internal static async Task<FleetBalancer> StartAsync(IReadOnlyList<Uri> instances, TimeSpan healthInterval, bool moveEachReconnect, FleetLog log)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var cluster = new ClusterConfig
        {
            ClusterId = ClusterId,
            LoadBalancingPolicy = moveEachReconnect ? ElsewherePolicy.PolicyName : LoadBalancingPolicies.RoundRobin,
            Destinations = instances.Select((uri, i) => (uri, i)).ToDictionary(d => DestinationId(d.i), d => new DestinationConfig { Address = d.uri.ToString() }),
            HealthCheck = new HealthCheckConfig
            {
                // When every instance looks unhealthy (a busy balancer's probes all timed out), try them all rather than answer 503.
                AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyOrPanic,
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = healthInterval,
                    Timeout = TimeSpan.FromSeconds(2),
                    Policy = ReadinessHealthPolicy.PolicyName,
                    Path = "/readyz",
                },
            },
            // Streams are long; a quiet one still sends a heartbeat well within this.
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(10) },
        };
        var route = new RouteConfig { RouteId = "all", ClusterId = ClusterId, Match = new RouteMatch { Path = "{**rest}" } };
        var routes = new ClientRoutes();
        builder.Services.AddSingleton(routes);
        builder.Services.AddSingleton<ILoadBalancingPolicy, ElsewherePolicy>();
        builder.Services.AddSingleton(log);
        builder.Services.AddSingleton<IActiveHealthCheckPolicy, ReadinessHealthPolicy>();
        builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            using var tracked = ClientRoutes.ClientOf(context) is { } client ? routes.Track(context, client) : null;
            await next(context);
            // A WebSocket that ends is reported as a cancelled upgrade: not a failure.
            if (context.Features.Get<IForwarderErrorFeature>() is { Error: not ForwarderError.UpgradeResponseCanceled } failed)
            {
                var instance = context.Response.Headers[InstanceHeader].ToString();
                log.Add($"balancer: {context.Request.Path} to {(instance.Length > 0 ? instance : "no instance")} failed: {failed.Error} ({failed.Exception?.GetType().Name}: {failed.Exception?.Message}), answered {context.Response.StatusCode}");
            }
        });
        app.MapReverseProxy(pipeline =>
        {
            pipeline.Use((context, next) => NextInstanceOnFailure.InvokeAsync(context, () => next(context), routes, log));
            pipeline.UseLoadBalancing();
            pipeline.Use((context, next) =>
            {
                if (context.GetReverseProxyFeature().AvailableDestinations is [var destination])
                {
                    context.Response.Headers[InstanceHeader] = destination.DestinationId;
                    if (ClientRoutes.ClientOf(context) is { } client)
                    {
                        routes.Record(client, destination.DestinationId);
                    }
                }

                return next(context);
            });

        });
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new FleetBalancer(app, routes);
    }

    /// <summary>
    /// Waits until the balancer's health checks have seen every one of <paramref name="indexes"/> ready, in a probe that
    /// completed after <paramref name="after"/> (the <see cref="FleetLog"/>'s clock): a restarted instance counts once a probe
    /// found the new one ready, not on the state the balancer kept from before its restart.
    /// </summary>
    internal async Task WaitHealthyAsync(IEnumerable<int> indexes, TimeSpan timeout, TimeSpan after)
    {
        var lookup = _app.Services.GetRequiredService<IProxyStateLookup>();
        var probes = (ReadinessHealthPolicy)_app.Services.GetServices<IActiveHealthCheckPolicy>().Single(p => p.Name == ReadinessHealthPolicy.PolicyName);
        var deadline = DateTime.UtcNow + timeout;
        var wanted = indexes.Select(DestinationId).ToList();
        ClusterState? cluster;
        while (!(lookup.TryGetCluster(ClusterId, out cluster) && wanted.All(id => IsHealthy(cluster, id) && probes.LastReady(id) > after)))
        {
            if (DateTime.UtcNow > deadline)
            {
                var states = cluster is null ? "no cluster" : string.Join(", ", cluster.Destinations.Select(d => $"{d.Key}: {d.Value.Health.Active}"));
                throw new TimeoutException($"{string.Join(", ", wanted)} not healthy at the balancer within {timeout}: {states}");
            }

            await Task.Delay(50);
        }
    }

    private static bool IsHealthy(ClusterState cluster, string id) =>
        cluster.Destinations.TryGetValue(id, out var destination) && destination.Health.Active == DestinationHealth.Healthy;
}
