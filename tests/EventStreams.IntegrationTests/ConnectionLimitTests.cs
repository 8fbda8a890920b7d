using System.Net;
using System.Text.Json;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace EventStreams.IntegrationTests;

/// <summary>The optional per-client connection limit behind a trusted proxy: 429 over the limit, 400 without the key header, slots given back on disconnect.</summary>
public sealed class ConnectionLimitTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync("""
        streams:
          limit.s:
            topics: [limit.s]
        """, partitions: 1, "--Streaming:MaxConnectionsPerClient=2", "--ForwardedHeaders:TrustedProxies:0=127.0.0.0/8");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ThirdConnection_FromTheSameClient_Gets429_UntilOneLeaves()
    {
        using var http = _server.CreateClient();
        http.DefaultRequestHeaders.Add("X-Client-IP", "192.0.2.7");
        var first = await SseClient.ConnectAsync(http, "v2/stream/limit.s");
        await using var second = await SseClient.ConnectAsync(http, "v2/stream/limit.s");

        var refused = await ProblemTypeAsync(http);
        using var other = _server.CreateClient();
        other.DefaultRequestHeaders.Add("X-Client-IP", "192.0.2.8");
        await using var otherClient = await SseClient.ConnectAsync(other, "v2/stream/limit.s");
        await first.DisposeAsync();
        var afterLeaving = await RetryUntilAcceptedAsync(http);

        Assert.Equal((HttpStatusCode.TooManyRequests, "too_many_requests"), refused);
        Assert.Equal(HttpStatusCode.OK, otherClient.Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterLeaving);
    }

    [Fact]
    public async Task SignalRStreams_CountAgainstTheSameLimit_AsSseConnections()
    {
        using var http = _server.CreateClient();
        http.DefaultRequestHeaders.Add("X-Client-IP", "192.0.2.9");
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/limit.s");
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(_server.BaseAddress, "v2/hub"), o => o.Headers["X-Client-IP"] = "192.0.2.9")
            .Build();
        await hub.StartAsync().WaitAsync(Wait);
        using var cts = new CancellationTokenSource(Wait);

        // The SSE connection and one hub stream (running: it has yielded its start marker) fill the two slots; a
        // second hub stream and another SSE request are refused.
        await using var first = hub.StreamAsync<StreamEvent>("Stream", "limit.s", null, null, null, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await first.MoveNextAsync().AsTask().WaitAsync(Wait));
        var refusedStream = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in hub.StreamAsync<StreamEvent>("Stream", "limit.s", null, null, null, cts.Token))
            {
            }
        });
        var refusedSse = await ProblemTypeAsync(http);

        Assert.Contains("HubException: too_many_requests:", refusedStream.Message, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.TooManyRequests, "too_many_requests"), refusedSse);
    }

    [Fact]
    public async Task MissingKeyHeader_WithTheLimitOn_Gets400()
    {
        using var http = _server.CreateClient();

        Assert.Equal(HttpStatusCode.BadRequest, (await ProblemTypeAsync(http)).Status);
    }

    private static async Task<(HttpStatusCode Status, string? Type)> ProblemTypeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("v2/stream/limit.s", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Wait);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return (response.StatusCode, null);
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Wait));
        return (response.StatusCode, json.RootElement.GetProperty("type").GetString());
    }

    // The server notices the closed connection asynchronously; retry briefly until the slot is free.
    private static async Task<HttpStatusCode> RetryUntilAcceptedAsync(HttpClient http)
    {
        using var deadline = new CancellationTokenSource(Wait);
        while (true)
        {
            var (status, _) = await ProblemTypeAsync(http);
            if (status != HttpStatusCode.TooManyRequests)
            {
                return status;
            }

            await Task.Delay(50, deadline.Token);
        }
    }
}
