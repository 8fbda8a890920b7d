using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

/// <summary>
/// Issue 15, item 8: the page reads SSE with a plain EventSource where the request allows it, so the browser's DevTools
/// show the connection and every message (Network → EventStream). Checked through the DevTools protocol itself: what
/// Chromium reports there is what that tab lists.
/// </summary>
[Collection(UiTests.Name)]
public sealed class DevToolsTests(UiFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public Task Stream_IsAnEventSource_WhoseMessagesDevToolsShow() => RunAsync(async page =>
    {
        var cdp = await page.Context.NewCDPSessionAsync(page).WaitAsync(Step);
        var messages = new ConcurrentQueue<int>();
        var requests = new ConcurrentQueue<(string Url, string Type)>();
        var five = new TaskCompletionSource();
        var eight = new TaskCompletionSource();
        cdp.Event("Network.eventSourceMessageReceived").OnEvent += (_, e) =>
        {
            using var data = JsonDocument.Parse(e!.Value.GetProperty("data").GetString()!);
            messages.Enqueue(data.RootElement.GetProperty("seq").GetInt32());
            if (messages.Count >= 5)
            {
                five.TrySetResult();
            }

            if (messages.Count >= 8)
            {
                eight.TrySetResult();
            }
        };
        cdp.Event("Network.requestWillBeSent").OnEvent += (_, e) =>
        {
            var url = e!.Value.GetProperty("request").GetProperty("url").GetString()!;
            if (url.Contains("/v2/stream/", StringComparison.Ordinal))
            {
                requests.Enqueue((url, e.Value.GetProperty("type").GetString()!));
            }
        };
        await cdp.SendAsync("Network.enable").WaitAsync(Step);

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.devtools&filter=server_name%3Den.wikipedia.org"));
        await WaitForLiveAsync(page);
        await Expect(page.Locator("#server-filters")).ToHaveTextAsync("Field filters run on the server: filtered-out events are not sent.");
        for (var i = 1; i <= 5; i++)
        {
            await Server.ProduceAsync("eqiad.ui.devtools", UiServer.Edit("ui.devtools", i));
        }

        await WaitForShownAsync(page, 5);
        await five.Task.WaitAsync(Step);
        Assert.Equal([1, 2, 3, 4, 5], messages.Order());
        var first = Assert.Single(requests);
        Assert.Equal("EventSource", first.Type);
        Assert.Contains("filter=server_name%3Den.wikipedia.org", first.Url, StringComparison.Ordinal);

        // Pause and resume: a new EventSource that names the last event in its URL (last_event_id), so nothing is lost.
        await page.ClickAsync("#stream");
        for (var i = 6; i <= 8; i++)
        {
            await Server.ProduceAsync("eqiad.ui.devtools", UiServer.Edit("ui.devtools", i));
        }

        await page.ClickAsync("#stream");
        await WaitForShownAsync(page, 8);
        await eight.Task.WaitAsync(Step);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], messages.Order());
        var resumed = requests.Last();
        Assert.Equal("EventSource", resumed.Type);
        Assert.Contains("last_event_id=", resumed.Url, StringComparison.Ordinal);
        Assert.Equal(2, requests.Count);
    });
}
