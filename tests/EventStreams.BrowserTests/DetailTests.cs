using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

[Collection(UiTests.Name)]
public sealed class DetailTests(UiFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public Task Detail_KeyboardAndClick_ShowPositionTreeJsonYamlAndCopy() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.detail"));
        await WaitForLiveAsync(page);
        for (var i = 1; i <= 3; i++)
        {
            await Server.ProduceAsync("codfw.ui.detail", UiServer.Edit("ui.detail", i, "de.wikipedia.org"));
        }

        await WaitForShownAsync(page, 3);

        // Keyboard: focus the list, Home selects the first event, ArrowDown the next, Enter opens it.
        await page.FocusAsync("#list");
        await page.Keyboard.PressAsync("Home");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Enter");
        var detail = page.Locator("#detail");
        await Expect(detail.Locator("h2")).ToHaveTextAsync("edit · de.wikipedia.org · Page 2 · User2 (+2)");
        await Expect(page.Locator(".row.selected")).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(detail.Locator(".facts").First).ToContainTextAsync("Topiccodfw.ui.detail");
        await Expect(detail.Locator(".facts").First).ToContainTextAsync("Partition0");
        await Expect(detail.Locator(".facts").First).ToContainTextAsync("Offset1");

        // The tree collapses and expands.
        var meta = detail.Locator(".tree details details").First;
        await Expect(meta).ToHaveAttributeAsync("open", "");
        await meta.Locator("summary").First.ClickAsync();
        await Expect(meta).Not.ToHaveAttributeAsync("open", "");

        await detail.GetByRole(Microsoft.Playwright.AriaRole.Tab, new() { Name = "JSON" }).ClickAsync();
        var json = JsonDocument.Parse(await detail.Locator("pre").TextContentAsync() ?? "").RootElement;
        Assert.Equal(2, json.GetProperty("seq").GetInt32());
        await detail.GetByRole(Microsoft.Playwright.AriaRole.Tab, new() { Name = "YAML" }).ClickAsync();
        await Expect(detail.Locator("pre")).ToContainTextAsync("meta:\n  stream: ui.detail\n  domain: de.wikipedia.org");
        await Expect(detail.Locator("pre")).ToContainTextAsync("$schema: /mediawiki/recentchange/1.0.0");

        await detail.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Copy JSON" }).ClickAsync();
        await Expect(detail.Locator(".copied")).ToHaveTextAsync("Copied");
        var copied = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()").WaitAsync(Step);
        Assert.Equal(2, JsonDocument.Parse(copied).RootElement.GetProperty("seq").GetInt32());

        // A click opens another event; Escape closes the pane.
        await page.Locator(".row:not([hidden])", new() { HasText = "Page 3" }).ClickAsync();
        await Expect(detail.Locator("h2")).ToContainTextAsync("Page 3");
        await page.Keyboard.PressAsync("Escape");
        await Expect(detail).ToBeHiddenAsync();
    });
}
