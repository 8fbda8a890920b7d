using System.Diagnostics;
using System.Net;
using System.Text.Json;
using static EventStreams.IntegrationTests.Intake.IntakeClient;

namespace EventStreams.IntegrationTests.Intake;

/// <summary>The whole loop: POST an event, read it on its stream; POST a bad one, read its error on the error stream.</summary>
public sealed class IntakeEndToEndTests(IntakeServerFixture fixture) : IClassFixture<IntakeServerFixture>
{
    [Fact]
    public async Task Post_ValidEvent_ArrivesOnItsStreamFromTheFirstTopicWithMetaFilledIn()
    {
        using var http = fixture.Server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/intake.good");
        Assert.Equal("ok", (await sse.ReadAsync(Wait))!.Comment);
        var marker = Guid.NewGuid().ToString("N");

        var clock = Stopwatch.StartNew();
        var answer = await PostAsync(http, Good(marker));
        var e = await NextWithMarkerAsync(sse, marker);
        var elapsed = clock.Elapsed;

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        var meta = e.GetProperty("meta");
        Assert.Equal("eqiad.intake.good", meta.GetProperty("topic").GetString());
        Assert.Equal("intake.good", meta.GetProperty("stream").GetString());
        Assert.True(Guid.TryParse(meta.GetProperty("id").GetString(), out _));
        var dt = DateTimeOffset.Parse(meta.GetProperty("dt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - dt, TimeSpan.FromSeconds(-5), TimeSpan.FromSeconds(60));
        Assert.Equal("click", e.GetProperty("action").GetString());
        // The figure the issue asks for is measured by the bench; here only that it is not held back for seconds (a 1 s
        // linger, a missed wake-up). 5 s, not 2: a loaded CI machine once took 2.3 s with nothing held back.
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"POST → delivered took {elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task Post_Hasty_EventArrivesAfterThe202()
    {
        using var http = fixture.Server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/intake.good");
        await sse.ReadAsync(Wait);
        var marker = Guid.NewGuid().ToString("N");

        var answer = await PostAsync(http, Good(marker), query: "?hasty=true");
        var e = await NextWithMarkerAsync(sse, marker);

        Assert.Equal(HttpStatusCode.Accepted, answer.Status);
        Assert.Equal("eqiad.intake.good", e.GetProperty("meta").GetProperty("topic").GetString());
    }

    [Fact]
    public async Task Post_InvalidEvent_ErrorEventOnTheServicesErrorStream()
    {
        using var http = fixture.Server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/eventgate-test.error.validation");
        await sse.ReadAsync(Wait);
        var marker = Guid.NewGuid().ToString("N");
        var bad = $$"""{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good","domain":"test.org","uri":"https://test.org/x"},"action":"jump","count":1,"tags":["{{marker}}"]}""";

        var answer = await PostAsync(http, bad);
        var error = await NextWithMarkerAsync(sse, marker);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("/error/2.1.0", error.GetProperty("$schema").GetString());
        Assert.Equal("eventgate-test.error.validation", error.GetProperty("meta").GetProperty("stream").GetString());
        Assert.Equal("eqiad.eventgate-test.error.validation", error.GetProperty("meta").GetProperty("topic").GetString());
        Assert.Equal("test.org", error.GetProperty("meta").GetProperty("domain").GetString());
        Assert.Equal("https://test.org/x", error.GetProperty("meta").GetProperty("uri").GetString());
        Assert.Equal("eventgate-test", error.GetProperty("emitter_id").GetString());
        Assert.Equal("validation", error.GetProperty("error_type").GetString());
        Assert.Equal("intake.good", error.GetProperty("errored_stream_name").GetString());
        Assert.Equal("/test/intake/1.0.0", error.GetProperty("errored_schema_uri").GetString());
        Assert.StartsWith("'.action' ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonDocument.Parse(bad).RootElement.GetRawText(), JsonDocument.Parse(error.GetProperty("raw_event").GetString()!).RootElement.GetRawText());
    }

    [Fact]
    public async Task Post_EventForAnUndeclaredStream_ErrorGoesToTheIntakesOwnService()
    {
        using var http = fixture.Server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/eventgate-test.error.validation");
        await sse.ReadAsync(Wait);
        var marker = Guid.NewGuid().ToString("N");

        await PostAsync(http, $$$"""{"$schema":"/test/intake/1.0.0","meta":{"stream":"nowhere.{{{marker}}}"}}""");
        var error = await NextWithMarkerAsync(sse, marker);

        Assert.Equal($"nowhere.{marker}", error.GetProperty("errored_stream_name").GetString());
    }

    [Fact]
    public async Task Post_EventForAnotherServicesStream_ErrorGoesToThisIntakesErrorStream()
    {
        using var http = fixture.Server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/eventgate-test.error.validation");
        await sse.ReadAsync(Wait);
        var marker = Guid.NewGuid().ToString("N");

        await PostAsync(http, $$"""{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.elsewhere"},"action":"view","count":1,"tags":["{{marker}}"]}""");
        var error = await NextWithMarkerAsync(sse, marker);

        Assert.Equal("intake.elsewhere", error.GetProperty("errored_stream_name").GetString());
        Assert.Equal("eventgate-test", error.GetProperty("emitter_id").GetString());
    }

    /// <summary>The next event on <paramref name="sse"/> whose JSON mentions <paramref name="marker"/> (other tests share the streams).</summary>
    private static async Task<JsonElement> NextWithMarkerAsync(SseClient sse, string marker)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var e = await sse.NextEventAsync(deadline - DateTime.UtcNow > TimeSpan.Zero ? deadline - DateTime.UtcNow : TimeSpan.FromMilliseconds(1));
            if (e.Data!.Contains(marker, StringComparison.Ordinal))
            {
                return e.Json;
            }
        }
    }
}
