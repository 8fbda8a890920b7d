using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace EventStreams.BrowserTests;

/// <summary>
/// Runs a test body in a fresh browser context; when it fails, saves a screenshot and the page's console log
/// to tests/EventStreams.BrowserTests/artifacts/ and rethrows.
/// </summary>
public abstract class BrowserTest(UiFixture fixture)
{
    protected const float Timeout = 15_000;

    /// <summary>The limit for one step that Playwright does not time itself (script evaluation, new pages).</summary>
    protected static readonly TimeSpan Step = TimeSpan.FromSeconds(15);

    // Playwright's assertions wait 5 s by default: too short for a loaded CI machine, so they wait as long as actions do.
    static BrowserTest() => Assertions.SetDefaultExpectTimeout(Timeout);

    protected UiFixture Fixture { get; } = fixture;

    protected UiServer Server => Fixture.Server;

    protected static string ArtifactsDirectory => Path.Combine(UiFixture.RepositoryRoot, "tests", "EventStreams.BrowserTests", "artifacts");

    protected async Task RunAsync(Func<IPage, Task> body, BrowserNewContextOptions? options = null, [CallerMemberName] string name = "")
    {
        options ??= new BrowserNewContextOptions();
        options.ViewportSize ??= new ViewportSize { Width = 1400, Height = 900 };
        options.TimezoneId ??= "UTC";
        options.Locale ??= "en-GB";
        await using var context = await Fixture.Browser.NewContextAsync(options).WaitAsync(Step);
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]).WaitAsync(Step);
        var page = await context.NewPageAsync().WaitAsync(Step);
        page.SetDefaultTimeout(Timeout);
        var console = new StringBuilder();
        page.Console += (_, message) => console.AppendLine($"{message.Type}: {message.Text}");
        page.PageError += (_, error) => console.AppendLine($"pageerror: {error}");
        try
        {
            await body(page);
            var log = console.ToString();
            // A CSP violation or an uncaught error is a failure even when the assertions passed.
            Assert.DoesNotContain("Content Security Policy", log, StringComparison.Ordinal);
            Assert.DoesNotContain("pageerror:", log, StringComparison.Ordinal);
        }
        catch
        {
            Directory.CreateDirectory(ArtifactsDirectory);
            var file = Path.Combine(ArtifactsDirectory, $"{GetType().Name}.{name}");
            await page.ScreenshotAsync(new() { Path = file + ".png", FullPage = true, Timeout = 10_000 }).WaitAsync(Step);
            await File.WriteAllTextAsync(file + ".console.txt", console.ToString());
            throw;
        }
    }

    /// <summary>
    /// A start-time picker's value for <paramref name="time"/> (<c>datetime-local</c>, to the second): without the seconds
    /// when they are 0, as Chromium normalises it (Playwright's fill refuses a value the input rewrites).
    /// </summary>
    protected static string PickerValue(DateTime time) =>
        time.ToString(time.Second == 0 ? "yyyy-MM-ddTHH:mm" : "yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    protected static async Task<int> ShownAsync(IPage page) =>
        await page.EvaluateAsync<int>("() => window.eventStreamsUi.shown().length").WaitAsync(Step);

    protected static async Task WaitForShownAsync(IPage page, int count) =>
        await page.WaitForFunctionAsync("n => window.eventStreamsUi.shown().length === n", count, new() { Timeout = Timeout });

    /// <summary>The `seq` of every shown event, in list order.</summary>
    protected static async Task<int[]> ShownSequenceAsync(IPage page) =>
        await page.EvaluateAsync<int[]>("() => window.eventStreamsUi.shown().map(r => JSON.parse(r).seq)").WaitAsync(Step);

    /// <summary>
    /// Events the page handled (shown, or dropped as a resume's duplicates) over those it received between two samples
    /// of <c>eventStreamsUi.stats</c>, from the cumulative counters: per-second windows wobble when a starved second
    /// is made up in the next one, which is catching up, not falling behind.
    /// </summary>
    protected static double HandledOverReceived(JsonElement from, JsonElement to) =>
        (Handled(to) - Handled(from)) / (to.GetProperty("received").GetDouble() - from.GetProperty("received").GetDouble());

    /// <summary>The most events received but not yet handled at any sample.</summary>
    protected static double MaxBacklog(IEnumerable<JsonElement> samples) =>
        samples.Max(s => s.GetProperty("received").GetDouble() - Handled(s));

    private static double Handled(JsonElement stats) => stats.GetProperty("shown").GetDouble() + stats.GetProperty("duplicates").GetDouble();

    protected static async Task WaitForLiveAsync(IPage page) =>
        await Assertions.Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "open", new() { Timeout = Timeout });
}
