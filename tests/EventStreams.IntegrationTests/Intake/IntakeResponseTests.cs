using System.Net;
using System.Text;
using System.Text.Json;
using static EventStreams.IntegrationTests.Intake.IntakeClient;

namespace EventStreams.IntegrationTests.Intake;

/// <summary>POST /v1/events answers as EventGate does: each status code, each kind of invalid event, the limits.</summary>
public sealed class IntakeResponseTests(IntakeServerFixture fixture) : IClassFixture<IntakeServerFixture>
{
    private static string Marker() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Post_OneValidEvent_204WithEventGatesMessage()
    {
        using var http = fixture.Server.CreateClient();

        var answer = await PostAsync(http, Good(Marker()));

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.Equal("All 1 out of 1 events were accepted.", answer.ReasonPhrase);
        Assert.Equal("", answer.Body);
    }

    [Fact]
    public async Task Post_ArrayOfValidEvents_204()
    {
        using var http = fixture.Server.CreateClient();

        var answer = await PostAsync(http, $"[{Good(Marker())},{Good(Marker())},{Good(Marker())}]");

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.Equal("All 3 out of 3 events were accepted.", answer.ReasonPhrase);
    }

    [Fact]
    public async Task Post_TextPlainBeacon_204()
    {
        using var http = fixture.Server.CreateClient();

        var answer = await PostAsync(http, Good(Marker()), "text/plain;charset=UTF-8");

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
    }

    [Fact]
    public async Task Post_Hasty_202AtOnceWithNoBody()
    {
        using var http = fixture.Server.CreateClient();

        var answer = await PostAsync(http, $"[{Good(Marker())},{{\"not\":\"valid\"}}]", query: "?hasty=true");

        Assert.Equal(HttpStatusCode.Accepted, answer.Status);
        Assert.Equal("", answer.Body);
    }

