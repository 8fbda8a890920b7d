using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

/// <summary>The UI in upstream mode (issue 9): events and the environment shown, the reference service's catalogue shape, a path prefix.</summary>
[Collection(UiTests.Name)]
public sealed class UpstreamUiTests(UiFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public Task UiOnUpstream_OurServerUpstream_ShowsEventsAndEnvironmentWithoutTransportSwitch() => RunAsync(async page =>
    {
        await using var upstreamMode = await UpstreamModeServer.StartAsync(Server.BaseAddress, "--Info:Environment=beta", "--Logging:LogLevel:Default=Warning");
        var upstream = Server.BaseAddress.GetLeftPart(UriPartial.Authority);

        await page.GotoAsync(new Uri(upstreamMode.BaseAddress, "v2/ui#/?streams=ui.upstream&transport=signalr").ToString());
        await WaitForLiveAsync(page);
        for (var i = 1; i <= 5; i++)
        {
            await Server.ProduceAsync("eqiad.ui.upstream", UiServer.Edit("ui.upstream", i));
        }

        await WaitForShownAsync(page, 5);
        await Expect(page.Locator("#environment")).ToHaveTextAsync($"beta · via {upstream}");
        await Expect(page).ToHaveTitleAsync($"[beta] EventStreams ({new Uri(upstream).Authority})");
        await Expect(page.Locator("#transport")).ToBeHiddenAsync();
        await Expect(page.Locator("#send")).ToBeHiddenAsync();
        Assert.Equal("sse", await page.EvaluateAsync<string>("() => window.eventStreamsUi.state().transport").WaitAsync(Step));
        var band = await page.EvaluateAsync<string>("() => getComputedStyle(document.getElementById('environment')).backgroundColor").WaitAsync(Step);
        Assert.Equal("rgb(180, 83, 9)", band);
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, await ShownSequenceAsync(page));

        // No schema route upstream: $schema is plain text, and no retention either.
        await page.FocusAsync("#list");
        await page.Keyboard.PressAsync("Home");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#detail .tree")).ToContainTextAsync("/mediawiki/recentchange/1.0.0");
        await Expect(page.Locator("#detail .tree a.schema-link")).ToHaveCountAsync(0);
        await Expect(page.Locator("#retention")).ToHaveTextAsync("");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-ndjson"));
        Assert.StartsWith($"eventstreams-beta-{new Uri(upstream).Authority.Replace(':', '-')}-", download.SuggestedFilename, StringComparison.Ordinal);
    });

    [Fact]
    public Task UiOnUpstream_ReferenceShapedSpec_CatalogueFromTheEnumAndEventsShown() => RunAsync(async page =>
    {
        await using var fake = await FakeReferenceUpstream.StartAsync(initialEvents: 4);
        await using var upstreamMode = await UpstreamModeServer.StartAsync(fake.BaseAddress, "--Info:Environment=production", "--Logging:LogLevel:Default=Warning");

        await page.GotoAsync(new Uri(upstreamMode.BaseAddress, "v2/ui").ToString());
        await page.FillAsync("#stream-search", "recentchange");
        await Expect(page.Locator(".stream-option")).ToHaveCountAsync(2);
        await page.Locator(".stream-option", new() { HasText = "mediawiki.recentchange" }).Locator("input").CheckAsync();
        await page.ClickAsync("#stream");
        await WaitForShownAsync(page, 4);

        Assert.Equal(new[] { 1, 2, 3, 4 }, await ShownSequenceAsync(page));
        await Expect(page.Locator("#environment")).ToContainTextAsync("production · via ");
        await Expect(page).ToHaveTitleAsync($"[production] EventStreams ({fake.BaseAddress.Authority})");
    });

    [Fact]
    public Task UiUnderPrefix_ThroughYarpAtEventstreams_ShowsEvents() => RunAsync(async page =>
    {
        await using var mounted = await UpstreamModeServer.StartAsync(Server.BaseAddress, "--PathBase=/eventstreams", "--Info:Environment=local demo", "--Logging:LogLevel:Default=Warning");
        await using var proxy = await PrefixProxy.StartAsync(mounted.BaseAddress);

        await page.GotoAsync(new Uri(proxy.BaseAddress, "v2/ui#/?streams=ui.prefix").ToString());
        await WaitForLiveAsync(page);
        for (var i = 1; i <= 3; i++)
        {
            await Server.ProduceAsync("codfw.ui.prefix", UiServer.Edit("ui.prefix", i));
        }

        await WaitForShownAsync(page, 3);
        Assert.StartsWith(new Uri(proxy.BaseAddress, "v2/ui/").ToString(), page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("#environment")).ToContainTextAsync("local demo");
    });
}
