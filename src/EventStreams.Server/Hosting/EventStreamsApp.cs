using EventStreams.Server.Api;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Health;
using EventStreams.Server.Intake;
using EventStreams.Server.Retention;
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

    /// <summary>Every route the server answers. In upstream mode the stream, spec and info routes are forwarded, and there is no SignalR hub.</summary>
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
        if (UpstreamServices.IsUpstreamMode(app.Configuration))
        {
            app.UseUpstream();
        }
        else
        {
            app.UseKafkaOutageGate();
            app.MapStreamApi();
            app.MapIntakeApi();
            app.MapSchemaApi();
            app.MapRetentionApi();
            app.UseHubRequestGuard();
            app.MapHub<StreamHub>(StreamHub.Path);
        }

        app.MapRootApi();
        app.MapInfoApi();
        app.MapMetricsApi();
        app.MapHealthApi();
        app.MapUi();
        return app;
    }
}
