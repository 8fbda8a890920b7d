using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

[Collection(UiTests.Name)]
public sealed class StreamingTests(UiFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public Task Picker_SearchAndSelect_ShowsCatalogueAndLiveEvents() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl());
        await page.FillAsync("#stream-search", "ui.liv");
        var option = page.Locator(".stream-option", new() { HasText = "ui.live" });
        await Expect(option).ToContainTextAsync("Test events for ui.live.");
        await Expect(option).ToContainTextAsync("mediawiki/recentchange");
        await Expect(option).ToContainTextAsync("eqiad.ui.live, codfw.ui.live");
        await Expect(page.Locator(".stream-option")).ToHaveCountAsync(1);
        await page.FillAsync("#stream-search", "validation");
        var error = page.Locator(".group", new() { HasText = "Validation errors" }).Locator(".stream-option");
        await Expect(error).ToContainTextAsync("ui.test.error.validation");
        await Expect(error.Locator(".badge")).ToHaveTextAsync("validation errors");

        await page.FillAsync("#stream-search", "ui.live");
        await option.Locator("input").CheckAsync();
        await page.ClickAsync("#stream");
        await WaitForLiveAsync(page);
        for (var i = 1; i <= 5; i++)
        {
            await Server.ProduceAsync("eqiad.ui.live", UiServer.Edit("ui.live", i));
        }

        await Expect(page.Locator("#count-shown")).ToHaveTextAsync("5");
        await Expect(page.Locator(".row:not([hidden])")).ToHaveCountAsync(5);
        await Expect(page.Locator(".row:not([hidden])").Last).ToContainTextAsync("edit · en.wikipedia.org · Page 5 · User5 (+5)");
        Assert.Contains("streams=ui.live", page.Url, StringComparison.Ordinal);
    });

    [Fact]
    public Task PauseResume_EventsProducedWhilePaused_ArriveWithNoGap() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.pause"));
        await WaitForLiveAsync(page);
        for (var i = 1; i <= 20; i++)
        {
            await Server.ProduceAsync(i % 2 == 0 ? "eqiad.ui.pause" : "codfw.ui.pause", UiServer.Edit("ui.pause", i));
        }

        await WaitForShownAsync(page, 20);
        await page.ClickAsync("#stream");
        await Expect(page.Locator("#stream")).ToHaveTextAsync("Resume");
        await Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "paused");
        for (var i = 21; i <= 40; i++)
        {
            await Server.ProduceAsync(i % 2 == 0 ? "eqiad.ui.pause" : "codfw.ui.pause", UiServer.Edit("ui.pause", i));
        }

        Assert.Equal(20, await ShownAsync(page));
        await page.ClickAsync("#stream");
        await WaitForShownAsync(page, 40);

        var seqs = await ShownSequenceAsync(page);
        Assert.Equal(Enumerable.Range(1, 40), seqs.Order());
        Assert.Equal("Pause", await page.TextContentAsync("#stream"));
    });

    [Fact]
    public Task Start_PointInTimeAndOldest_ShowOnlyEventsFromThere() => RunAsync(async page =>
    {
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddHours(-2);
        for (var i = 1; i <= 20; i++)
        {
            var time = start.AddMinutes(i * 5);
            await Server.ProduceAsync("eqiad.ui.since", UiServer.Edit("ui.since", i, time: time), time);
        }

        await page.GotoAsync(Server.UiUrl());
        await page.FillAsync("#stream-search", "ui.since");
        await page.Locator(".stream-option", new() { HasText = "ui.since" }).Locator("input").CheckAsync();
        await page.CheckAsync("input[name=start][value=time]");
        // Event 11 is at start + 55 min; the picker takes local time, and the context's zone is UTC.
        var since = start.AddMinutes(53).AddSeconds(7).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        await page.FillAsync("#since", since);
        await page.Locator("#since").DispatchEventAsync("change");
        Assert.Contains("since=" + Uri.EscapeDataString(since + ".000Z"), page.Url, StringComparison.Ordinal);
        await page.ClickAsync("#stream");
        await WaitForShownAsync(page, 10);
        Assert.Equal(Enumerable.Range(11, 10), await ShownSequenceAsync(page));

        await page.ClickAsync("#stop");
        await page.ClickAsync("#clear");
        await page.CheckAsync("input[name=start][value=oldest]");
        Assert.Contains("since=0", page.Url, StringComparison.Ordinal);
        await page.ClickAsync("#stream");
        await WaitForShownAsync(page, 20);
        Assert.Equal(Enumerable.Range(1, 20), await ShownSequenceAsync(page));
    });

    [Fact]
    public Task Start_FromAnEventId_ShowsOnlyTheEventsAfterIt() => RunAsync(async page =>
    {
        var time = DateTimeOffset.UtcNow.AddMinutes(-1);
        for (var i = 1; i <= 6; i++)
        {
            // Timestamps apart, because the default id form resumes at a timestamp (as Wikimedia's does).
            await Server.ProduceAsync("eqiad.ui.fromid", UiServer.Edit("ui.fromid", i), time.AddMilliseconds(i * 10));
        }

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.fromid&since=0"));
        await WaitForShownAsync(page, 6);
        await page.Locator(".row:not([hidden])", new() { HasText = "Page 3 " }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Start after this event" }).ClickAsync();
        await Expect(page.Locator("input[name=start][value=id]")).ToBeCheckedAsync();
        await Expect(page.Locator("#last-event-id")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("eqiad\\.ui\\.fromid"));
        Assert.Contains("last_event_id=", page.Url, StringComparison.Ordinal);
        await page.ClickAsync("#stop");
        await page.ClickAsync("#clear");
        await page.ClickAsync("#stream");
        await WaitForShownAsync(page, 3);
        Assert.Equal(new[] { 4, 5, 6 }, await ShownSequenceAsync(page));

        // A pasted id in the exact offset form: the next event to read from each partition.
        await page.ClickAsync("#stop");
        await page.ClickAsync("#clear");
        await page.FillAsync("#last-event-id", """[{"topic":"eqiad.ui.fromid","partition":0,"offset":4},{"topic":"codfw.ui.fromid","partition":0,"offset":0}]""");
        await page.Locator("#last-event-id").DispatchEventAsync("change");
        await page.ClickAsync("#stream");
        await WaitForShownAsync(page, 2);
        Assert.Equal(new[] { 5, 6 }, await ShownSequenceAsync(page));
    });

    [Fact]
    public Task Selection_StreamAddedWhileLive_KeepsThePositionOfTheOthers() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.sel.a"));
        await WaitForLiveAsync(page);
        for (var i = 1; i <= 3; i++)
        {
            await Server.ProduceAsync("eqiad.ui.sel.a", UiServer.Edit("ui.sel.a", i));
        }

        await WaitForShownAsync(page, 3);
        await page.FillAsync("#stream-search", "ui.sel.b");
        await page.PressAsync("#stream-search", "Enter");
        await Expect(page.Locator("#selected-streams .chip")).ToHaveTextAsync(["ui.sel.a ✕", "ui.sel.b ✕"]);
        // Written while the page reconnects: the kept stream resumes from its position, so nothing is lost.
        await Server.ProduceAsync("eqiad.ui.sel.a", UiServer.Edit("ui.sel.a", 4));
        await WaitForLiveAsync(page);
        await Server.ProduceAsync("codfw.ui.sel.b", UiServer.Edit("ui.sel.b", 100));
        await Server.ProduceAsync("eqiad.ui.sel.a", UiServer.Edit("ui.sel.a", 5));

        await WaitForShownAsync(page, 6);
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 100 }, (await ShownSequenceAsync(page)).Order());
        Assert.Contains("streams=ui.sel.a,ui.sel.b", page.Url, StringComparison.Ordinal);
    });

    [Fact]
    public Task SignalR_LiveEventsAndPauseResume_ArriveWithNoGap() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.hub&transport=signalr"));
        await Expect(page.Locator("#status-text")).ToHaveTextAsync("Streaming over SignalR");
        await Expect(page.Locator("#transport")).ToHaveValueAsync("signalr");
        for (var i = 1; i <= 10; i++)
        {
            await Server.ProduceAsync(i % 2 == 0 ? "eqiad.ui.hub" : "codfw.ui.hub", UiServer.Edit("ui.hub", i));
        }

        await WaitForShownAsync(page, 10);
        await page.ClickAsync("#stream");
        await Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "paused");
        for (var i = 11; i <= 20; i++)
        {
            await Server.ProduceAsync(i % 2 == 0 ? "eqiad.ui.hub" : "codfw.ui.hub", UiServer.Edit("ui.hub", i));
        }

        await page.ClickAsync("#stream");
        await WaitForShownAsync(page, 20);
        Assert.Equal(Enumerable.Range(1, 20), (await ShownSequenceAsync(page)).Order());

        // Back to SSE while live: it carries on from the last event.
        await page.SelectOptionAsync("#transport", "sse");
        await Expect(page.Locator("#status-text")).ToHaveTextAsync("Streaming");
        await Server.ProduceAsync("eqiad.ui.hub", UiServer.Edit("ui.hub", 21));
        await WaitForShownAsync(page, 21);
        Assert.DoesNotContain("transport=", page.Url, StringComparison.Ordinal);
    });

    [Fact]
    public Task SignalR_UnknownStream_IsRefusedInWords() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=no.such.stream&transport=signalr"));

        await Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "failed");
        await Expect(page.Locator("#status-text")).ToHaveTextAsync("Refused: not_found: Invalid streams: no.such.stream");
    });
}
