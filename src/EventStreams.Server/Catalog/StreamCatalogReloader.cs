using Microsoft.Extensions.Options;

namespace EventStreams.Server.Catalog;

/// <summary>Loads the catalogue before the server accepts requests, then reloads it periodically.</summary>
internal sealed class StreamCatalogReloader(StreamCatalog catalog, IOptions<StreamConfigOptions> options, TimeProvider time) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await catalog.LoadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = options.Value.ReloadSeconds;
        if (seconds <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await catalog.ReloadAsync(stoppingToken);
        }
    }
}
