using System.Globalization;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

/// <summary>Everyday comfort (issue 10): accessibility, one time zone, counters, the stream column, narrow screens.</summary>
[Collection(UiTests.Name)]
public sealed class ComfortTests(UiFixture fixture) : BrowserTest(fixture)
{
    public static TheoryData<string, int, int> Layouts => new()
    {
        { "light", 1400, 900 },
        { "dark", 1400, 900 },
        { "dark", 390, 844 },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public Task Accessibility_AxeCore_FindsNoViolations(string scheme, int width, int height) => RunAsync(async page =>
    {
        await Server.ProduceAsync("eqiad.ui.a11y", UiServer.Edit("ui.a11y", 1));
        await Server.ProduceAsync("eqiad.ui.test.error.validation", ValidationTests.ErrorEvent(77));
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.a11y,ui.test.error.validation&since=0"));
        await page.WaitForFunctionAsync("() => window.eventStreamsUi.shown().length >= 2", null, new() { Timeout = Timeout });
        await page.Locator(".row.error:not([hidden])").First.ClickAsync();
        await Expect(page.Locator("#detail .validation")).ToBeVisibleAsync();
        await AssertNoViolationsAsync(page, $"{scheme} {width}×{height}, detail open");
        if (width < 760)
        {
            await page.Keyboard.PressAsync("Escape");
            await page.ClickAsync("#toggle-controls");
            await Expect(page.Locator("#controls")).ToBeInViewportAsync();
            await AssertNoViolationsAsync(page, $"{scheme} {width}×{height}, controls open");
        }
    }, new BrowserNewContextOptions
    {
        ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
        ViewportSize = new ViewportSize { Width = width, Height = height },
    });

    private static async Task AssertNoViolationsAsync(IPage page, string what)
    {
        AxeResult result = await page.RunAxe().WaitAsync(TimeSpan.FromSeconds(60));
        var found = string.Join("\n", result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}"));
        Assert.True(result.Violations.Length == 0, $"axe-core, {what}:\n{found}");
    }

    [Fact]
    public Task SkipLink_TheFirstTabLeadsToTheEvents() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl());
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator(".skip-link")).ToBeFocusedAsync();
        await Expect(page.Locator(".skip-link")).ToBeInViewportAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#list")).ToBeFocusedAsync();
    });

    [Fact]
    public Task Times_OneZoneEverywhereWithAUtcLocalSwitch() => RunAsync(async page =>
    {
        var time = DateTimeOffset.UtcNow.AddMinutes(-2);
        time = time.AddTicks(-(time.Ticks % TimeSpan.TicksPerSecond));
        await Server.ProduceAsync("eqiad.ui.zone", UiServer.Edit("ui.zone", 1, time: time), time);
        var kolkata = time.ToOffset(TimeSpan.FromHours(5.5));
        string Clock(DateTimeOffset t) => t.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.zone&since=0"));
        await WaitForShownAsync(page, 1);
        var row = page.Locator(".row:not([hidden])").First;
        await Expect(page.Locator("#zone")).ToHaveValueAsync("utc");
        await Expect(page.Locator("#time-head")).ToHaveTextAsync("Time (UTC)");
        await Expect(row.Locator(".time")).ToContainTextAsync(Clock(time));
        await row.ClickAsync();
        await Expect(page.Locator("#detail .facts").First).ToContainTextAsync(Clock(time) + ".000 UTC");

        await page.SelectOptionAsync("#zone", "local");
        await Expect(page.Locator("#time-head")).ToHaveTextAsync("Time (GMT+5:30)");
        await Expect(row.Locator(".time")).ToContainTextAsync(Clock(kolkata));
        await Expect(page.Locator("#detail .facts").First).ToContainTextAsync(Clock(kolkata) + ".000 GMT+5:30");

        // The picker reads the same zone: a start typed in local time is that local time.
        await page.CheckAsync("input[name=start][value=time]");
        await page.FillAsync("#since", PickerValue(kolkata.DateTime));
        await page.Locator("#since").DispatchEventAsync("change");
        Assert.Contains("since=" + Uri.EscapeDataString(time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)), page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("#since-zone")).ToHaveTextAsync("GMT+5:30");

        // The choice sticks.
        await page.ReloadAsync();
        await Expect(page.Locator("#zone")).ToHaveValueAsync("local");
    }, new BrowserNewContextOptions { TimezoneId = "Asia/Kolkata" });

    [Fact]
    public Task Counters_KeptOfTheCapAndReceived_CannotReadAsLoss() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.cap&max=100"));
        await WaitForLiveAsync(page);
        for (var i = 1; i <= 150; i++)
        {
            await Server.ProduceAsync("eqiad.ui.cap", UiServer.Edit("ui.cap", i));
        }

        await Expect(page.Locator("#count-received")).ToHaveTextAsync("150");
        await Expect(page.Locator("#count-kept")).ToHaveTextAsync("100");
        await Expect(page.Locator("#count-cap")).ToHaveTextAsync("100");
        await Expect(page.Locator("#count-shown")).ToHaveTextAsync("100");
        await Expect(page.Locator("#kept")).ToHaveTextAsync("100 kept of max 100");
    });

    [Fact]
    public Task StreamColumn_OnlyWithMoreThanOneStream_WithDistinctNames() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.cols.alpha"));
        await WaitForLiveAsync(page);
        await Server.ProduceAsync("eqiad.ui.cols.alpha", UiServer.Edit("ui.cols.alpha", 1));
        await WaitForShownAsync(page, 1);
        await Expect(page.Locator(".list-head .col-stream")).ToBeHiddenAsync();
        await Expect(page.Locator(".row:not([hidden]) .stream")).ToBeHiddenAsync();

        await page.FillAsync("#stream-search", "ui.cols.beta");
        await page.PressAsync("#stream-search", "Enter");
        await WaitForLiveAsync(page);
        await Server.ProduceAsync("eqiad.ui.cols.beta", UiServer.Edit("ui.cols.beta", 2));
        await WaitForShownAsync(page, 2);
        await Expect(page.Locator(".list-head .col-stream")).ToBeVisibleAsync();
        var streams = page.Locator(".row:not([hidden]) .stream");
        await Expect(streams).ToHaveTextAsync(["alpha", "beta"]);
        await Expect(streams.Last).ToHaveAttributeAsync("title", "ui.cols.beta");
        // Not cut: the whole label fits its column.
        Assert.True(await streams.Last.EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth").WaitAsync(Step));
    });

    [Fact]
    public Task NarrowScreen_EveryControlIsReachable() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.narrow,ui.a11y"));
        await WaitForLiveAsync(page);
        await Server.ProduceAsync("eqiad.ui.narrow", UiServer.Edit("ui.narrow", 900));
        await WaitForShownAsync(page, 1);

        // The toolbar, find and the chart fold are on the page itself; stream names show on the rows.
        string[] onPage = ["#stream", "#stop", "#clear", "#download-ndjson", "#download-csv", "#copy-link", "#find", "#find-next", "#fold-chart", "#chart-by", "#toggle-controls"];
        foreach (var selector in onPage)
        {
            await AssertReachableAsync(page, selector);
        }

        await Expect(page.Locator(".row:not([hidden]) .stream").First).ToBeVisibleAsync();
        await Expect(page.Locator("#chart")).ToBeHiddenAsync();
        await page.ClickAsync("#fold-chart");
        await Expect(page.Locator("#chart")).ToBeVisibleAsync();

        // Everything else is behind ☰, transport, theme and times included.
        await page.ClickAsync("#toggle-controls");
        string[] inPanel = ["#zone", "#transport", "#theme", "#stream-search", "input[name=start][value=time]", "#text-filter", "#new-filter", "#hide-canary", "#view-name", "#max-events"];
        foreach (var selector in inPanel)
        {
            await AssertReachableAsync(page, selector);
        }

        await page.SelectOptionAsync("#transport", "signalr");
        await Expect(page.Locator("#status-text")).ToHaveTextAsync("Streaming over SignalR");
    }, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 } });

    /// <summary>Scrolled into view, the control is inside the viewport and nothing covers its centre.</summary>
    private static async Task AssertReachableAsync(IPage page, string selector)
    {
        var control = page.Locator(selector).First;
        await control.ScrollIntoViewIfNeededAsync();
        await Expect(control).ToBeInViewportAsync(new() { Ratio = 1 });
        var onTop = await control.EvaluateAsync<bool>(
            "e => { const r = e.getBoundingClientRect(); const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2); return hit === e || e.contains(hit) || (e.labels && [...e.labels].some(l => l.contains(hit))); }").WaitAsync(Step);
        Assert.True(onTop, $"{selector} is covered");
    }
}
