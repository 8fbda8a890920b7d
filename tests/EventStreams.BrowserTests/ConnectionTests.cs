using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

[Collection(UiTests.Name)]
public sealed class ConnectionTests(UiFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public Task Status_UnknownStream_ShowsTheServersProblemInWords() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.live,no.such.stream"));

        await Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "failed");
        await Expect(page.Locator("#status-text")).ToHaveTextAsync("Refused (400): Stream Not Found: Invalid streams: no.such.stream");
    });

    [Fact]
    public Task Status_ConnectionFails_SaysSoRetriesAndRecovers() => RunAsync(async page =>
    {
        var attempts = 0;
        await page.RouteAsync("**/v2/stream/**", async route =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                await route.AbortAsync("connectionreset");
            }
            else
            {
                await route.ContinueAsync();
            }
        });
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.retry"));

        await Expect(page.Locator("#status-text")).ToContainTextAsync("Disconnected (network error");
        await Expect(page.Locator("#status-text")).ToContainTextAsync("reconnecting in 1 s");
        await Expect(page.Locator("#status-text")).ToHaveTextAsync("Streaming (reconnected after 1 retry)");
        await Server.ProduceAsync("eqiad.ui.retry", UiServer.Edit("ui.retry", 77));
        await page.WaitForFunctionAsync("() => window.eventStreamsUi.shown().some(r => JSON.parse(r).seq === 77)", null, new() { Timeout = Timeout });
        Assert.Equal(2, attempts);
    });
}
