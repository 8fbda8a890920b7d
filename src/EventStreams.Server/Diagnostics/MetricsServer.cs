using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Diagnostics;

/// <summary>With <c>Metrics:Port</c> set, a listener of its own for <c>/metrics</c>, so that it need not be public.</summary>
internal sealed partial class MetricsServer(IOptions<MetricsOptions> options, StreamMetrics metrics, ILogger<MetricsServer> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Where it listens (the port as bound, also when 0 was asked of a test).</summary>
    public string? Address { get; private set; }

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
        await _app.StartAsync(cancellationToken);
        Address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        LogListening(logger, Address);
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
