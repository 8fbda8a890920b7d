using EventStreams.Server.Diagnostics;
using EventStreams.Server.Health;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Hosting;

/// <summary>
/// With <c>Metrics:Port</c> set, a listener of its own for <c>/metrics</c>, so that it need not be public, and for the operator's
/// <c>/readyz</c> and <c>/healthz</c>: the public ones' statuses with each check's detail (config source, Kafka's reason).
/// </summary>
internal sealed partial class MetricsServer(IOptions<MetricsOptions> options, StreamMetrics metrics, HealthCheckService health, ILogger<MetricsServer> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Port == 0)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenAnyIP(options.Value.Port));
        _app = builder.Build();
        MetricsEndpoints.MapGetOnly(_app, metrics.Registry);
        HealthEndpoints.MapWithDetail(_app, health);
        await _app.StartAsync(cancellationToken);
        // The port as bound (also when 0 was asked of a test).
        LogListening(logger, _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [LoggerMessage(LogEventIds.MetricsListening, LogLevel.Information, "Metrics served at {Address}/metrics")]
    private static partial void LogListening(ILogger logger, string? address);
}
