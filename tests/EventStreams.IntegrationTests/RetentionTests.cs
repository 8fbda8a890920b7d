using System.Net;
using System.Text.Json;
using EventStreams.Server.Retention;
using Microsoft.Extensions.DependencyInjection;

namespace EventStreams.IntegrationTests;

/// <summary><c>GET /v2/retention/{streams}</c>: watermarks and oldest event time per partition, cached so many clients cost one broker query per partition.</summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Old = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync("""
        streams:
          ret.two:
            topics: [ret.a, ret.b]
          ret.empty:
            topics: [ret.nothing]
        """, partitions: 2, "--Kafka:EmbeddedCreateTopics=false", "--Retention:CacheSeconds=3600");
        _server.Cluster.CreateTopic("ret.a", 2);
        _server.Cluster.CreateTopic("ret.b", 1);
        await _server.ProduceAsync("ret.a", 0, """{"n":1}""", timestamp: Old.AddMinutes(5));
        await _server.ProduceAsync("ret.a", 0, """{"n":2}""", timestamp: Old.AddMinutes(9));
        await _server.ProduceAsync("ret.a", 1, """{"n":3}""", timestamp: Old.AddMinutes(1));
        await _server.ProduceAsync("ret.b", 0, """{"n":4}""", timestamp: Old.AddMinutes(3));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Retention_ReportsWatermarksAndOldestPerPartitionAndStream()
    {
        using var http = _server.CreateClient();
        using var response = await http.GetAsync("v2/retention/ret.two,ret.empty").WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var streams = body.RootElement.GetProperty("streams");
        Assert.Equal(2, streams.GetArrayLength());

        var two = streams[0];
        Assert.Equal("ret.two", two.GetProperty("stream").GetString());
        Assert.Equal(Old.AddMinutes(1).ToUnixTimeMilliseconds(), two.GetProperty("oldest_timestamp").GetInt64());
        Assert.Equal("2023-11-14T22:14:20.000Z", two.GetProperty("oldest").GetString());
        var partitions = two.GetProperty("partitions").EnumerateArray()
            .Select(p => (p.GetProperty("topic").GetString(), p.GetProperty("partition").GetInt32(), p.GetProperty("low").GetInt64(), p.GetProperty("high").GetInt64(), p.GetProperty("oldest_timestamp").GetInt64()))
            .ToList();
        Assert.Equal(
            [
                ("ret.a", 0, 0L, 2L, Old.AddMinutes(5).ToUnixTimeMilliseconds()),
                ("ret.a", 1, 0L, 1L, Old.AddMinutes(1).ToUnixTimeMilliseconds()),
                ("ret.b", 0, 0L, 1L, Old.AddMinutes(3).ToUnixTimeMilliseconds()),
            ],
            partitions);

        // A stream whose topic does not exist yet: no partitions, no oldest time.
        var empty = streams[1];
        Assert.Equal("ret.empty", empty.GetProperty("stream").GetString());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("oldest_timestamp").ValueKind);
        Assert.Equal(0, empty.GetProperty("partitions").GetArrayLength());
    }

    [Fact]
    public async Task Retention_ManyClientsAtOnce_OneBrokerQueryPerPartitionPerPeriod()
    {
        var lookup = _server.App.Services.GetRequiredService<RetentionLookup>();
        var before = lookup.Queries;
        using var http = _server.CreateClient();
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await http.GetAsync("v2/retention/ret.two").WaitAsync(Wait);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Single(answers.Select(a => a.Item2).Distinct());

        // Produced after the answers: within the period, clients get the cached answer and the broker no query.
        await _server.ProduceAsync("ret.b", 0, """{"n":5}""");
        using var later = await http.GetAsync("v2/retention/ret.two").WaitAsync(Wait);
        Assert.Equal(answers[0].Item2, await later.Content.ReadAsStringAsync());
        Assert.Equal("max-age=3600", later.Headers.CacheControl?.ToString());
        Assert.Equal(3, lookup.Queries - before);
    }

    /// <summary>
    /// <c>?at=</c>: per partition the offset <c>?since=</c> would start at — the first event at or after the time, the high
    /// watermark when there is none — asked afresh (not cached); a bad time is the same 400 as a bad <c>since</c>.
    /// </summary>
    [Fact]
    public async Task Retention_At_GivesEachPartitionsOffsetForThatTime()
    {
        using var http = _server.CreateClient();
        async Task<long[]> AtOffsets(DateTimeOffset at)
        {
            using var response = await http.GetAsync($"v2/retention/ret.two?at={at.ToUnixTimeMilliseconds()}").WaitAsync(Wait);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return [.. body.RootElement.GetProperty("streams")[0].GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("at_offset").GetInt64())];
        }

        // ret.a/0 holds Old+5 and Old+9 min, ret.a/1 Old+1, ret.b/0 Old+3 (possibly more from the cache test: high then).
        Assert.Equal(new[] { 0L, 0L, 0L }, await AtOffsets(Old));
        Assert.Equal(new[] { 0L, 1L, 0L }, await AtOffsets(Old.AddMinutes(2)));
        Assert.Equal(new[] { 1L, 1L, 1L }, await AtOffsets(Old.AddMinutes(5).AddMilliseconds(1)));
        Assert.Equal(new[] { 1L, 1L, 1L }, await AtOffsets(Old.AddMinutes(9)));
        Assert.Equal(2L, (await AtOffsets(Old.AddMinutes(9).AddMilliseconds(1)))[0]);

        using var plain = JsonDocument.Parse(await http.GetStringAsync("v2/retention/ret.two").WaitAsync(Wait));
        Assert.False(plain.RootElement.GetProperty("streams")[0].GetProperty("partitions")[0].TryGetProperty("at_offset", out _));

        using var bad = await http.GetAsync("v2/retention/ret.two?at=yesterday").WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
        Assert.StartsWith("Invalid at parameter 'yesterday'", problem.RootElement.GetProperty("detail").GetString());
    }

    /// <summary>A stream of 12 partitions asked about by 20 clients at once: every partition answered, never more than the limit of queries at once.</summary>
    [Fact]
    public async Task Retention_ManyPartitions_AtMostMaxConcurrentQueriesAtOnce()
    {
        await using var server = await TestServer.StartAsync("""
            streams:
              ret.wide:
                topics: [ret.wide]
            """, partitions: 12, "--Retention:MaxConcurrentQueries=2");
        for (var p = 0; p < 12; p++)
        {
            await server.ProduceAsync("ret.wide", p, $$"""{"p":{{p}}}""");
        }

        using var http = server.CreateClient();
        var bodies = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => http.GetStringAsync("v2/retention/ret.wide").WaitAsync(Wait)));
        using var body = JsonDocument.Parse(bodies[0]);
        var partitions = body.RootElement.GetProperty("streams")[0].GetProperty("partitions");
        Assert.Equal(12, partitions.GetArrayLength());
        Assert.All(partitions.EnumerateArray(), p => Assert.Equal(1, p.GetProperty("high").GetInt64()));
        var lookup = server.App.Services.GetRequiredService<RetentionLookup>();
        Assert.Equal(12, lookup.Queries);
        Assert.InRange(lookup.PeakConcurrentQueries, 1, 2);
    }

    [Fact]
    public async Task Spec_DocumentsTheRetentionRoute()
    {
        using var http = _server.CreateClient();
        using var spec = JsonDocument.Parse(await http.GetStringAsync("?spec").WaitAsync(Wait));
        var operation = spec.RootElement.GetProperty("paths").GetProperty("/v2/retention/{streams}").GetProperty("get");
        Assert.Equal("retention", operation.GetProperty("operationId").GetString());
        Assert.Contains(operation.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "streams");
        Assert.Contains(operation.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "at");
    }

    [Theory]
    [InlineData("v2/retention/nope")]
    [InlineData("v2/retention/ret.two,nope")]
    [InlineData("v2/retention/ret.two,")]
    public async Task Retention_UnknownStream_Gets400NotFoundProblem(string path)
    {
        using var http = _server.CreateClient();
        using var response = await http.GetAsync(path).WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, body.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("not_found", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("GET", body.RootElement.GetProperty("method").GetString());
        Assert.Equal("/" + path, body.RootElement.GetProperty("uri").GetString());
        Assert.StartsWith("Invalid streams: ", body.RootElement.GetProperty("detail").GetString());
    }
}
