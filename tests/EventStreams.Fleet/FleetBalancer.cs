using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
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
    private const string ClusterId = "fleet";

    private readonly WebApplication _app;

    private FleetBalancer(WebApplication app, ClientRoutes routes)
    {
        _app = app;
        Routes = routes;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address + "/");
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

    internal static async Task<FleetBalancer> StartAsync(IReadOnlyList<Uri> instances, TimeSpan healthInterval, bool moveEachReconnect)
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
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = healthInterval,
                    Timeout = TimeSpan.FromSeconds(2),
                    Policy = "ConsecutiveFailures",
                    Path = "/readyz",
                },
            },
            Metadata = new Dictionary<string, string> { ["ConsecutiveFailuresHealthPolicy.Threshold"] = "1" },
            // Streams are long; a quiet one still sends a heartbeat well within this.
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(10) },
        };
        var route = new RouteConfig { RouteId = "all", ClusterId = ClusterId, Match = new RouteMatch { Path = "{**rest}" } };
        var routes = new ClientRoutes();
        builder.Services.AddSingleton(routes);
        builder.Services.AddSingleton<ILoadBalancingPolicy, ElsewherePolicy>();
        builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            using var tracked = ClientRoutes.ClientOf(context) is { } client ? routes.Track(context, client) : null;
            await next(context);
        });
        app.MapReverseProxy(pipeline =>
        {
            pipeline.UseLoadBalancing();
            pipeline.Use((context, next) =>
            {
                if (ClientRoutes.ClientOf(context) is { } client && context.GetReverseProxyFeature().AvailableDestinations is [var destination])
                {
                    routes.Record(client, destination.DestinationId);
                }

                return next(context);
            });
        });
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new FleetBalancer(app, routes);
    }

    /// <summary>Waits until the balancer's health checks have seen every one of <paramref name="indexes"/> ready.</summary>
    internal async Task WaitHealthyAsync(IEnumerable<int> indexes, TimeSpan timeout)
    {
        var lookup = _app.Services.GetRequiredService<IProxyStateLookup>();
        using var deadline = new CancellationTokenSource(timeout);
        var wanted = indexes.Select(DestinationId).ToList();
        while (!(lookup.TryGetCluster(ClusterId, out var cluster) && wanted.All(id => IsHealthy(cluster, id))))
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    private static bool IsHealthy(ClusterState cluster, string id) =>
        cluster.Destinations.TryGetValue(id, out var destination) && destination.Health.Active == DestinationHealth.Healthy;
}
