using EventStreams.TestSupport;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventStreams.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventStreams.BrowserTests;

/// <summary>Items 1–6 of issue 15 (the UI's third round), one test each; each failed on the code before its fix.</summary>
[Collection(UiTests.Name)]
public sealed class Issue15Tests(UiFixture fixture) : BrowserTest(fixture)
{
    /// <summary>
    /// Item 1: "errors" beside an alias filtered the error stream on the alias, which no error names, so it always
    /// showed 0; and Enter on an alias's exact name picked the alias.
    /// </summary>
    [Fact]
    public Task Item1_ErrorsOfAnAlias_AreItsStreamsAndEnterPicksTheStream() => RunAsync(async page =>
    {
        await Server.ProduceAsync("eqiad.ui.test.error.validation", InstrumentationTests.Rejected("ui.alias.real", 1, "'.tick' should be integer"));

        await page.GotoAsync(Server.UiUrl());
        await page.FillAsync("#stream-search", "uialias");
        await Expect(page.Locator(".stream-option")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Validation errors for uialias" }).ClickAsync();

        await WaitForShownAsync(page, 1);
        Assert.Contains("filter=errored_stream_name%3Dui.alias.real", page.Url, StringComparison.Ordinal);

        await page.ClickAsync("#stop");
        await page.FillAsync("#stream-search", "uialias");
        await page.PressAsync("#stream-search", "Enter");
        await Expect(page.Locator("#selected-streams .chip", new() { HasText = "ui.alias.real" })).ToHaveCountAsync(1);
        await Expect(page.Locator("#selected-streams .chip", new() { HasText = "uialias" })).ToHaveCountAsync(0);
        await Expect(page.Locator("#catalog-message")).ToContainTextAsync("“uialias” is an alias of ui.alias.real");
    });

    /// <summary>
    /// Item 2: in upstream mode the page offered "The last events" (and then said "(not in upstream mode)"), the hidden
    /// Send panel asked for /v2/schema (a 404 and a console error on every load), /_info said the upstream's environment
    /// while the page said beta, and /?spec listed routes that answer 404 on this instance.
    /// </summary>
    [Fact]
    public Task Item2_UpstreamMode_OffersOnlyWhatWorksAndSaysTheSameEnvironment() => RunAsync(async page =>
    {
        await using var upstreamMode = await UpstreamModeServer.StartAsync(Server.BaseAddress, "--Info:Environment=beta", "--Logging:LogLevel:Default=Warning");
        var requests = new List<string>();
        var consoleErrors = new List<string>();
        page.Request += (_, request) => requests.Add(request.Url);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };

        await page.GotoAsync(new Uri(upstreamMode.BaseAddress, "v2/ui#/?streams=ui.upstream&since=last%3A5").ToString());
        await WaitForLiveAsync(page);
        await Expect(page.Locator("#notices")).ToContainTextAsync("This server cannot say where the last 5 events begin: in upstream mode it has no retention route to ask.");
        await Expect(page.Locator("input[name=start][value=last]")).ToBeHiddenAsync();
        await Expect(page.Locator("input[name=start][value=oldest]")).ToBeVisibleAsync();
        await Expect(page.Locator("#send")).ToBeHiddenAsync();
        await Server.ProduceAsync("eqiad.ui.upstream", UiServer.Edit("ui.upstream", 1));
        await page.WaitForFunctionAsync("() => window.eventStreamsUi.shown().some(r => JSON.parse(r).seq === 1)", null, new() { Timeout = Timeout });

        Assert.DoesNotContain(requests, url => url.Contains("/v2/schema", StringComparison.Ordinal) || url.Contains("/v2/retention", StringComparison.Ordinal));
        Assert.Empty(consoleErrors);

        // The server says what the page says, and lists only what it serves.
        using var http = new HttpClient { BaseAddress = upstreamMode.BaseAddress, Timeout = Step };
        using var info = JsonDocument.Parse(await http.GetStringAsync("_info"));
        Assert.Equal("beta", info.RootElement.GetProperty("environment").GetString());
        await Expect(page.Locator("#environment")).ToContainTextAsync("beta");
        var paths = JsonNode.Parse(await http.GetStringAsync("?spec"))!["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/v2/stream/{streams}", paths);
        Assert.All(paths, path => Assert.StartsWith("/v2/stream/", path, StringComparison.Ordinal));
    });

