using System.Text.Json;
using EventStreams.Server.Catalog;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventStreams.IntegrationTests;

/// <summary>Streams the server ends itself (a reload removed their stream) and how a client's hub error is logged.</summary>
public sealed class ServerEndsStreamTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly CapturedLogs _logs = new();
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(
        """
        streams:
          test.ends.kept:
            topics: [test.ends.kept]
          test.ends.removed:
            topics: [test.ends.removed]
        """,
        builder => builder.Logging.AddProvider(_logs),
        partitions: 1,
        "--Logging:LogLevel:EventStreams=Information");

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _logs.Dispose();
    }

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task Reload_RemovingAStream_EndsItsClientsWithAnError_OthersKeepStreaming()
    {
        using var http = _server.CreateClient();
        await using var removed = await SseClient.ConnectAsync(http, "v2/stream/test.ends.removed,test.ends.kept");
        await using var kept = await SseClient.ConnectAsync(http, "v2/stream/test.ends.kept");
        await removed.ReadAsync(Wait);
        await kept.ReadAsync(Wait);
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(_server.BaseAddress, "v2/hub")).Build();
        await hub.StartAsync().WaitAsync(Wait);
        await using var hubStream = hub.StreamAsync<StreamEvent>("Stream", "test.ends.removed", null, null, null).GetAsyncEnumerator();
        Assert.True(await hubStream.MoveNextAsync().AsTask().WaitAsync(Wait));
        var path = _server.App.Services.GetRequiredService<IOptions<StreamConfigOptions>>().Value.Uri;
        await File.WriteAllTextAsync(path, "streams:\n  test.ends.kept:\n    topics: [test.ends.kept]\n");

        await _server.App.Services.GetRequiredService<StreamCatalog>().ReloadAsync(CancellationToken.None).WaitAsync(Wait);
        var error = await removed.ReadAsync(Wait);
        while (error is { Event: null })
        {
            error = await removed.ReadAsync(Wait);
        }

        var afterError = await removed.ReadAsync(Wait);
        var hubError = await Assert.ThrowsAsync<HubException>(async () =>
        {
            while (await hubStream.MoveNextAsync().AsTask().WaitAsync(Wait))
            {
            }
        });
        await _server.ProduceAsync("test.ends.kept", 0, """{"still":"here"}""");
        var stillStreaming = await kept.NextEventAsync(Wait);

        Assert.Equal("error", error?.Event);
        Assert.Equal("stream_removed", error!.Json.GetProperty("name").GetString());
        Assert.Contains("test.ends.removed", error!.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Null(afterError);
        Assert.Contains("stream_removed:", hubError.Message, StringComparison.Ordinal);
        Assert.Equal("here", stillStreaming.Json.GetProperty("still").GetString());
    }

    [Fact]
    public async Task HubClientError_LoggedOnceAtInformation_WithoutStack()
    {
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(_server.BaseAddress, "v2/hub")).Build();
        await hub.StartAsync().WaitAsync(Wait);

        var e = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in hub.StreamAsync<StreamEvent>("Stream", "no.such.stream.logged", null, null, null).WithCancellation(new CancellationTokenSource(Wait).Token))
            {
            }
        });
        var about = _logs.Entries.Where(entry => entry.Message.Contains("no.such.stream.logged", StringComparison.Ordinal)).ToList();

        Assert.Contains("not_found", e.Message, StringComparison.Ordinal);
        var entry = Assert.Single(about);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Null(entry.Exception);
        Assert.DoesNotContain(_logs.Entries, l => l.Level >= LogLevel.Error);
    }
}
