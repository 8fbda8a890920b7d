using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

/// <summary>How far back each stream goes (from <c>GET v2/retention/...</c>) and the "last N events" start built from it.</summary>
[Collection(UiTests.Name)]
public sealed class RetentionTests(UiFixture fixture) : BrowserTest(fixture)
{
    private static readonly DateTimeOffset Oldest = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    /// <summary>
    /// ui.lastn has two topics (eqiad., codfw.) of one partition each: 20 and 4 events. The last 6 events are the last 3
    /// of each partition; the link keeps "since=last:6" and opens on the same events.
    /// </summary>
    [Fact]
    public Task LastNEvents_StartsCeilNOverPartitionsBackAndShowsTheOldestTime() => RunAsync(async page =>
    {
        for (var i = 1; i <= 20; i++)
        {
            await Server.ProduceAsync("eqiad.ui.lastn", UiServer.Edit("ui.lastn", i), Oldest.AddMinutes(i));
        }

        for (var i = 101; i <= 104; i++)
        {
            await Server.ProduceAsync("codfw.ui.lastn", UiServer.Edit("ui.lastn", i), Oldest.AddMinutes(i - 101));
        }

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.lastn"));
        await WaitForLiveAsync(page);
        await Expect(page.Locator("#retention")).ToHaveTextAsync("data from 2026-01-02 03:04:05 UTC", new() { Timeout = Timeout });

        Assert.Equal(0, await ShownAsync(page));
        await page.ClickAsync("#stop");
        await page.CheckAsync("input[name=start][value=last]");
        await page.FillAsync("#last-n", "6");
        await page.Locator("#last-n").DispatchEventAsync("change");
        Assert.Contains("since=last%3A6", page.Url, StringComparison.Ordinal);
        await page.ClickAsync("#stream");
        await WaitForShownAsync(page, 6);
        Assert.Equal([18, 19, 20, 102, 103, 104], (await ShownSequenceAsync(page)).Order());

        var linked = await page.Context.NewPageAsync();
        await linked.GotoAsync(Server.UiUrl("#/?streams=ui.lastn&since=last:6"));
        await Expect(linked.Locator("input[name=start][value=last]")).ToBeCheckedAsync();
        await Expect(linked.Locator("#last-n")).ToHaveValueAsync("6");
        await WaitForShownAsync(linked, 6);
        Assert.Equal([18, 19, 20, 102, 103, 104], (await ShownSequenceAsync(linked)).Order());
    });
}