    /// <summary>Item 3: when the filters hid every kept event, the counters said "0 shown · 3 kept" and the list "No events yet."</summary>
    [Fact]
    public Task Item3_FiltersHideEveryKeptEvent_TheListSaysSo() => RunAsync(async page =>
    {
        for (var i = 1; i <= 3; i++)
        {
            await Server.ProduceAsync("eqiad.ui.empty", UiServer.Edit("ui.empty", i));
        }

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.empty&since=0"));
        await WaitForShownAsync(page, 3);
        await Expect(page.Locator("#empty")).ToBeHiddenAsync();

        await page.FillAsync("#text-filter", "no event has this text");
        await Expect(page.Locator("#empty")).ToHaveTextAsync("No event passes the filters: all 3 kept events are hidden by them.");
        await Expect(page.Locator("#empty")).ToBeVisibleAsync();
        await page.FillAsync("#text-filter", "");
        await Expect(page.Locator("#empty")).ToBeHiddenAsync();
        await page.ClickAsync("#clear");
        await Expect(page.Locator("#empty")).ToHaveTextAsync("No events yet.");
    });

    /// <summary>Item 6a: the YAML view wrapped a long nested value to column 0, so the nesting looked wrong.</summary>
    [Fact]
    public Task Item6_YamlLongValue_WrapsUnderItsKey() => RunAsync(async page =>
    {
        var long_ = string.Concat(Enumerable.Repeat("a long summary that wraps ", 20));
        var json = JsonSerializer.Serialize(new
        {
            meta = new { stream = "ui.yaml", id = Guid.NewGuid().ToString(), dt = DateTimeOffset.UtcNow.ToString("o") },
            log_params = new { details = new { summary = long_ } },
            seq = 1,
        });
        await Server.ProduceAsync("eqiad.ui.yaml", json);

        await page.GotoAsync(Server.UiUrl("#/?streams=ui.yaml&since=0"));
        await WaitForShownAsync(page, 1);
        await page.Locator(".row:not([hidden])").First.ClickAsync();
        await page.Locator("#detail").GetByRole(AriaRole.Tab, new() { Name = "YAML" }).ClickAsync();
        await Expect(page.Locator("#detail pre")).ToContainTextAsync("summary: \"a long summary");

        // Where the key starts, and where each continuation line of its value starts (in CSS px).
        var lefts = await page.EvaluateAsync<double[]>("""
            () => {
              const pre = document.querySelector('#detail pre');
              const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf('summary: ');
                if (at < 0) continue;
                const end = node.data.indexOf('\n', at);
                const key = document.createRange();
                key.setStart(node, at);
                key.setEnd(node, at + 1);
                const value = document.createRange();
                value.setStart(node, at);
                value.setEnd(node, end < 0 ? node.data.length : end);
                return [key.getBoundingClientRect().left, ...[...value.getClientRects()].map((r) => r.left)];
              }
              return [];
            }
            """).WaitAsync(Step);
        Assert.True(lefts.Length >= 3, $"the long value should wrap: {string.Join(", ", lefts)}");
        var key = lefts[0];
        var preLeft = await page.EvaluateAsync<double>("() => document.querySelector('#detail pre').getBoundingClientRect().left").WaitAsync(Step);
        Assert.True(key > preLeft + 10, "summary is nested two levels deep");
        Assert.All(lefts.Skip(2), left => Assert.True(left > key, $"a continuation line starts at {left}, left of its key at {key}"));
    });

