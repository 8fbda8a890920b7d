using EventStreams.Server.Transports;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace EventStreams.IntegrationTests;

/// <summary>The SignalR hub yields the same events and ids as SSE, and resumes from an id.</summary>
public sealed class SignalRTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private TestServer _server = null!;
    private HubConnection _hub = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync("""
            streams:
              hub.s:
                topics: [hub.s]
            """, partitions: 2, "--Streaming:IdFormat=Offset");
        _hub = new HubConnectionBuilder().WithUrl(new Uri(_server.BaseAddress, "v2/hub")).Build();
        await _hub.StartAsync().WaitAsync(Wait);
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Stream_YieldsEventsWithIds_AndResumesFromAnId()
    {
        await _server.ProduceAsync("hub.s", 0, """{"n":0}""");
        await _server.ProduceAsync("hub.s", 1, """{"n":1}""");
        using var cts = new CancellationTokenSource(Wait);
        var all = await Take(_hub.StreamAsync<StreamEvent>("Stream", "hub.s", "0", null, null, cts.Token), 2);

        var resumeFrom = all.Single(e => e.Data!.Contains("\"n\":0", StringComparison.Ordinal)).Id;
        await _server.ProduceAsync("hub.s", 0, """{"n":2}""");
        using var cts2 = new CancellationTokenSource(Wait);
        var resumed = await Take(_hub.StreamAsync<StreamEvent>("Stream", "hub.s", null, resumeFrom, new[] { "n!=1" }, cts2.Token), 1);

        Assert.All(all, e => Assert.StartsWith("[{\"topic\":\"hub.s\"", e.Id, StringComparison.Ordinal));
        Assert.Contains("\"n\":2", resumed[0].Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_StartsWithAMarker_WhoseIdResumesFromTheStart()
    {
        using var cts = new CancellationTokenSource(Wait);
        var marker = (await Take(_hub.StreamAsync<StreamEvent>("Stream", "hub.s", null, null, null, cts.Token), 1, withMarker: true))[0];
        await _server.ProduceAsync("hub.s", 1, """{"n":"after-the-marker"}""");

        // The stream was cut before any event: resuming from the marker's id still gets what was produced since.
        using var cts2 = new CancellationTokenSource(Wait);
        var resumed = await Take(_hub.StreamAsync<StreamEvent>("Stream", "hub.s", null, marker.Id, null, cts2.Token), 1);

        Assert.Null(marker.Data);
        Assert.StartsWith("[{\"topic\":\"hub.s\",\"partition\":0,", marker.Id, StringComparison.Ordinal);
        Assert.Contains("after-the-marker", resumed[0].Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_UnknownStream_FailsWithTheProblemType()
    {
        using var cts = new CancellationTokenSource(Wait);

        var e = await Assert.ThrowsAsync<HubException>(() => Take(_hub.StreamAsync<StreamEvent>("Stream", "nope", null, null, null, cts.Token), 1));

        Assert.Contains("not_found", e.Message, StringComparison.Ordinal);
    }

    private static async Task<List<StreamEvent>> Take(IAsyncEnumerable<StreamEvent> events, int count, bool withMarker = false)
    {
        var taken = new List<StreamEvent>();
        await foreach (var e in events)
        {
            if (e.Data is null && !withMarker)
            {
                continue;
            }

            taken.Add(e);
            if (taken.Count == count)
            {
                break;
            }
        }

        return taken;
    }
}
