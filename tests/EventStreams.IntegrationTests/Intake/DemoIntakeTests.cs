using System.Text.Json;

namespace EventStreams.IntegrationTests.Intake;

/// <summary>The demo posts browser events through the intake: valid ticks reach their stream, the rest become real validation errors.</summary>
public sealed class DemoIntakeTests(DemoServerFixture fixture) : IClassFixture<DemoServerFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SessionTickStream_Demo_ValidTicksWithMetaFilledByTheIntake()
    {
        using var http = fixture.Server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/mediawiki.client.session_tick");

        var json = (await sse.NextEventAsync(Wait)).Json;

        Assert.Equal("/analytics/session_tick/2.0.0", json.GetProperty("$schema").GetString());
        Assert.True(json.GetProperty("tick").GetInt32() >= 0);
        Assert.True(Guid.TryParse(json.GetProperty("meta").GetProperty("id").GetString(), out _));
        Assert.Equal("eqiad.mediawiki.client.session_tick", json.GetProperty("meta").GetProperty("topic").GetString());
    }

    [Fact]
    public async Task ErrorStream_Demo_ErrorsComeFromValidationOfThePostedEvents()
    {
        using var http = fixture.Server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/eventgate-analytics-external.error.validation");

        var json = (await sse.NextEventAsync(Wait)).Json;

        Assert.Equal("eventgate-analytics-external", json.GetProperty("emitter_id").GetString());
        var raw = JsonDocument.Parse(json.GetProperty("raw_event").GetString()!).RootElement;
        // The raw event is what the browser sent: the intake adds meta.id only to events it accepts.
        Assert.False(raw.GetProperty("meta").TryGetProperty("id", out _));
        Assert.Contains(json.GetProperty("errored_stream_name").GetString(), new[] { "mediawiki.client.session_tick", "eventlogging_SearchSatisfaction" });
        Assert.Matches("^'\\.[$a-zA-Z_.]*' ", json.GetProperty("message").GetString());
    }
}
