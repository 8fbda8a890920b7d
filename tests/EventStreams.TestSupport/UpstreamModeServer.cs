using EventStreams.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventStreams.TestSupport;

/// <summary>Our server in upstream mode on Kestrel at 127.0.0.1:0, forwarding to <c>upstream</c>, with its log kept.</summary>
public sealed class UpstreamModeServer : IAsyncDisposable
{
    private UpstreamModeServer(WebApplication app, LogCollector logs)
    {
        App = app;
        Logs = logs;
        BaseAddress = ServerAddress.Of(app);
    }

    public WebApplication App { get; }

    public LogCollector Logs { get; }

    public Uri BaseAddress { get; }

    /// <summary>A client that leaves at once when a response is disposed (no draining of the rest for connection reuse, which would keep a stream open for seconds).</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false, MaxResponseDrainSize = 0, ResponseDrainTimeout = TimeSpan.Zero })
    {
        BaseAddress = BaseAddress,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static async Task<UpstreamModeServer> StartAsync(Uri upstream, params string[] settings)
    {
        var logs = new LogCollector();
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            $"--Upstream:Url={upstream}",
            "--Logging:LogLevel:Default=Information",
            "--Shutdown:DrainSeconds=0",
            .. settings,
        ];
        var app = EventStreamsApp.Create(args, builder => builder.Logging.AddProvider(logs));
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new UpstreamModeServer(app, logs);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await App.DisposeAsync();
    }
}
