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
}
