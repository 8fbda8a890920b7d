using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

/// <summary>The bugs of issue 10, one test each; each failed on the code before its fix.</summary>
[Collection(UiTests.Name)]
public sealed class BugTests(UiFixture fixture) : BrowserTest(fixture)
{
    /// <summary>
    /// Bug 1: after a server restart the embedded broker starts over at offset 0; the page used to count every event
    /// below the last offset it had seen as a duplicate and hide it. Now repeats are recognised by identity, and the
    /// page says that the offsets went back.
    /// </summary>
    [Fact]
    public async Task Bug1_ReconnectToLowerOffsets_ShowsTheNewEventsAndSaysSo()
    {
        UiServer? first = await UiServer.StartAsync();
        UiServer? second = null;
        try
        {
            await RunAsync(async page =>
            {
                for (var i = 1; i <= 30; i++)
                {
                    await first.ProduceAsync("eqiad.ui.restart", UiServer.Edit("ui.restart", i));
                }

                await page.GotoAsync(first.UiUrl("#/?streams=ui.restart&since=0"));
                await WaitForShownAsync(page, 30);
                var port = first.BaseAddress.Port;
                await first.DisposeAsync();
                first = null;
                await Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "retrying", new() { Timeout = Timeout });

                second = await UiServer.StartAsync(port);
                await Expect(page.Locator("#status-text")).ToContainTextAsync("reconnected", new() { Timeout = 40_000 });
                for (var i = 101; i <= 120; i++)
                {
                    await second.ProduceAsync("eqiad.ui.restart", UiServer.Edit("ui.restart", i));
                }

                await WaitForShownAsync(page, 50);
                Assert.Equal(Enumerable.Range(1, 30).Concat(Enumerable.Range(101, 20)), await ShownSequenceAsync(page));
                Assert.Equal(0, await page.EvaluateAsync<int>("() => window.eventStreamsUi.stats.duplicates").WaitAsync(Step));
                await Expect(page.Locator("#notices")).ToContainTextAsync("Offsets went back in eqiad.ui.restart partition 0");
            });
        }
        finally
        {
            if (first is not null)
            {
                await first.DisposeAsync();
            }

            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }
    }

    /// <summary>Bug 2: Stop, then Stream again from the same start without Clear, used to repeat every event.</summary>
    [Fact]
    public Task Bug2_StopThenStreamWithoutClear_DoesNotRepeatTheList() => RunAsync(async page =>
    {
        var time = DateTimeOffset.UtcNow.AddMinutes(-1);
        for (var i = 1; i <= 10; i++)
        {
            await Server.ProduceAsync("eqiad.ui.again", UiServer.Edit("ui.again", i), time.AddMilliseconds(i * 10));
        }

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.again&since=0"));
        await WaitForShownAsync(page, 10);
        await page.ClickAsync("#stop");
        await page.ClickAsync("#stream");
        await WaitForLiveAsync(page);
        await Server.ProduceAsync("eqiad.ui.again", UiServer.Edit("ui.again", 11));
        await page.WaitForFunctionAsync("() => window.eventStreamsUi.shown().some(r => JSON.parse(r).seq === 11)", null, new() { Timeout = Timeout });

        Assert.Equal(Enumerable.Range(1, 11), await ShownSequenceAsync(page));
        await Expect(page.Locator("#notices")).ToContainTextAsync("10 repeated events were not shown again");
    });

    /// <summary>
    /// Bug 3: a new start while live or paused used to do nothing (Resume went on from the pause point) while the URL
    /// already held the new start.
    /// </summary>
    [Fact]
    public Task Bug3_NewStartWhileLiveOrPaused_TakesEffect() => RunAsync(async page =>
    {
        var time = DateTimeOffset.UtcNow.AddMinutes(-1);
        for (var i = 1; i <= 10; i++)
        {
            await Server.ProduceAsync("eqiad.ui.restart.start", UiServer.Edit("ui.restart.start", i, time: time.AddSeconds(i)), time.AddSeconds(i));
        }

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.restart.start"));
        await WaitForLiveAsync(page);
        Assert.Equal(0, await ShownAsync(page));

        // Live: the oldest retained event is the new start, at once.
        await page.CheckAsync("input[name=start][value=oldest]");
        Assert.Contains("since=0", page.Url, StringComparison.Ordinal);
        await WaitForShownAsync(page, 10);
        Assert.Equal(Enumerable.Range(1, 10), await ShownSequenceAsync(page));

        // Paused: Resume starts from the new start, not from the pause point.
        await page.ClickAsync("#stream");
        await Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "paused");
        await page.ClickAsync("#clear");
        await page.CheckAsync("input[name=start][value=time]");
        var since = PickerValue(time.AddSeconds(6).UtcDateTime);
        await page.FillAsync("#since", since);
        await page.Locator("#since").DispatchEventAsync("change");
        Assert.Contains("since=" + Uri.EscapeDataString(since + ".000Z"), page.Url, StringComparison.Ordinal);
        await page.ClickAsync("#stream");
        await WaitForShownAsync(page, 5);
        Assert.Equal(Enumerable.Range(6, 5), await ShownSequenceAsync(page));
    });

    /// <summary>Bug 4: a refused request used to leave Pause and Stop enabled.</summary>
    [Fact]
    public Task Bug4_RefusedRequest_LeavesNothingToPauseOrStop() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=no.such.stream.either"));
        await Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "failed");
        await Expect(page.Locator("#stream")).ToHaveTextAsync("Stream");
        await Expect(page.Locator("#stream")).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(page.Locator("#stop")).ToBeDisabledAsync();
    });

    /// <summary>Bug 5: "Copy id" promised the events that follow, but the id it copied replayed the event itself.</summary>
    [Fact]
    public Task Bug5_CopyId_ResumesAfterTheSelectedEvent() => RunAsync(async page =>
    {
        var time = DateTimeOffset.UtcNow.AddMinutes(-1);
        for (var i = 1; i <= 6; i++)
        {
            await Server.ProduceAsync("eqiad.ui.copyid", UiServer.Edit("ui.copyid", i), time.AddMilliseconds(i * 10));
        }

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.copyid&since=0"));
        await WaitForShownAsync(page, 6);
        await page.Locator(".row:not([hidden])", new() { HasText = "Page 3 " }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy id" }).ClickAsync();
        await Expect(page.Locator(".detail-actions .copied")).ToHaveTextAsync("Copied");
        var id = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()").WaitAsync(Step);

        await page.ClickAsync("#stop");
        await page.ClickAsync("#clear");
        await page.CheckAsync("input[name=start][value=id]");
        await page.FillAsync("#last-event-id", id);
        await page.Locator("#last-event-id").DispatchEventAsync("change");
        await page.ClickAsync("#stream");
        await WaitForLiveAsync(page);
        await Server.ProduceAsync("eqiad.ui.copyid", UiServer.Edit("ui.copyid", 7));
        await page.WaitForFunctionAsync("() => window.eventStreamsUi.shown().some(r => JSON.parse(r).seq === 7)", null, new() { Timeout = Timeout });
        Assert.Equal(new[] { 4, 5, 6, 7 }, await ShownSequenceAsync(page));
    });

    /// <summary>
    /// Bug 6: the chart's time labels overlapped at 15–20 s spans, Clear left it as it was, and it plotted arrival
    /// time, so a catch-up was one spike. Now it plots event time (arrival as an option).
    /// </summary>
    [Fact]
    public Task Bug6_Chart_ByEventTimeReadableLabelsAndClear() => RunAsync(async page =>
    {
        var start = DateTimeOffset.UtcNow.AddSeconds(-20);
        for (var i = 0; i < 40; i++)
        {
            var time = start.AddMilliseconds(i * 500);
            await Server.ProduceAsync("eqiad.ui.chart", UiServer.Edit("ui.chart", i, time: time), time);
        }

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.chart&since=0"));
        await WaitForShownAsync(page, 40);
        await page.WaitForFunctionAsync("() => window.eventStreamsUi.chart().plotted === 40", null, new() { Timeout = Timeout });
        using var chart = JsonDocument.Parse(await page.EvaluateAsync<string>("() => JSON.stringify(window.eventStreamsUi.chart())").WaitAsync(Step));
        var data = chart.RootElement.GetProperty("data");
        var seconds = data[0].GetArrayLength();
        Assert.True(seconds >= 15, $"the axis spans {seconds} s");
        var perSecond = data[1].EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Number).Select(v => v.GetDouble()).ToList();
        Assert.True(perSecond.Max() <= 3, $"a catch-up plotted by event time spreads over its seconds; the busiest second has {perSecond.Max()}");

        // Whether labels collide depends on pixels per second: try chart widths around the 15–20 s spans' trouble.
        for (var width = 1100; width <= 1600; width += 50)
        {
            await page.SetViewportSizeAsync(width, 900);
            await page.WaitForFunctionAsync(
                "w => { const c = document.querySelector('#chart canvas'); return c && Math.abs(document.querySelector('#chart').clientWidth - c.clientWidth) < 30; }",
                width,
                new() { Timeout = Timeout });
            using var drawn = JsonDocument.Parse(await page.EvaluateAsync<string>("() => JSON.stringify(window.eventStreamsUi.chart().labels)").WaitAsync(Step));
            var labels = drawn.RootElement.EnumerateArray()
                .Select(l => (Text: l.GetProperty("text").GetString(), Left: l.GetProperty("left").GetDouble(), Right: l.GetProperty("right").GetDouble()))
                .OrderBy(l => l.Left).ToList();
            Assert.True(labels.Count >= 2, $"{labels.Count} time labels at width {width}");
            for (var i = 1; i < labels.Count; i++)
            {
                Assert.True(labels[i - 1].Right + 4 <= labels[i].Left, $"at width {width}, labels {labels[i - 1].Text} and {labels[i].Text} overlap or touch");
            }
        }

        await page.ClickAsync("#clear");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.eventStreamsUi.chart().plotted").WaitAsync(Step));

        await page.SelectOptionAsync("#chart-by", "arrival");
        Assert.Contains("chart=arrival", page.Url, StringComparison.Ordinal);
    });

    /// <summary>Bug 7: a start time outside the retained data used to start at now / the oldest event silently.</summary>
    [Fact]
    public Task Bug7_StartTimeOutsideTheRetainedData_IsSaid() => RunAsync(async page =>
    {
        var old = DateTimeOffset.UtcNow.AddHours(-2);
        for (var i = 1; i <= 3; i++)
        {
            await Server.ProduceAsync("eqiad.ui.retention", UiServer.Edit("ui.retention", i, time: old.AddSeconds(i)), old.AddSeconds(i));
        }

        var dayAgo = DateTimeOffset.UtcNow.AddHours(-24).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.retention&since=" + Uri.EscapeDataString(dayAgo + "Z")));
        await WaitForShownAsync(page, 3);
        await Expect(page.Locator("#notices")).ToContainTextAsync("No events retained between the start time");

        await page.ClickAsync("#stop");
        var inAnHour = PickerValue(DateTimeOffset.UtcNow.AddHours(1).UtcDateTime);
        await page.FillAsync("#since", inAnHour);
        await page.Locator("#since").DispatchEventAsync("change");
        await page.ClickAsync("#stream");
        await Expect(page.Locator("#notices")).ToContainTextAsync("is in the future: the stream starts with the newest events");
        await Expect(page.Locator("#notices")).Not.ToContainTextAsync("No events retained");
    });
}
