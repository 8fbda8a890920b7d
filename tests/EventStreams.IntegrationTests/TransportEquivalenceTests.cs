using System.Text.Json;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EventStreams.IntegrationTests;

/// <summary>
/// One request, three transports: SSE, NDJSON and the SignalR hub (JSON and MessagePack) deliver the same events (the hub and SSE with the
/// same ids) because one stream session decides what is delivered and transports only format. The data includes an
/// event nested 100 levels deep, which a filtered stream must pass like any other.
/// </summary>
public sealed class TransportEquivalenceTests : IAsyncLifetime
{
    private const int Partitions = 2;
    private const int Events = 40;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync("""
            streams:
              eq.s:
                topics: [eq.s]
            """, Partitions);
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-5);
        for (var i = 0; i < Events; i++)
        {
            // Several events per millisecond, so the ids carry a skip; every fourth is filtered out below.
            var deep = i == 10 ? "," + new string('[', 100) + new string(']', 100) : "";
            await _server.ProduceAsync("eq.s", i % Partitions, $$"""{"i":{{i}},"kind":"{{(i % 4 == 3 ? "skip" : "keep")}}","deep":[0{{deep}}]}""", timestamp: t0.AddMilliseconds(i / 6));
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("kind!=skip")]
    public async Task SameRequest_OverSseNdjsonAndHub_SameEventsSameIds(string? filter)
    {
        var query = "since=0" + (filter is null ? "" : "&filter=" + Uri.EscapeDataString(filter));
        var expected = filter is null ? Events : Events - (Events / 4);
        using var http = _server.CreateClient();

        var sse = new List<(string Id, string Data)>();
        await using (var client = await SseClient.ConnectAsync(http, $"v2/stream/eq.s?{query}"))
        {
            while (sse.Count < expected)
            {
                var e = await client.NextEventAsync(Wait);
                sse.Add((e.Id!, e.Data!));
            }
        }

        var ndjson = new List<string>();
        await using (var client = await SseClient.ConnectAsync(http, $"v2/stream/eq.s?{query}", accept: "application/json"))
        {
            while (ndjson.Count < expected)
            {
                ndjson.Add((await client.ReadLineAsync(Wait))!);
            }
        }

        var hub = await ReadHubAsync(filter, expected, messagePack: false);
        var hubMessagePack = await ReadHubAsync(filter, expected, messagePack: true);

        // Partitions interleave differently from one connection to the next; each partition's events, and the part of
        // each id that names that partition, must be the same. Unfiltered, the last id names where every partition
        // ended. Filtered, a partition's last events may be filtered out: the last id includes them only if they were
        // read before the last event delivered, which depends on that interleaving (either id resumes correctly).
        Assert.Equal(expected, sse.Select(e => I(e.Data)).Distinct().Count());
        Assert.Equal(PerPartition(sse), PerPartition(hub));
        Assert.Equal(PerPartition(sse), PerPartition(hubMessagePack));
        Assert.Equal(sse.Select(e => e.Data).Order(), ndjson.Order());
        if (filter is null)
        {
            Assert.Equal(sse[^1].Id, hub[^1].Id);
        }
        Assert.Contains(sse, e => I(e.Data) == 10);
        Assert.Contains(sse, e => e.Id.Contains("\"skip\":", StringComparison.Ordinal));
    }

    private async Task<List<(string Id, string Data)>> ReadHubAsync(string? filter, int expected, bool messagePack)
    {
        var hub = new List<(string Id, string Data)>();
        var builder = new HubConnectionBuilder().WithUrl(new Uri(_server.BaseAddress, "v2/hub"));
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        await using (var connection = builder.Build())
        {
            await connection.StartAsync().WaitAsync(Wait);
            using var cts = new CancellationTokenSource(Wait);
            string[]? filters = filter is null ? null : [filter];
            await foreach (var e in connection.StreamAsync<StreamEvent>("Stream", "eq.s", "0", null, filters, cts.Token))
            {
                if (e.Data is not null)
                {
                    hub.Add((e.Id, e.Data));
                }

                if (hub.Count == expected)
                {
                    break;
                }
            }
        }

        return hub;
    }

    private static List<(string Element, string Data)> PerPartition(List<(string Id, string Data)> events) =>
        [.. events.Select(e =>
        {
            using var data = JsonDocument.Parse(e.Data, new JsonDocumentOptions { MaxDepth = 256 });
            using var id = JsonDocument.Parse(e.Id);
            var meta = data.RootElement.GetProperty("meta");
            var partition = meta.GetProperty("partition").GetInt32();
            var element = id.RootElement.EnumerateArray().Single(x => x.GetProperty("partition").GetInt32() == partition).GetRawText();
            return (Partition: partition, Offset: meta.GetProperty("offset").GetInt64(), Element: element, e.Data);
        }).OrderBy(e => e.Partition).ThenBy(e => e.Offset).Select(e => (e.Element, e.Data))];

    private static int I(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        return document.RootElement.GetProperty("i").GetInt32();
    }
}