    /// <summary>
    /// Item 6b–e: Enter with two matches did nothing and said nothing; "/" focused the raw-JSON filter, not the stream
    /// search; text typed less than 150 ms before another filter change was lost.
    /// </summary>
    [Fact]
    public Task Item6_EnterWithTwoMatchesSlashAndQuickFilterChanges() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl());
        await page.FillAsync("#stream-search", "ui.sel.");
        await Expect(page.Locator(".stream-option")).ToHaveCountAsync(2);
        await page.PressAsync("#stream-search", "Enter");
        await Expect(page.Locator("#catalog-message")).ToHaveTextAsync("2 streams match “ui.sel.”: Enter picks only an exact name or a single match. Tick one below, or type more.");
        await Expect(page.Locator("#selected-streams .chip")).ToHaveCountAsync(0);

        await page.FocusAsync("#list");
        await page.Keyboard.PressAsync("/");
        await Expect(page.Locator("#stream-search")).ToBeFocusedAsync();

        // Typing, then at once another filter: nothing typed is lost.
        await page.EvaluateAsync("""
            () => {
              const text = document.getElementById('text-filter');
              text.value = 'Page 2';
              text.dispatchEvent(new Event('input', { bubbles: true }));
              document.getElementById('hide-canary').click();
            }
            """).WaitAsync(Step);
        await page.WaitForFunctionAsync("() => window.eventStreamsUi.state().hideCanary", null, new() { Timeout = Timeout });
        await Expect(page.Locator("#text-filter")).ToHaveValueAsync("Page 2");
        await page.WaitForFunctionAsync("() => window.eventStreamsUi.state().text === 'Page 2'", null, new() { Timeout = Timeout });
        Assert.Contains("q=Page", page.Url, StringComparison.Ordinal);
    });

    /// <summary>Item 6f: the chart's newest time label, centred on the plot's right edge, was cut in half.</summary>
    [Fact]
    public Task Item6_ChartRightmostLabel_IsNotClipped() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl("#/?streams=ui.small"));
        await WaitForLiveAsync(page);
        for (var width = 1100; width <= 1600; width += 100)
        {
            await page.SetViewportSizeAsync(width, 900);
            await page.WaitForFunctionAsync(
                "() => { const c = document.querySelector('#chart canvas'); return c && Math.abs(document.querySelector('#chart').clientWidth - c.clientWidth) < 30; }",
                null,
                new() { Timeout = Timeout });
            var room = await page.EvaluateAsync<double[]>("""
                () => {
                  // What is seen ends at the canvas or where the chart cuts it off, whichever comes first.
                  const chart = document.getElementById('chart');
                  const seen = Math.min(chart.querySelector('canvas').getBoundingClientRect().right, chart.getBoundingClientRect().right);
                  const plot = chart.querySelector('.u-over').getBoundingClientRect();
                  const widest = Math.max(...window.eventStreamsUi.chart().labels.map((l) => l.right - l.left));
                  return [seen - plot.right, widest / 2];
                }
                """).WaitAsync(Step);
            Assert.True(room[0] >= room[1], $"at width {width}: {room[0]:F0} px right of the plot, half a time label is {room[1]:F0} px");
        }
    });

    /// <summary>
    /// Item 4: after sending, the page added the whole error stream (other streams' errors too), "arrived" was no link,
    /// and a schema without examples gave a near-empty event with no word why. Now: a skeleton from the schema's
    /// required fields, said so; the event, and then a rejected one's validation error, selected and opened when they
    /// arrive; the errors tailed are those of the stream sent to.
    /// </summary>
    [Fact]
    public Task Item4_SendLoop_SkeletonArrivalOpenedAndOnlyThisStreamsErrors() => RunAsync(async page =>
    {
        var folder = Directory.CreateTempSubdirectory("eventstreams-ui-send-");
        var schema = """
            title: ui/send
            $id: /ui/send/1.0.0
            $schema: https://json-schema.org/draft-07/schema#
            type: object
            required: [$schema, meta, count, label, ok]
            properties:
              $schema: { type: string }
              meta:
                type: object
                required: [stream]
                properties:
                  stream: { type: string }
                  id: { type: string }
                  dt: { type: string, format: date-time }
              count: { type: integer, minimum: 1 }
              label: { type: string }
              ok: { type: boolean }
              note: { type: string }
            """;
        Directory.CreateDirectory(Path.Combine(folder.FullName, "ui", "send"));
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "ui", "send", "1.0.0.yaml"), schema);
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "ui", "send", "latest.yaml"), schema);
        var config = Path.Combine(folder.FullName, "streams.yaml");
        await File.WriteAllTextAsync(config, """
            streams:
              ui.send:
                schema_title: ui/send
                destination_event_service: eventgate-ui
                topic_prefixes: [eqiad.]
              ui.send.other:
                schema_title: ui/send
                destination_event_service: eventgate-ui
                topic_prefixes: [eqiad.]
              eventgate-ui.error.validation:
                schema_title: error
                destination_event_service: eventgate-ui
                topic_prefixes: [eqiad.]
            """);
        var app = EventStreamsApp.Create([
            "--urls=http://127.0.0.1:0", $"--StreamConfig:Uri={config}", "--Demo:Enabled=false", "--Logging:LogLevel:Default=Warning",
            $"--Schemas:BaseUris:0={folder.FullName}", $"--Schemas:BaseUris:1={Path.Combine(AppContext.BaseDirectory, "schemas")}",
        ]);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            using var http = new HttpClient { BaseAddress = ServerAddress.Of(app), Timeout = Step };

            // Another stream's rejected event, already on the shared error stream: not this stream's, so not shown.
            using var other = await http.PostAsync("v1/events", new StringContent("""{"$schema":"/ui/send/1.0.0","meta":{"stream":"ui.send.other"},"count":"many","label":"x","ok":true}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, other.StatusCode);

            await page.GotoAsync($"{http.BaseAddress}v2/ui");
            var panel = page.Locator("#send");
            await panel.Locator("#send-stream").SelectOptionAsync("ui.send");
            await Expect(panel.Locator("#send-note")).ToHaveTextAsync("The schema of ui.send has no examples: this is a skeleton of its required fields, each a placeholder of its type (\"\", 0, false, []). Fill in real values.");
            var skeleton = JsonNode.Parse(await panel.Locator("#send-json").InputValueAsync())!;
            Assert.Equal("""{"$schema":"/ui/send/1.0.0","meta":{"stream":"ui.send"},"count":1,"label":"","ok":false}""", skeleton.ToJsonString());

            // Valid: it arrives, and is selected, scrolled to and opened; "arrived" links to it.
            await panel.Locator("#send-json").FillAsync("""{"$schema":"/ui/send/1.0.0","meta":{"stream":"ui.send"},"count":1,"label":"first","ok":true}""");
            await panel.Locator("#send-go").ClickAsync();
            await Expect(panel.Locator("#send-result")).ToHaveTextAsync("204 All 1 out of 1 events were accepted.");
            await Expect(panel.Locator("#send-arrived")).ToContainTextAsync("Arrived on ui.send");
            await Expect(page.Locator("#detail")).ToBeVisibleAsync();
            await Expect(page.Locator("#detail h2")).ToContainTextAsync("first");
            await Expect(page.Locator(".row.selected")).ToBeInViewportAsync();
            await page.Keyboard.PressAsync("Escape");
            await Expect(page.Locator("#detail")).ToBeHiddenAsync();
            await panel.Locator("#send-arrived").ClickAsync();
            await Expect(page.Locator("#detail h2")).ToContainTextAsync("first");

            // Rejected: the errors of ui.send (not those of ui.send.other) are tailed, and its error opened.
            await panel.Locator("#send-json").FillAsync("""{"$schema":"/ui/send/1.0.0","meta":{"stream":"ui.send"},"count":"two","label":"second","ok":true}""");
            await panel.Locator("#send-go").ClickAsync();
            await Expect(panel.Locator("#send-result")).ToHaveTextAsync("400 1 out of 1 events were invalid and not accepted.");
            await Expect(panel.Locator("#send-arrived")).ToContainTextAsync("Its validation error arrived on eventgate-ui.error.validation");
            Assert.Contains("streams=eventgate-ui.error.validation", page.Url, StringComparison.Ordinal);
            Assert.Contains("filter=errored_stream_name%3Dui.send&", page.Url + "&", StringComparison.Ordinal);
            await Expect(page.Locator("#detail .validation")).ToContainTextAsync("Rejected event for ui.send");
            await Expect(page.Locator("#detail")).ToContainTextAsync("second");
            await Expect(page.Locator(".row.error:not([hidden])")).ToHaveCountAsync(1);
            Assert.DoesNotContain(await page.EvaluateAsync<string[]>("() => window.eventStreamsUi.shown()").WaitAsync(Step), raw => raw.Contains("ui.send.other", StringComparison.Ordinal));

            // And valid again: back to the stream itself (the errors view would hide it).
            await panel.Locator("#send-json").FillAsync("""{"$schema":"/ui/send/1.0.0","meta":{"stream":"ui.send"},"count":3,"label":"third","ok":true}""");
            await panel.Locator("#send-go").ClickAsync();
            await Expect(panel.Locator("#send-arrived")).ToContainTextAsync("Arrived on ui.send");
            await Expect(page.Locator("#detail h2")).ToContainTextAsync("third");
        }
        finally
        {
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await app.DisposeAsync();
            folder.Delete(recursive: true);
        }
    });

    /// <summary>
    /// Item 5, with a real server restart: the status was cut off (at 1400 px during an outage, at 390 px even
    /// "Streami…") with no tooltip, there was no way to retry during a long backoff, and the list showed no mark where
    /// the connection was lost.
    /// </summary>
    [Fact]
    public async Task Item5_ServerRestart_StatusReadableRetryNowAndTheGapMarked()
    {
        UiServer? first = await UiServer.StartAsync();
        UiServer? second = null;
        try
        {
            await RunAsync(async page =>
            {
                for (var i = 1; i <= 3; i++)
                {
                    await first.ProduceAsync("eqiad.ui.gap", UiServer.Edit("ui.gap", i));
                }

                await page.GotoAsync(first.UiUrl("#/?streams=ui.gap&since=0"));
                await WaitForShownAsync(page, 3);
                await AssertStatusReadableAsync(page, 1400);
                await AssertStatusReadableAsync(page, 390);
                await page.SetViewportSizeAsync(1400, 900);
                var port = first.BaseAddress.Port;
                await first.DisposeAsync();
                first = null;

                // While it lasts: the mark says since when, the whole status is readable at both widths.
                await Expect(page.Locator(".row.gap")).ToContainTextAsync("Disconnected since ", new() { Timeout = Timeout });
                await Expect(page.Locator(".row.gap")).ToHaveAttributeAsync("data-seq", "3.5");
                await Expect(page.Locator("#retry-now")).ToBeVisibleAsync();
                await AssertStatusReadableAsync(page, 390);
                await AssertStatusReadableAsync(page, 1400);

                // Backoff doubles from 1 s: wait for a long one, then the server comes back and Retry now beats it.
                await Expect(page.Locator("#status-text")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("reconnecting in (16|30) s"), new() { Timeout = 60_000 });
                second = await UiServer.StartAsync(port);
                var text = await page.Locator("#status-text").TextContentAsync() ?? "";
                var left = int.Parse(System.Text.RegularExpressions.Regex.Match(text, "reconnecting in (\\d+) s").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                var clicked = System.Diagnostics.Stopwatch.StartNew();
                await page.ClickAsync("#retry-now");
                await WaitForLiveAsync(page);
                Assert.True(clicked.Elapsed.TotalSeconds < left - 2, $"reconnected {clicked.Elapsed.TotalSeconds:F1} s after Retry now, with a backoff of {left} s");
                await Expect(page.Locator("#retry-now")).ToBeHiddenAsync();

                await second.ProduceAsync("eqiad.ui.gap", UiServer.Edit("ui.gap", 4));
                await WaitForShownAsync(page, 4);
                await Expect(page.Locator(".row.gap .summary")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Disconnected from \\d\\d:\\d\\d:\\d\\d to \\d\\d:\\d\\d:\\d\\d UTC \\(\\d+ s\\)$"));
                Assert.Equal(new[] { 1, 2, 3, 4 }, await ShownSequenceAsync(page));
                await AssertStatusReadableAsync(page, 390);
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

    /// <summary>At this width the status shows all of its text (nothing cut off, on screen) and has it as its tooltip.</summary>
    private static async Task AssertStatusReadableAsync(IPage page, int width)
    {
        await page.SetViewportSizeAsync(width, 844);
        var status = await page.EvaluateAsync<JsonElement>("""
            () => {
              const text = document.getElementById('status-text');
              const box = text.getBoundingClientRect();
              return { text: text.textContent, title: document.getElementById('status').title, scroll: text.scrollWidth, client: text.clientWidth,
                       right: box.right, bottom: box.bottom, width: innerWidth, top: document.querySelector('.topbar').getBoundingClientRect().bottom };
            }
            """).WaitAsync(Step);
        var text = status.GetProperty("text").GetString();
        Assert.Equal(text, status.GetProperty("title").GetString());
        Assert.True(status.GetProperty("scroll").GetDouble() <= status.GetProperty("client").GetDouble() + 1, $"at {width} px \"{text}\" is cut off");
        Assert.True(status.GetProperty("right").GetDouble() <= width, $"at {width} px \"{text}\" runs off the screen");
        Assert.True(status.GetProperty("bottom").GetDouble() <= status.GetProperty("top").GetDouble() + 1, $"at {width} px \"{text}\" is outside the header");
    }
}
