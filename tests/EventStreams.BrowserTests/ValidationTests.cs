using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

[Collection(UiTests.Name)]
public sealed class ValidationTests(UiFixture fixture) : BrowserTest(fixture)
{
    /// <summary>An event shaped like EventGate's error/2.1.0: the errors as text, the rejected event as a string.</summary>
    public static string ErrorEvent(int seq) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["$schema"] = "/error/2.1.0",
        ["meta"] = new Dictionary<string, object?> { ["stream"] = "ui.test.error.validation", ["domain"] = "intake-analytics.wikimedia.org", ["dt"] = DateTimeOffset.UtcNow.ToString("o") },
        ["dt"] = DateTimeOffset.UtcNow.ToString("o"),
        ["emitter_id"] = "eventgate-analytics-external",
        ["error_type"] = "validation",
        ["errored_stream_name"] = "mediawiki.client.session_tick",
        ["errored_schema_uri"] = "/analytics/session_tick/2.0.0",
        ["message"] = "'.tick' should be integer\n'.meta' should have required property 'stream'",
        ["raw_event"] = JsonSerializer.Serialize(new { tick = "seven", test_seq = seq, meta = new { domain = "en.wikipedia.org" } }),
        ["seq"] = seq,
    });

    [Fact]
    public Task ValidationError_Detail_ShowsMessagesAndRejectedEvent() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.test.error.validation"));
        await WaitForLiveAsync(page);
        await Server.ProduceAsync("eqiad.ui.test.error.validation", ErrorEvent(4242));

        var row = page.Locator(".row.error:not([hidden])", new() { HasText = "mediawiki.client.session_tick: '.tick' should be integer" }).Last;
        await row.ClickAsync();

        var box = page.Locator("#detail .validation");
        await Expect(box.Locator("h3").First).ToHaveTextAsync("Rejected event for mediawiki.client.session_tick");
        await Expect(box.Locator(".messages li")).ToHaveTextAsync(["'.tick' should be integer", "'.meta' should have required property 'stream'"]);
        await Expect(box.Locator(".tree")).ToContainTextAsync("test_seq: 4242");
        await Expect(box.Locator(".tree")).ToContainTextAsync("tick: \"seven\"");
        await Expect(box).ToContainTextAsync("/analytics/session_tick/2.0.0");
    });
}
