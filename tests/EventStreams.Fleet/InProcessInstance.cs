using EventStreams.Server.Hosting;
using EventStreams.TestSupport;
using Microsoft.AspNetCore.Builder;

namespace EventStreams.Fleet;

/// <summary>An instance hosted in this process (the fleet test's and the CI roll's: cheap, and its logs are in the test's).</summary>
internal sealed class InProcessInstance(WebApplication app) : IFleetInstance
{
    public int Port { get; } = ServerAddress.Of(app).Port;

    public TimeSpan ProcessorTime => TimeSpan.Zero;

    public int ProcessId => Environment.ProcessId;

    public static async Task<IFleetInstance> StartAsync(IEnumerable<string> settings, TimeSpan timeout)
    {
        var app = EventStreamsApp.Create([.. settings, "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning"]);
        await app.StartAsync().WaitAsync(timeout);
        return new InProcessInstance(app);
    }

    /// <summary>The host stops as on SIGTERM (the drain runs in its stopping phase).</summary>
    public Task StopAsync(TimeSpan timeout) => app.StopAsync().WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        using var now = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await app.StopAsync(now.Token).WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (OperationCanceledException)
        {
            // Stopped without waiting for the drain: the run is over.
        }

        await app.DisposeAsync();
    }
}
