using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

[Collection(UiTests.Name)]
public sealed class FilterTests(UiFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public Task Filters_FieldTextAndCanary_NarrowTheViewAndRunOnTheServer() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.filter"));
        await WaitForLiveAsync(page);
        await page.FillAsync("#new-filter", "meta.domain = en.wikipedia.org");
        await page.PressAsync("#new-filter", "Enter");
        await Expect(page.Locator("#field-filters .chip")).ToHaveTextAsync(["meta.domain = en.wikipedia.org ✕"]);
        await page.FillAsync("#new-filter", "type!=log");
        await page.ClickAsync("#add-filter button");
        await page.CheckAsync("#hide-canary");
        Assert.Contains("filter=meta.domain%3Den.wikipedia.org&filter=type%21%3Dlog&canary=hide", page.Url, StringComparison.Ordinal);
        // The filters reconnect the stream from its last position; wait until the server confirms it applies them.
        await Expect(page.Locator("#server-filters")).ToHaveTextAsync("Field filters run on the server: filtered-out events are not sent.");
        await WaitForLiveAsync(page);

        string[] domains = ["en.wikipedia.org", "de.wikipedia.org", "canary"];
        string[] types = ["edit", "log"];
        var expected = new List<int>();
        for (var i = 1; i <= 24; i++)
        {
            var domain = domains[i % 3];
            var type = types[i / 3 % 2];
            await Server.ProduceAsync("eqiad.ui.filter", UiServer.Edit("ui.filter", i, domain, type));
            if (domain == "en.wikipedia.org" && type == "edit")
            {
                expected.Add(i);
            }
        }

        await Server.ProduceAsync("eqiad.ui.filter", UiServer.Edit("ui.filter", 100, "en.wikipedia.org"));
        expected.Add(100);
        await WaitForShownAsync(page, expected.Count);
        Assert.Equal(expected, await ShownSequenceAsync(page));
        // Filtered-out events were never sent: the page received exactly what it shows.
        await Expect(page.Locator("#count-received")).ToHaveTextAsync(expected.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Free text runs in the page, over the raw JSON.
        await page.FillAsync("#text-filter", "\"Page 100\"");
        await WaitForShownAsync(page, 1);
        Assert.Equal(new[] { 100 }, await ShownSequenceAsync(page));
        await page.FillAsync("#text-filter", "");
        await WaitForShownAsync(page, expected.Count);

        // Removing a filter reconnects without it: de.wikipedia.org edits flow again.
        await page.Locator("#field-filters .chip", new() { HasText = "meta.domain" }).ClickAsync();
        await WaitForLiveAsync(page);
        await Server.ProduceAsync("eqiad.ui.filter", UiServer.Edit("ui.filter", 101, "de.wikipedia.org"));
        await Server.ProduceAsync("eqiad.ui.filter", UiServer.Edit("ui.filter", 102, "canary"));
        await Server.ProduceAsync("eqiad.ui.filter", UiServer.Edit("ui.filter", 103, "de.wikipedia.org", "log"));
        await Server.ProduceAsync("eqiad.ui.filter", UiServer.Edit("ui.filter", 104, "en.wikipedia.org"));
        await WaitForShownAsync(page, expected.Count + 2);
        Assert.Equal(expected.Concat([101, 104]), await ShownSequenceAsync(page));
    });

    [Fact]
    public Task Filter_Malformed_IsRefusedWithAHint() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl());
        await page.FillAsync("#new-filter", "just words");
        await page.PressAsync("#new-filter", "Enter");

        await Expect(page.Locator("#filter-error")).ToContainTextAsync("path = value or path != value");
        await Expect(page.Locator("#field-filters .chip")).ToHaveCountAsync(0);
    });
}
