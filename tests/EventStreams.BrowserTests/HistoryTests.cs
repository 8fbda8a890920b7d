using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

/// <summary>
/// Browsing history (issue 15, item 7): a time window that stops at its end, "Load older" paging back, and an offset
/// per partition — each exact: every event in range once, none outside, none missing at a boundary.
/// </summary>
[Collection(UiTests.Name)]
public sealed class HistoryTests(UiFixture fixture) : BrowserTest(fixture)
{
    private static readonly DateTimeOffset Base = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// eqiad has an event every minute (1–20) and one 1 ms before the window; codfw one every 2 minutes (101–110) and
    /// one 1 ms after it. The window 00:05–00:12 (both ends included) holds exactly eqiad 5–12 and codfw 103–106.
    /// </summary>
    [Fact]
    public Task TimeWindow_ShowsExactlyTheEventsFromStartToEnd_ThenStopsAndSaysSo() => RunAsync(async page =>
    {
        for (var i = 1; i <= 20; i++)
        {
            if (i == 5)
            {
                await Server.ProduceAsync("eqiad.ui.window", UiServer.Edit("ui.window", 198), Base.AddMinutes(5).AddMilliseconds(-1));
            }

            await Server.ProduceAsync("eqiad.ui.window", UiServer.Edit("ui.window", i, time: Base.AddMinutes(i)), Base.AddMinutes(i));
        }

        for (var i = 101; i <= 110; i++)
        {
            await Server.ProduceAsync("codfw.ui.window", UiServer.Edit("ui.window", i, time: Base.AddMinutes(2 * (i - 100))), Base.AddMinutes(2 * (i - 100)));
            if (i == 106)
            {
                await Server.ProduceAsync("codfw.ui.window", UiServer.Edit("ui.window", 199), Base.AddMinutes(12).AddMilliseconds(1));
            }
        }

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.window&since=2026-01-05T00:05:00.000Z&until=2026-01-05T00:12:00.000Z&filter=domain%3Dnobody"));
        await Expect(page.Locator("#status-text")).ToHaveTextAsync("Stopped at the end of the window (2026-01-05 00:12:00.000 UTC)", new() { Timeout = Timeout });
        await Expect(page.Locator("#stream")).ToHaveTextAsync("Stream");
        await Expect(page.Locator("#notices")).ToContainTextAsync("(12 events in the window)");
        await Expect(page.Locator("#until-on")).ToBeCheckedAsync();
        await Expect(page.Locator("#until")).ToHaveValueAsync("2026-01-05T00:12");

        // Field filters run in the page while a window is read (so its end is seen): this one hides all 12.
        Assert.Equal(0, await ShownAsync(page));
        await page.Locator(".chip.filter").ClickAsync();
        await WaitForShownAsync(page, 12);
        Assert.Equal([5, 6, 7, 8, 9, 10, 11, 12, 103, 104, 105, 106], (await ShownSequenceAsync(page)).Order());

        // Set by hand: the same window from the start panel.
        await page.ClickAsync("#clear");
        await page.ClickAsync("#until-on");
        Assert.DoesNotContain("until=", page.Url, StringComparison.Ordinal);
        await page.ClickAsync("#until-on");
        await page.FillAsync("#until", "2026-01-05T00:06");
        await page.Locator("#until").DispatchEventAsync("change");
        Assert.Contains("until=2026-01-05T00%3A06%3A00.000Z", page.Url, StringComparison.Ordinal);
        await page.ClickAsync("#stream");
        await Expect(page.Locator("#status-text")).ToHaveTextAsync("Stopped at the end of the window (2026-01-05 00:06:00.000 UTC)", new() { Timeout = Timeout });
        await WaitForShownAsync(page, 3);
        Assert.Equal([5, 6, 103], (await ShownSequenceAsync(page)).Order());
    });

