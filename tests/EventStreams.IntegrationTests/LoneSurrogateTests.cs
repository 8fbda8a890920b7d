using System.Net;
using System.Text.Json;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventStreams.IntegrationTests;

/// <summary>
/// Half a surrogate pair (<c>"\ud800"</c>, valid JSON text that no string can hold) in an id, in a topic name of an id,
/// over the header, the query and the hub: a 400 <c>invalid_last_event_id</c> problem, and no stack trace in the log.
/// </summary>
public sealed class LoneSurrogateTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private TestServer _server = null!;
    private IReadOnlyCollection<(string Category, LogLevel Level, string Message, Exception? Exception)> _logs = [];

    public async Task InitializeAsync()
    {
        // The host owns (and disposes) the provider.
        var logs = new CapturedLogs();
        _logs = logs.Entries;
        _server = await TestServer.StartAsync(
            """
            streams:
              ls.one:
                topics: [ls.one]
            """,
            builder => builder.Logging.AddProvider(logs),
            partitions: 1,
            "--Logging:LogLevel:Default=Information");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("""["\ud800"]""")]
    [InlineData("""[{"topic":"ls.one\udc00","partition":0,"offset":1}]""")]
    [InlineData("""[{"topic":"ls.one","partition":0,"offset":1},"\ud800x"]""")]
    public async Task LoneSurrogate_InHeaderOrQuery_Is400InvalidLastEventId_WithoutAStackTrace(string id)
    {
        using var http = _server.CreateClient();
        using var byHeader = new HttpRequestMessage(HttpMethod.Get, "v2/stream/ls.one");
        byHeader.Headers.TryAddWithoutValidation("Last-Event-ID", id);

        using var header = await http.SendAsync(byHeader).WaitAsync(Wait);
        using var query = await http.GetAsync("v2/stream/ls.one?last_event_id=" + Uri.EscapeDataString(id)).WaitAsync(Wait);

        foreach (var response in new[] { header, query })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("invalid_last_event_id", body.RootElement.GetProperty("type").GetString());
        }

        Assert.Empty(_logs.Where(e => e.Exception is not null).Select(e => $"{e.Level} {e.Category}: {e.Message}"));
    }

    [Fact]
    public async Task LoneSurrogate_OverTheHub_IsAnInvalidLastEventIdHubError_WithoutAStackTrace()
    {
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(_server.BaseAddress, "v2/hub")).Build();
        await hub.StartAsync().WaitAsync(Wait);
        using var cts = new CancellationTokenSource(Wait);

        var error = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in hub.StreamAsync<StreamEvent>("Stream", "ls.one", null, """["\ud800"]""", null, cts.Token))
            {
            }
        });

        Assert.Contains("invalid_last_event_id:", error.Message, StringComparison.Ordinal);
        Assert.Empty(_logs.Where(e => e.Exception is not null).Select(e => $"{e.Level} {e.Category}: {e.Message}"));
    }
}
