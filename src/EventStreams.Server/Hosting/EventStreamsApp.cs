using EventStreams.Server.Api;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Health;
using EventStreams.Server.Intake;
using EventStreams.Server.Problems;
using EventStreams.Server.Retention;
using EventStreams.Server.Routes;
using EventStreams.Server.Transports;
using EventStreams.Server.Upstream;

namespace EventStreams.Server.Hosting;

/// <summary>Builds the whole server; <c>Program</c> runs it, tests and the benchmark host it on a port of their own.</summary>
public static class EventStreamsApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.AddEventStreams();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapEventStreams();
        return app;
    }

    /// <summary>
    /// Every route the server answers. In upstream mode the stream, spec and info routes are forwarded, and there is no
    /// SignalR hub. Route handlers throw their problems; <see cref="ProblemFilter"/> answers them. The stream route is a
    /// long-lived endpoint outside that group: it runs straight after routing and answers its own problems.
    /// </summary>
    public static WebApplication MapEventStreams(this WebApplication app)
    {
        app.UseTrustedProxies();

        // Mounted under a prefix: /prefix/v2/stream/... is /v2/stream/... with PathBase /prefix (redirects and the UI keep it).
        // Routing must come after it, hence explicit.
        if (PathBaseSetting.Read(app.Configuration) is { } pathBase)
        {
            app.UsePathBase(pathBase);
        }

        app.UseRouting();
        app.UseEventStreamsApi();
        var routes = app.MapGroup("").AddEndpointFilter(new ProblemFilter());
        if (UpstreamServices.IsUpstreamMode(app.Configuration))
        {
            app.UseUpstream();
        }
        else
        {
            app.UseKafkaOutageGate();
            app.MapStreamApi();
            routes.MapIntakeApi();
            routes.MapSchemaApi();
            routes.MapRetentionApi();
            app.UseHubRequestGuard();
            app.UseHubSockets();
            app.MapHub<StreamHub>(ApiRoutes.Hub);
        }

        // Last, after the stream route (see UseEventStreamsApi) and the upstream forwarder, rather than where the host would
        // add it (around the whole pipeline, because SignalR registers authorization): no route needs it, and each idle
        // stream would hold its async frame. The endpoints (the hub's too) still pass through it.
        app.UseAuthorization();
        routes.MapRootApi();
        routes.MapInfoApi();
        app.MapMetricsApi();
        app.MapHealthApi();
        app.MapUi();
        return app;
    }
}