    /// <summary>
    /// 130 events in eqiad, 60 in codfw; the last 6, then "Load older" three times (about 100 each, spread over the
    /// partitions that have older events) reaches the first event of each; every event once, in one run of offsets.
    /// </summary>
    [Fact]
    public Task LoadOlder_PagesBackExactly_WithoutRepeatsOrHoles() => RunAsync(async page =>
    {
        for (var i = 1; i <= 130; i++)
        {
            await Server.ProduceAsync("eqiad.ui.older", UiServer.Edit("ui.older", i, time: Base.AddSeconds(i)), Base.AddSeconds(i));
        }

        for (var i = 1001; i <= 1060; i++)
        {
            await Server.ProduceAsync("codfw.ui.older", UiServer.Edit("ui.older", i, time: Base.AddSeconds(2 * (i - 1000))), Base.AddSeconds(2 * (i - 1000)));
        }

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.older&since=last:6"));
        await WaitForShownAsync(page, 6);

        async Task LoadOlderAsync(string said, int[] expected)
        {
            await page.ClickAsync("#load-older");
            await Expect(page.Locator("#older-status")).ToHaveTextAsync(said, new() { Timeout = Timeout });
            var shown = await ShownSequenceAsync(page);
            Assert.Equal(expected, shown.Order());
        }

        static IEnumerable<int> From(int first, int last) => Enumerable.Range(first, last - first + 1);
        await LoadOlderAsync("Loaded 100 older events.", [.. From(78, 130), .. From(1008, 1060)]);
        await LoadOlderAsync("Loaded 57 older events.", [.. From(28, 130), .. From(1001, 1060)]);
        await LoadOlderAsync("Loaded 27 older events: the list now starts at the oldest retained event.", [.. From(1, 130), .. From(1001, 1060)]);
        await LoadOlderAsync("Nothing older: the list starts at the oldest retained event.", [.. From(1, 130), .. From(1001, 1060)]);

        // Older events go first, oldest at the top.
        var first = await page.EvaluateAsync<int>("() => JSON.parse(window.eventStreamsUi.shown()[0]).seq").WaitAsync(Step);
        Assert.Equal(1, first);
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.eventStreamsUi.stats.duplicates").WaitAsync(Step));
    });

    /// <summary>The start panel's offset per partition (in place of typing a JSON id) starts each partition exactly there.</summary>
    [Fact]
    public Task OffsetPicker_StartsEachPartitionAtItsOffset() => RunAsync(async page =>
    {
        for (var i = 1; i <= 10; i++)
        {
            await Server.ProduceAsync("eqiad.ui.pick", UiServer.Edit("ui.pick", i));
        }

        for (var i = 101; i <= 105; i++)
        {
            await Server.ProduceAsync("codfw.ui.pick", UiServer.Edit("ui.pick", i));
        }

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.pick"));
        await WaitForLiveAsync(page);
        await page.ClickAsync("#stop");
        await page.CheckAsync("input[name=start][value=id]");
        var eqiad = page.GetByLabel("Offset of eqiad.ui.pick partition 0");
        var codfw = page.GetByLabel("Offset of codfw.ui.pick partition 0");
        await Expect(page.Locator("#offset-rows tr", new() { HasText = "eqiad.ui.pick" })).ToContainTextAsync("0–9", new() { Timeout = Timeout });
        await Expect(page.Locator("#offset-rows tr", new() { HasText = "codfw.ui.pick" })).ToContainTextAsync("0–4");
        await eqiad.FillAsync("7");
        await eqiad.DispatchEventAsync("change");
        await codfw.FillAsync("3");
        await codfw.DispatchEventAsync("change");
        await Expect(page.Locator("#last-event-id")).ToHaveValueAsync("""[{"topic":"eqiad.ui.pick","partition":0,"offset":7},{"topic":"codfw.ui.pick","partition":0,"offset":3}]""");
        Assert.Contains("last_event_id=", page.Url, StringComparison.Ordinal);
        await page.ClickAsync("#stream");
        await WaitForShownAsync(page, 5);
        Assert.Equal([8, 9, 10, 104, 105], (await ShownSequenceAsync(page)).Order());

        // The link opens with the picker showing the same offsets.
        var linked = await page.Context.NewPageAsync().WaitAsync(Step);
        await linked.GotoAsync(page.Url);
        await Expect(linked.GetByLabel("Offset of eqiad.ui.pick partition 0")).ToHaveValueAsync("7", new() { Timeout = Timeout });
        await Expect(linked.GetByLabel("Offset of codfw.ui.pick partition 0")).ToHaveValueAsync("3");
        await WaitForShownAsync(linked, 5);
    });
}
