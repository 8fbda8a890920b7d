using EventStreams.Server.Api;
using EventStreams.Server.Intake;
using EventStreams.Server.Transports;

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

    /// <summary>Every route the server answers.</summary>
    public static WebApplication MapEventStreams(this WebApplication app)
    {
        app.UseEventStreamsApi();
        app.MapStreamApi();
        app.MapIntakeApi();
        app.MapSchemaApi();
        app.MapHub<StreamHub>(StreamHub.Path);
        app.MapRootApi();
        app.MapInfoApi();
        app.MapMetricsApi();
        app.MapUi();
        return app;
    }
}
