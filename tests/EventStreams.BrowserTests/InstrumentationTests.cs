using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

/// <summary>The instrumentation developer's view (issue 10): validation errors, filters from values, find, relative starts.</summary>
[Collection(UiTests.Name)]
public sealed class InstrumentationTests(UiFixture fixture) : BrowserTest(fixture)
{
    internal static string Rejected(string stream, int seq, string message) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["$schema"] = "/error/2.1.0",
        ["meta"] = new Dictionary<string, object?> { ["stream"] = "ui.test.error.validation", ["id"] = Guid.NewGuid().ToString(), ["dt"] = DateTimeOffset.UtcNow.ToString("o") },
        ["emitter_id"] = "eventgate-analytics-external",
        ["error_type"] = "validation",
        ["errored_stream_name"] = stream,
        ["errored_schema_uri"] = "/analytics/ui_instr/1.0.0",
        ["message"] = message,
        ["raw_event"] = JsonSerializer.Serialize(new { tick = "seven", test_seq = seq, meta = new { domain = "en.wikipedia.org" }, @event = new { action = "jump" } }),
    });

    [Fact]
    public Task ValidationErrors_OneClickFromAStream_FilteredCountedAndHighlighted() => RunAsync(async page =>
    {
        await Server.ProduceAsync("eqiad.ui.test.error.validation", Rejected("ui.instr", 1, "'.tick' should be integer\n'.meta' should have required property 'stream'"));
        await Server.ProduceAsync("eqiad.ui.test.error.validation", Rejected("ui.instr", 2, "'.tick' should be integer"));
        await Server.ProduceAsync("eqiad.ui.test.error.validation", Rejected("ui.some.other", 3, "'.tick' should be integer"));

        await page.GotoAsync(Server.UiUrl());
        await page.FillAsync("#stream-search", "ui.instr");
        await page.GetByRole(AriaRole.Button, new() { Name = "Validation errors for ui.instr" }).ClickAsync();

        // The stream's destination_event_service (ui.test) names its error stream; the filter runs on the server.
        await WaitForShownAsync(page, 2);
        Assert.Contains("streams=ui.test.error.validation", page.Url, StringComparison.Ordinal);
        Assert.Contains("since=-1h", page.Url, StringComparison.Ordinal);
        Assert.Contains("filter=errored_stream_name%3Dui.instr", page.Url, StringComparison.Ordinal);
        Assert.Equal(new[] { 1, 2 }, await page.EvaluateAsync<int[]>("() => window.eventStreamsUi.shown().map(r => JSON.parse(JSON.parse(r).raw_event).test_seq)").WaitAsync(Step));

        // Error counts per errored stream and per message.
        var counts = page.Locator("#error-counts");
        await Expect(counts.Locator("summary")).ToHaveTextAsync("Validation errors: 2 rejected events in 1 stream (2 different messages)");
        await counts.Locator("summary").ClickAsync();
        await Expect(page.Locator("#errors-by-stream tr")).ToHaveTextAsync(["ui.instr2"]);
        await Expect(page.Locator("#errors-by-message tr").First).ToHaveTextAsync("'.tick' should be integer2ui.instr");

        // The failing paths are marked in the rejected event, and it can be copied alone.
        await page.Locator(".row.error:not([hidden])").First.ClickAsync();
        var box = page.Locator("#detail .validation");
        await Expect(box.Locator(".failing")).ToHaveCountAsync(2);
        await Expect(box.Locator(".leaf.failing")).ToContainTextAsync("tick: \"seven\"");
        await Expect(box.Locator(".failing-note", new() { HasText = "missing" })).ToHaveTextAsync("✖ missing: stream");
        await box.GetByRole(AriaRole.Button, new() { Name = "Copy rejected event" }).ClickAsync();
        using var copied = JsonDocument.Parse(await page.EvaluateAsync<string>("() => navigator.clipboard.readText()").WaitAsync(Step));
        Assert.Equal(1, copied.RootElement.GetProperty("test_seq").GetInt32());
        Assert.False(copied.RootElement.TryGetProperty("errored_stream_name", out _));
    });

    [Fact]
    public Task Filters_FromAValueAndInContainsRegexNumeric_SayWhereTheyRun() => RunAsync(async page =>
    {
        string[] types = ["edit", "new", "log", "edit", "new", "categorize"];
        for (var i = 1; i <= types.Length; i++)
        {
            await Server.ProduceAsync("eqiad.ui.value", UiServer.Edit("ui.value", i, type: types[i - 1], comment: i % 2 == 0 ? "Fixed a typo" : "Reverted"));
        }

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.value&since=0"));
        await WaitForShownAsync(page, 6);
        await page.Locator(".row:not([hidden])", new() { HasText = "Page 2 " }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter: type = new" }).ClickAsync();
        await Expect(page.Locator("#field-filters .chip")).ToHaveTextAsync(["type = new ✕"]);
        Assert.Contains("filter=type%3Dnew", page.Url, StringComparison.Ordinal);
        await WaitForShownAsync(page, 2);
        await page.Locator("#field-filters .chip").ClickAsync();
        await WaitForShownAsync(page, 6);

        await page.Locator(".row:not([hidden])", new() { HasText = "Page 3 " }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter: type ≠ log" }).ClickAsync();
        await WaitForShownAsync(page, 5);
        await page.Locator("#field-filters .chip").ClickAsync();
        await WaitForShownAsync(page, 6);

        async Task AddAsync(string filter)
        {
            await page.FillAsync("#new-filter", filter);
            await page.PressAsync("#new-filter", "Enter");
        }

        await AddAsync("type in edit, new");
        await WaitForShownAsync(page, 4);
        await Expect(page.Locator("#field-filters .chip.page")).ToHaveTextAsync(["type in edit,new ✕"]);
        await Expect(page.Locator("#server-filters")).ToContainTextAsync("Run in the page only (the server cannot): type in edit,new");
        await AddAsync("comment contains typo");
        await WaitForShownAsync(page, 2);
        await AddAsync("length.new >= 104");
        await WaitForShownAsync(page, 1);
        Assert.Equal(new[] { 4 }, await ShownSequenceAsync(page));
        await AddAsync("title ~ ^Page [0-3]$");
        await WaitForShownAsync(page, 0);
        await AddAsync("title ~ (");
        await Expect(page.Locator("#filter-error")).ToContainTextAsync("path ~ regex");
    });

    [Fact]
    public Task Find_HighlightsAndStepsThroughMatchesWithoutHiding() => RunAsync(async page =>
    {
        for (var i = 1; i <= 10; i++)
        {
            await Server.ProduceAsync("eqiad.ui.find", UiServer.Edit("ui.find", i, comment: i is 3 or 6 or 9 ? "a needle here" : "hay"));
        }

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.find&since=0"));
        await WaitForShownAsync(page, 10);
        await page.FillAsync("#find", "NEEDLE");
        await Expect(page.Locator("#find-count")).ToHaveTextAsync("3 matches");
        await Expect(page.Locator(".row.found:not([hidden])")).ToHaveCountAsync(3);
        Assert.Equal(10, await ShownAsync(page));

        await page.PressAsync("#find", "Enter");
        await Expect(page.Locator("#find-count")).ToHaveTextAsync("1 of 3");
        await Expect(page.Locator(".row.selected")).ToContainTextAsync("Page 3 ");
        await page.ClickAsync("#find-next");
        await Expect(page.Locator(".row.selected")).ToContainTextAsync("Page 6 ");
        await page.ClickAsync("#find-next");
        await page.ClickAsync("#find-next");
        await Expect(page.Locator("#find-count")).ToHaveTextAsync("1 of 3");
        await page.ClickAsync("#find-prev");
        await Expect(page.Locator(".row.selected")).ToContainTextAsync("Page 9 ");
        await Expect(page.Locator("#find-count")).ToHaveTextAsync("3 of 3");
    });

    [Fact]
    public Task RelativeStart_StaysRelativeInTheLinkAndSavedView() => RunAsync(async page =>
    {
        var now = DateTimeOffset.UtcNow;
        await Server.ProduceAsync("eqiad.ui.relative", UiServer.Edit("ui.relative", 1, time: now.AddMinutes(-30)), now.AddMinutes(-30));
        await Server.ProduceAsync("eqiad.ui.relative", UiServer.Edit("ui.relative", 2, time: now.AddMinutes(-5)), now.AddMinutes(-5));

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.relative"));
        await page.CheckAsync("input[name=start][value=time]");
        await page.GetByRole(AriaRole.Button, new() { Name = "15 min ago" }).ClickAsync();
        Assert.Contains("since=-15m", page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("#since-relative")).ToContainTextAsync("15 min before each start");
        await page.FillAsync("#view-name", "last quarter hour");
        await page.PressAsync("#view-name", "Enter");
        await Expect(page.Locator("#views a")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("since=-15m"));

        // The link opened live; the new start applies at once.
        await WaitForShownAsync(page, 1);
        Assert.Equal(new[] { 2 }, await ShownSequenceAsync(page));
    });
}
