using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

/// <summary>The detail pane links <c>$schema</c> to the stream's schema (<c>GET v2/schema/{stream}</c>) when the server serves it.</summary>
[Collection(UiTests.Name)]
public sealed class SchemaLinkTests(UiFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public Task Detail_SchemaValue_LinksToTheStreamsSchema() => RunAsync(async page =>
    {
        for (var i = 1; i <= 2; i++)
        {
            await Server.ProduceAsync("eqiad.ui.schemalink", UiServer.Edit("ui.schemalink", i));
        }

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.schemalink&since=0"));
        await WaitForShownAsync(page, 2);
        await page.FocusAsync("#list");
        await page.Keyboard.PressAsync("Home");
        await page.Keyboard.PressAsync("Enter");

        var link = page.Locator("#detail .tree a.schema-link");
        await Expect(link).ToHaveTextAsync("\"/mediawiki/recentchange/1.0.0\"", new() { Timeout = Timeout });
        Assert.Equal("/v2/schema/ui.schemalink", await link.GetAttributeAsync("href"));
        Assert.Equal("noopener", await link.GetAttributeAsync("rel"));

        // The link leads to the schema itself.
        var schema = await page.EvaluateAsync<string>("async href => { const r = await fetch(href); return r.status + ' ' + await r.text(); }", await link.GetAttributeAsync("href")).WaitAsync(Step);
        Assert.StartsWith("200 ", schema, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(schema[4..]);
        Assert.Equal("mediawiki/recentchange", json.RootElement.GetProperty("title").GetString());
    });
}
