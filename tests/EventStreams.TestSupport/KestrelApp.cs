using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventStreams.TestSupport;

/// <summary>A small real Kestrel app on 127.0.0.1:0 for the other side of a test (a config source, a fake upstream).</summary>
public sealed class KestrelApp : IAsyncDisposable
{
    private KestrelApp(WebApplication app)
    {
        App = app;
        BaseAddress = ServerAddress.Of(app);
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public static async Task<KestrelApp> StartAsync(Action<WebApplication> map, Action<WebApplicationBuilder>? configure = null, string url = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        configure?.Invoke(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new KestrelApp(app);
    }

    public async ValueTask DisposeAsync()
    {
        // A test's helper server does not wait for streams still open (a browser page, a proxied stream) to end.
        using var forceAfter = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await App.StopAsync(forceAfter.Token).WaitAsync(TimeSpan.FromSeconds(30));
        await App.DisposeAsync();
    }
}
