using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Confluent.Kafka;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EventStreams.IntegrationTests;

/// <summary>
/// Messages a real topic may hold and the demo never writes, put there by producers other than our intake: a tombstone
/// (null value), a value over 1 MB, a string key and a JSON key, headers, invalid UTF-8. None breaks a stream, and each
/// has one documented outcome: the tombstone is skipped (ids move past it), the large value arrives whole, keys are
/// <c>meta.key</c>, headers are not sent, invalid UTF-8 arrives as U+FFFD — on the live edge and read from history
/// (a 1 MB cache, so the large event pushes the others out and history is read by a catch-up reader).
/// </summary>
public sealed class MessageShapesTests : IAsyncLifetime
{
    private const int LargeBytes = 2 * 1024 * 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly int[] Delivered = [0, 2, 3, 4, 5, 6, 7];
    private TestServer _server = null!;
    private IProducer<byte[]?, byte[]?> _producer = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(
            """
            streams:
              shapes.history:
                topics: [shapes.history]
              shapes.live:
                topics: [shapes.live]
            """,
            partitions: 1,
            "--Streaming:CacheMegabytesPerPartition=1");
        _producer = _server.Kafka.CreateProducer(c => (c.LingerMs, c.MessageMaxBytes) = (0, 8 * 1024 * 1024));
        await ProduceShapesAsync("shapes.history");
    }

    public async Task DisposeAsync()
    {
        _producer.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task FromHistory_OverSse_EachShapeHasItsOutcome_AndTheLastIdResumesAfterThem()
    {
        using var http = _server.CreateClient();
        var events = new List<SseEvent>();
        await using (var sse = await SseClient.ConnectAsync(http, "v2/stream/shapes.history?since=0"))
        {
            while (events.Count < Delivered.Length)
            {
                events.Add(await sse.NextEventAsync(Wait));
            }
        }

        AssertShapes(events.Select(e => e.Data!).ToList());

        await using var resumed = await SseClient.ConnectAsync(http, "v2/stream/shapes.history", events[^1].Id);
        await resumed.ReadAsync(Wait);
        await ProduceAsync("shapes.history", """{"i":8}""");
        Assert.Equal(8, (await resumed.NextEventAsync(Wait)).Json.GetProperty("i").GetInt32());
    }

    [Fact]
    public async Task Live_OverSse_EachShapeHasItsOutcome()
    {
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/shapes.live");
        await sse.ReadAsync(Wait);

        await ProduceShapesAsync("shapes.live");
        var events = new List<string>();
        while (events.Count < Delivered.Length)
        {
            events.Add((await sse.NextEventAsync(Wait)).Data!);
        }

        AssertShapes(events);
    }

    [Fact]
    public async Task Ndjson_InvalidUtf8FromAnotherProducer_IsSentAsValidUtf8()
    {
        // Read as bytes: a text reader would hide invalid bytes behind its own U+FFFD.
        using var http = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "v2/stream/shapes.history?since=0");
        request.Headers.Accept.ParseAdd("application/json");
        using var cts = new CancellationTokenSource(Wait);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
        var bytes = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (bytes.ToArray().Count(b => b == (byte)'\n') < Delivered.Length)
        {
            var read = await body.ReadAsync(buffer, cts.Token);
            Assert.NotEqual(0, read);
            bytes.Write(buffer, 0, read);
        }

        Assert.True(Utf8.IsValid(bytes.ToArray()), "the NDJSON stream must be valid UTF-8");
        AssertShapes([.. Encoding.UTF8.GetString(bytes.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Hub_EachShapeHasItsOutcome(bool messagePack)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(_server.BaseAddress, "v2/hub"));
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        await using var connection = builder.Build();
        await connection.StartAsync().WaitAsync(Wait);
        using var cts = new CancellationTokenSource(Wait);
        var events = new List<string>();
        await foreach (var e in connection.StreamAsync<StreamEvent>("Stream", "shapes.history", "0", null, null, cts.Token))
        {
            if (e.Data is not null)
            {
                events.Add(e.Data);
            }

            if (events.Count == Delivered.Length)
            {
                break;
            }
        }

        AssertShapes(events);
    }

    private static void AssertShapes(List<string> events)
    {
        var json = events.Select(e => JsonDocument.Parse(e).RootElement).ToList();
        Assert.Equal(Delivered, json.Select(e => e.GetProperty("i").GetInt32()));
        Assert.Equal(LargeBytes, json[1].GetProperty("large").GetString()!.Length);
        Assert.Equal("page-42", json[2].GetProperty("meta").GetProperty("key").GetString());
        Assert.Equal(42, json[3].GetProperty("meta").GetProperty("key").GetProperty("id").GetInt32());
        Assert.Equal(["i", "meta"], json[4].EnumerateObject().Select(p => p.Name));
        Assert.Equal("a\uFFFD\uFFFD\uFFFDb", json[5].GetProperty("s").GetString());
        Assert.Equal(json.Select((_, n) => (long)Delivered[n]), json.Select(e => e.GetProperty("meta").GetProperty("offset").GetInt64()));
    }

    private async Task ProduceShapesAsync(string topic)
    {
        await ProduceAsync(topic, """{"i":0}""");
        await ProduceAsync(topic, (byte[]?)null, key: "deleted-page"u8.ToArray());
        await ProduceAsync(topic, $$"""{"i":2,"large":"{{new string('x', LargeBytes)}}"}""");
        await ProduceAsync(topic, """{"i":3}""", key: "page-42"u8.ToArray());
        await ProduceAsync(topic, """{"i":4}""", key: """{"id":42}"""u8.ToArray());
        await ProduceAsync(topic, """{"i":5}""", headers: new Headers { { "trace-id", "abc"u8.ToArray() } });
        await ProduceAsync(topic, [.. """{"i":6,"s":"a"""u8, 0xFF, 0xFE, 0xC3, .. "b\"}"u8]);
        await ProduceAsync(topic, """{"i":7}""");
    }

    private Task ProduceAsync(string topic, string value, byte[]? key = null, Headers? headers = null) =>
        ProduceAsync(topic, Encoding.UTF8.GetBytes(value), key, headers);

    private async Task ProduceAsync(string topic, byte[]? value, byte[]? key = null, Headers? headers = null) =>
        await _producer.ProduceAsync(new TopicPartition(topic, 0), new Message<byte[]?, byte[]?> { Key = key, Value = value, Headers = headers })
            .WaitAsync(Wait);
}
