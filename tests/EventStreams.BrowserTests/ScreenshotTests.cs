using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

/// <summary>Writes the README's screenshots of the main views, light and dark, to docs/screenshots/.</summary>
[Collection(UiTests.Name)]
public sealed class ScreenshotTests(UiFixture fixture) : BrowserTest(fixture)
{
    private static readonly string[] Domains = ["en.wikipedia.org", "de.wikipedia.org", "commons.wikimedia.org", "www.wikidata.org", "fr.wikipedia.org"];

    [Theory]
    [InlineData(ColorScheme.Light, "light")]
    [InlineData(ColorScheme.Dark, "dark")]
    public Task MainViews_Screenshots_AreWritten(ColorScheme scheme, string name) => RunAsync(async page =>
    {
        var directory = UiFixture.ScreenshotDirectory;
        Directory.CreateDirectory(directory);
        var stream = $"ui.shots";
        await page.GotoAsync(Server.UiUrl($"#/?streams={stream},ui.test.error.validation"));
        await WaitForLiveAsync(page);
        var before = await ShownAsync(page);
        // Spread over about three seconds, so that the rate chart has a shape.
        for (var i = 1; i <= 60; i++)
        {
            var type = i % 9 == 0 ? "log" : i % 5 == 0 ? "new" : "edit";
            Server.Produce(i % 2 == 0 ? $"eqiad.{stream}" : $"codfw.{stream}", UiServer.Edit(stream, i, Domains[i % Domains.Length], type));
            if (i % 15 == 0)
            {
                Server.Produce("eqiad.ui.test.error.validation", ValidationTests.ErrorEvent(i));
                Server.Flush();
                await WaitForShownAsync(page, before + i + (i / 15));
                await page.WaitForFunctionAsync("s => Date.now() >= s", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 + 1000);
            }
        }

        await page.WaitForFunctionAsync("() => window.eventStreamsUi.stats.receivedPerSecond < 1", null, new() { Timeout = Timeout });
        await page.Locator(".row:not([hidden])").Nth(12).ClickAsync();
        await Expect(page.Locator("#detail")).ToBeVisibleAsync();
        var path = Path.Combine(directory, $"ui-{name}.png");
        await page.ScreenshotAsync(new() { Path = path, Animations = ScreenshotAnimations.Disabled }).WaitAsync(Step);
        Assert.True(new FileInfo(path).Length > 10_000);

        await page.FillAsync("#text-filter", "session_tick");
        await WaitForShownAsync(page, 4);
        await page.Locator(".row.error:not([hidden])").First.ClickAsync();
        await Expect(page.Locator("#detail .validation")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(directory, $"ui-validation-error-{name}.png"), Animations = ScreenshotAnimations.Disabled }).WaitAsync(Step);

        await page.Keyboard.PressAsync("Escape");
        await page.FillAsync("#text-filter", "");
        await WaitForShownAsync(page, before + 64);
        await page.SetViewportSizeAsync(390, 800);
        await page.ScreenshotAsync(new() { Path = Path.Combine(directory, $"ui-narrow-{name}.png"), Animations = ScreenshotAnimations.Disabled }).WaitAsync(Step);
    }, new BrowserNewContextOptions { ColorScheme = scheme });

    /// <summary>
    /// Browsing history: a start offset per partition, "Stop at" (the window stopped at its end and says so) and
    /// "Load older" having paged back.
    /// </summary>
    [Theory]
    [InlineData(ColorScheme.Light, "light")]
    [InlineData(ColorScheme.Dark, "dark")]
    public Task History_Screenshots_AreWritten(ColorScheme scheme, string name) => RunAsync(async page =>
    {
        const string stream = "ui.shots.history";
        var start = HistoryStart;
        _history ??= ProduceHistoryAsync(stream, start);
        await _history.WaitAsync(TimeSpan.FromSeconds(60));

        // Each partition from its offset 25 (events 26–), up to minute 32 (both partitions' events of minutes 26–32).
        var id = Uri.EscapeDataString($$"""[{"topic":"eqiad.{{stream}}","partition":0,"offset":25},{"topic":"codfw.{{stream}}","partition":0,"offset":25}]""");
        var until = Uri.EscapeDataString(start.AddMinutes(32).AddSeconds(30).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
        await page.GotoAsync(Server.UiUrl($"#/?streams={stream}&last_event_id={id}&until={until}"));
        await Expect(page.Locator("#status-text")).ToContainTextAsync("Stopped at the end of the window", new() { Timeout = Timeout });
        await WaitForShownAsync(page, 14);
        await page.ClickAsync("#load-older");
        await Expect(page.Locator("#older-status")).ToContainTextAsync("Loaded 50 older events", new() { Timeout = Timeout });
        await page.Locator("#until-hint").ScrollIntoViewIfNeededAsync();
        var path = Path.Combine(UiFixture.ScreenshotDirectory, $"ui-history-{name}.png");
        Directory.CreateDirectory(UiFixture.ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = path, Animations = ScreenshotAnimations.Disabled }).WaitAsync(Step);
        Assert.True(new FileInfo(path).Length > 10_000);
    }, new BrowserNewContextOptions { ColorScheme = scheme });

    private static readonly DateTimeOffset HistoryStart = new DateTimeOffset(DateTimeOffset.UtcNow.Date, TimeSpan.Zero).AddHours(-21);
    private static Task? _history;

    /// <summary>40 events in each partition, one a minute (codfw 30 s later), once for both themes.</summary>
    private async Task ProduceHistoryAsync(string stream, DateTimeOffset start)
    {
        for (var i = 1; i <= 40; i++)
        {
            var time = start.AddMinutes(i);
            await Server.ProduceAsync($"eqiad.{stream}", UiServer.Edit(stream, i, Domains[i % Domains.Length], i % 6 == 0 ? "new" : "edit", time), time);
            time = time.AddSeconds(30);
            await Server.ProduceAsync($"codfw.{stream}", UiServer.Edit(stream, 100 + i, Domains[(i + 2) % Domains.Length], "edit", time), time);
        }
    }
}
