using EventStreams.TestSupport;
using EventStreams.Server.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventStreams.IntegrationTests;

/// <summary>A hostile or broken stream config on reload: the server keeps its catalogue, stays up, and counts the failure.</summary>
public sealed class ConfigReloadTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private const string GoodConfig = """
        streams:
          test.reload.kept:
            topics: [test.reload.kept]
        """;

    public static TheoryData<string> HostileFileDocuments => new()
    {
        new string('[', 10_000) + new string(']', 10_000),
        string.Concat(Enumerable.Repeat("{a: ", 20_000)) + "1" + new string('}', 20_000),
        "streams: {a: [unclosed",
    };

    [Theory]
    [MemberData(nameof(HostileFileDocuments))]
    public async Task Reload_HostileFile_KeepsCatalogueAndCountsFailure(string document)
    {
        await using var server = await TestServer.StartAsync(GoodConfig);
        var catalog = server.App.Services.GetRequiredService<StreamCatalog>();
        var path = server.App.Services.GetRequiredService<IOptions<StreamConfigOptions>>().Value.Uri;
        await File.WriteAllTextAsync(path, document);

        await catalog.ReloadAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.True(catalog.TryGet("test.reload.kept", out _));
        Assert.Equal(1, catalog.ReloadFailures);
        using var http = server.CreateClient();
        var metrics = await http.GetStringAsync("metrics").WaitAsync(Wait);
        Assert.Contains("eventstreams_catalog_reload_failures_total 1", metrics, StringComparison.Ordinal);
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/test.reload.kept");
        Assert.Equal(200, (int)sse.Response.StatusCode);
    }

    [Fact]
    public async Task Reload_FailingTheSameWayRepeatedly_OneWarningEveryFailureCounted()
    {
        using var logs = new CapturedLogs();
        await using var server = await TestServer.StartAsync(GoodConfig, builder => builder.Logging.AddProvider(logs));
        var catalog = server.App.Services.GetRequiredService<StreamCatalog>();
        var path = server.App.Services.GetRequiredService<IOptions<StreamConfigOptions>>().Value.Uri;
        await File.WriteAllTextAsync(path, new string('[', 10_000));

        for (var i = 0; i < 3; i++)
        {
            await catalog.ReloadAsync(CancellationToken.None).WaitAsync(Wait);
        }

        var warnings = logs.Entries.Where(e => e.Category == typeof(StreamCatalog).FullName && e.Level >= LogLevel.Warning).ToList();
        Assert.Equal(3, catalog.ReloadFailures);
        var warning = Assert.Single(warnings);
        Assert.Null(warning.Exception);
        Assert.Contains("nested deeper than 64 levels", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_UrlAnsweringDeepThenEndlessDocuments_KeepsCatalogue()
    {
        var answer = GoodConfig;
        await using var source = await StartConfigSourceAsync(context => answer == "endless" ? WriteEndlessAsync(context) : context.Response.WriteAsync(answer));
        await using var server = await TestServer.StartAsync("unused: {}", configure: null, partitions: 1, $"--StreamConfig:Uri={AddressOf(source)}streams", "--StreamConfig:MaxDocumentMegabytes=1");
        var catalog = server.App.Services.GetRequiredService<StreamCatalog>();

        answer = "{\"streams\": " + new string('[', 10_000) + new string(']', 10_000) + "}";
        await catalog.ReloadAsync(CancellationToken.None).WaitAsync(Wait);
        answer = "endless";
        await catalog.ReloadAsync(CancellationToken.None).WaitAsync(Wait);

        Assert.True(catalog.TryGet("test.reload.kept", out _));
        Assert.Equal(2, catalog.ReloadFailures);
        Assert.Contains("MaxDocumentMegabytes", catalog.LastReloadError, StringComparison.Ordinal);
    }

    private static async Task WriteEndlessAsync(HttpContext context)
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        while (!context.RequestAborted.IsCancellationRequested)
        {
            await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
        }
    }

    private static async Task<WebApplication> StartConfigSourceAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Map("/streams", handler);
        await app.StartAsync().WaitAsync(Wait);
        return app;
    }

    private static string AddressOf(WebApplication app) => ServerAddress.Of(app).ToString();
}
