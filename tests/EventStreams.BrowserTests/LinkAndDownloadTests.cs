using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

[Collection(UiTests.Name)]
public sealed class LinkAndDownloadTests(UiFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public Task DeepLink_RoundTrip_RestoresTheViewAndStreams() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl());
        await page.FillAsync("#stream-search", "ui.link");
        await page.PressAsync("#stream-search", "Enter");
        await page.FillAsync("#stream-search", "ui.test.error");
        await page.PressAsync("#stream-search", "Enter");
        await page.CheckAsync("input[name=start][value=oldest]");
        await page.FillAsync("#new-filter", "meta.domain=de.wikipedia.org");
        await page.PressAsync("#new-filter", "Enter");
        await page.FillAsync("#text-filter", "Page");
        await page.FillAsync("#max-events", "500");
        await page.Locator("#max-events").DispatchEventAsync("change");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("q=Page"));
        var link = page.Url;
        Assert.Contains("#/?streams=ui.link,ui.test.error.validation&since=0&q=Page&filter=meta.domain%3Dde.wikipedia.org&max=500", link, StringComparison.Ordinal);

        await page.FillAsync("#view-name", "German links");
        await page.PressAsync("#view-name", "Enter");
        await Expect(page.Locator("#views a")).ToHaveTextAsync(["German links"]);

        await Server.ProduceAsync("eqiad.ui.link", UiServer.Edit("ui.link", 1, "de.wikipedia.org"));
        await Server.ProduceAsync("eqiad.ui.link", UiServer.Edit("ui.link", 2, "en.wikipedia.org"));

        var other = await page.Context.NewPageAsync().WaitAsync(Step);
        await other.GotoAsync(link);
        await Expect(other.Locator("#selected-streams .chip")).ToHaveTextAsync(["ui.link ✕", "ui.test.error.validation ✕"]);
        await Expect(other.Locator("input[name=start][value=oldest]")).ToBeCheckedAsync();
        await Expect(other.Locator("#field-filters .chip")).ToHaveTextAsync(["meta.domain = de.wikipedia.org ✕"]);
        await Expect(other.Locator("#text-filter")).ToHaveValueAsync("Page");
        await Expect(other.Locator("#max-events")).ToHaveValueAsync("500");
        // A shared link opens live, from the oldest event, filtered.
        await WaitForShownAsync(other, 1);
        Assert.Equal(new[] { 1 }, await ShownSequenceAsync(other));
        await Expect(other.Locator("#views a")).ToHaveTextAsync(["German links"]);
        await other.CloseAsync().WaitAsync(Step);

        // Loading the saved view from the list restores it too.
        await page.Locator("#field-filters .chip").ClickAsync();
        await page.ClickAsync("#views a");
        await Expect(page.Locator("#field-filters .chip")).ToHaveCountAsync(1);
        await Expect(page.Locator("#stream")).ToHaveTextAsync("Pause");
    });

    [Fact]
    public Task Download_NdjsonAndCsv_ContainWhatIsShown() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.download"));
        await WaitForLiveAsync(page);
        for (var i = 1; i <= 4; i++)
        {
            await Server.ProduceAsync("eqiad.ui.download", UiServer.Edit("ui.download", i, i == 3 ? "de.wikipedia.org" : "en.wikipedia.org"));
        }

        await WaitForShownAsync(page, 4);
        await page.FillAsync("#text-filter", "en.wikipedia");
        await WaitForShownAsync(page, 3);

        var ndjson = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-ndjson"));
        Assert.EndsWith(".ndjson", ndjson.SuggestedFilename, StringComparison.Ordinal);
        var lines = File.ReadAllLines(await ndjson.PathAsync().WaitAsync(Step));
        Assert.Equal([1, 2, 4], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("seq").GetInt32()));

        var csv = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-csv"));
        Assert.EndsWith(".csv", csv.SuggestedFilename, StringComparison.Ordinal);
        var rows = File.ReadAllLines(await csv.PathAsync().WaitAsync(Step));
        Assert.Equal("time,stream,type,wiki,title,user,summary,topic,partition,offset", rows[0]);
        Assert.Equal(4, rows.Length);
        Assert.Contains(",ui.download,edit,en.wikipedia.org,Page 4,User4,edit · en.wikipedia.org · Page 4 · User4 (+4),eqiad.ui.download,0,3", rows[3], StringComparison.Ordinal);
    });
}