    [Fact]
    public async Task Post_AllInvalid_400WithInvalidListOnly()
    {
        using var http = fixture.Server.CreateClient();
        var bad = """{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"click","count":"one"}""";

        var answer = await PostAsync(http, $"[{bad},{bad}]");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("2 out of 2 events were invalid and not accepted.", answer.ReasonPhrase);
        var json = answer.Json;
        Assert.False(json.TryGetProperty("error", out _));
        var invalid = json.GetProperty("invalid").EnumerateArray().ToList();
        Assert.Equal(2, invalid.Count);
        Assert.All(invalid, entry =>
        {
            Assert.Equal("invalid", entry.GetProperty("status").GetString());
            Assert.Equal("one", entry.GetProperty("event").GetProperty("count").GetString());
            var error = Assert.Single(entry.GetProperty("context").GetProperty("errors").EnumerateArray());
            Assert.Equal("/count", error.GetProperty("instancePath").GetString());
            Assert.StartsWith("'.count' ", entry.GetProperty("context").GetProperty("errorsText").GetString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Post_MixedBatch_207WithTheFailuresAndTheGoodOnesProduced()
    {
        using var http = fixture.Server.CreateClient();
        var marker = Marker();
        var bad = """{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"jump","count":1}""";

        var answer = await PostAsync(http, $"[{Good(marker)},{bad},{Good(marker)}]");

        Assert.Equal(HttpStatusCode.MultiStatus, answer.Status);
        Assert.Equal("2 out of 3 events were accepted, but 1 failed (1 invalid and 0 errored).", answer.ReasonPhrase);
        var json = answer.Json;
        Assert.Empty(json.GetProperty("error").EnumerateArray());
        var entry = Assert.Single(json.GetProperty("invalid").EnumerateArray());
        Assert.Equal("jump", entry.GetProperty("event").GetProperty("action").GetString());
        Assert.Equal("enum", entry.GetProperty("context").GetProperty("errors")[0].GetProperty("keyword").GetString());
    }

    [Fact]
    public async Task Post_LargeMixedBatch_EveryInvalidOneListedInOrder()
    {
        using var http = fixture.Server.CreateClient();
        var events = Enumerable.Range(0, 300).Select(i => i % 10 == 3
            ? $$"""{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"click","count":-{{i}}}"""
            : Good(Marker()));

        var answer = await PostAsync(http, "[" + string.Join(',', events) + "]");

        Assert.Equal(HttpStatusCode.MultiStatus, answer.Status);
        Assert.Equal("270 out of 300 events were accepted, but 30 failed (30 invalid and 0 errored).", answer.ReasonPhrase);
        var counts = answer.Json.GetProperty("invalid").EnumerateArray().Select(e => -e.GetProperty("event").GetProperty("count").GetInt32());
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (i * 10) + 3), counts);
    }

    public static TheoryData<string, string, string> InvalidEvents => new()
    {
        // kind, event, the failing instance path
        { "type", """{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"click","count":"1"}""", "/count" },
        { "required", """{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"click"}""", "/count" },
        { "enum", """{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"jump","count":1}""", "/action" },
        { "format", """{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"view","count":1,"seen_at":"yesterday"}""", "/seen_at" },
        { "minimum", """{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"view","count":-1}""", "/count" },
        { "nested type", """{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"view","count":1,"tags":["a",2]}""", "/tags/1" },
        { "unknown stream", """{"$schema":"/test/intake/1.0.0","meta":{"stream":"no.such.stream"},"action":"view","count":1}""", "/meta/stream" },
        { "another service's stream", """{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.elsewhere"},"action":"view","count":1}""", "/meta/stream" },
        { "schema title mismatch", """{"$schema":"/test/other/1.0.0","meta":{"stream":"intake.good"},"n":1}""", "/$schema" },
        { "unresolvable $schema", """{"$schema":"/test/intake/9.9.9","meta":{"stream":"intake.good"},"action":"view","count":1}""", "/$schema" },
        { "absolute $schema", """{"$schema":"https://example.org/test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"view","count":1}""", "/$schema" },
        { "path escaping the base", """{"$schema":"/../test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"view","count":1}""", "/$schema" },
        { "escaped path", """{"$schema":"/%2e%2e/test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"view","count":1}""", "/$schema" },
        { "missing $schema", """{"meta":{"stream":"intake.good"},"action":"view","count":1}""", "/$schema" },
        { "missing meta.stream", """{"$schema":"/test/intake/1.0.0","meta":{},"action":"view","count":1}""", "/meta/stream" },
        { "not an object", "42", "" },
    };

    [Theory]
    [MemberData(nameof(InvalidEvents))]
    public async Task Post_InvalidEvent_400NamingThePathAndWhy(string kind, string e, string path)
    {
        using var http = fixture.Server.CreateClient();

        var answer = await PostAsync(http, e);

        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{kind}: HTTP {(int)answer.Status} {answer.Body}");
        var entry = Assert.Single(answer.Json.GetProperty("invalid").EnumerateArray());
        Assert.Equal(JsonDocument.Parse(e).RootElement.GetRawText(), entry.GetProperty("event").GetRawText());
        var errors = entry.GetProperty("context").GetProperty("errors").EnumerateArray().ToList();
        Assert.Contains(errors, x => x.GetProperty("instancePath").GetString() == path);
        Assert.All(errors, x => Assert.False(string.IsNullOrWhiteSpace(x.GetProperty("message").GetString())));
    }

    [Fact]
    public async Task Post_LatestSymlinkAndJsonOnlySchema_ResolvedInTheRepositoryLayout()
    {
        using var http = fixture.Server.CreateClient();

        var latest = await PostAsync(http, Good(Marker(), "/test/intake/latest"));
        var json = await PostAsync(http, """{"$schema":"/test/other/1.0.0","meta":{"stream":"intake.other"},"n":7}""");

        Assert.Equal(HttpStatusCode.NoContent, latest.Status);
        Assert.Equal(HttpStatusCode.NoContent, json.Status);
    }

    [Fact]
    public async Task Post_MetaIdAndDtGiven_KeptAsSent()
    {
        using var http = fixture.Server.CreateClient();
        var e = """{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good","id":"my-id","dt":"not a date"},"action":"click","count":1}""";

        var answer = await PostAsync(http, e);

        // A given meta.dt is validated, not replaced.
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("/meta/dt", answer.Json.GetProperty("invalid")[0].GetProperty("context").GetProperty("errors")[0].GetProperty("instancePath").GetString());
    }

    [Theory]
    [InlineData("", "empty_body")]
    [InlineData("   \n", "empty_body")]
    [InlineData("[]", "empty_body")]
    [InlineData("{\"$schema\":", "invalid_json")]
    [InlineData("not json", "invalid_json")]
    [InlineData("{} {}", "invalid_json")]
    public async Task Post_EmptyOrMalformedBody_400Problem(string body, string type)
    {
        using var http = fixture.Server.CreateClient();

        var answer = await PostAsync(http, body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(type, answer.Json.GetProperty("type").GetString());
        Assert.Equal(400, answer.Json.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Post_NestedDeeperThanMaxDepth_400InvalidJson()
    {
        using var http = fixture.Server.CreateClient();
        var deep = new string('[', 17) + new string(']', 17);

        var answer = await PostAsync(http, $$"""{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"click","count":1,"deep":{{deep}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_json", answer.Json.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Post_BodyOverTheLimit_413WithContentLength()
    {
        using var http = fixture.Server.CreateClient();
        var big = $$"""{"pad":"{{new string('x', IntakeServerFixture.MaxBodyBytes)}}"}""";

        var answer = await PostAsync(http, big);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Equal("payload_too_large", answer.Json.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Post_ChunkedBodyOverTheLimit_413WithoutReadingItAll()
    {
        using var http = fixture.Server.CreateClient();
        // No Content-Length: the limit must hold while reading. The client would send 100 times the limit.
        var chunk = Encoding.UTF8.GetBytes(new string(' ', 64 * 1024));
        using var content = new PushContent(async stream =>
        {
            for (var i = 0; i < 100 * IntakeServerFixture.MaxBodyBytes / chunk.Length; i++)
            {
                await stream.WriteAsync(chunk);
            }
        });

        using var response = await http.PostAsync("v1/events", content).WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Post_MoreEventsThanTheLimit_413TooManyEvents()
    {
        using var http = fixture.Server.CreateClient();
        var body = "[" + string.Join(',', Enumerable.Repeat("{}", IntakeServerFixture.MaxEvents + 1)) + "]";

        var answer = await PostAsync(http, body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Equal("too_many_events", answer.Json.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Post_FormContentType_415()
    {
        using var http = fixture.Server.CreateClient();

        var answer = await PostAsync(http, Good(Marker()), "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.Status);
        Assert.Equal("unsupported_media_type", answer.Json.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Preflight_BrowserPostFromAnotherOrigin_Allowed()
    {
        using var http = fixture.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "v1/events");
        request.Headers.Add("Origin", "https://en.wikipedia.org");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");

        using var response = await http.SendAsync(request).WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
    }

    /// <summary>A request body written as the test goes, sent chunked (no Content-Length).</summary>
    private sealed class PushContent(Func<Stream, Task> write) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => write(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
