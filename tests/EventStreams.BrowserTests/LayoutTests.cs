using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

[Collection(UiTests.Name)]
public sealed class LayoutTests(UiFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public Task Theme_FollowsTheSystemAndAChoiceThatSticks() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl());
        var background = "() => getComputedStyle(document.body).backgroundColor";
        Assert.Equal("rgb(15, 19, 24)", await page.EvaluateAsync<string>(background).WaitAsync(Step));

        await page.SelectOptionAsync("#theme", "light");
        Assert.Equal("rgb(255, 255, 255)", await page.EvaluateAsync<string>(background).WaitAsync(Step));
        await page.ReloadAsync();
        await Expect(page.Locator("#theme")).ToHaveValueAsync("light");
        Assert.Equal("rgb(255, 255, 255)", await page.EvaluateAsync<string>(background).WaitAsync(Step));
    }, new BrowserNewContextOptions { ColorScheme = ColorScheme.Dark });

    [Fact]
    public Task NarrowScreen_ControlsFoldAwayAndTheDetailCoversTheList() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.narrow"));
        await WaitForLiveAsync(page);
        await Expect(page.Locator("#controls")).Not.ToBeInViewportAsync();
        await page.ClickAsync("#toggle-controls");
        await Expect(page.Locator("#controls")).ToBeInViewportAsync();
        await Expect(page.Locator("#toggle-controls")).ToHaveAttributeAsync("aria-expanded", "true");
        await page.ClickAsync("#toggle-controls");
        await Expect(page.Locator("#controls")).Not.ToBeInViewportAsync();

        await Server.ProduceAsync("eqiad.ui.narrow", UiServer.Edit("ui.narrow", 500));
        await page.Locator(".row:not([hidden])", new() { HasText = "Page 500" }).ClickAsync();
        var detail = await page.Locator("#detail").BoundingBoxAsync();
        Assert.Equal(390, detail!.Width, 1);
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#detail")).ToBeHiddenAsync();
    }, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 800 } });
}
