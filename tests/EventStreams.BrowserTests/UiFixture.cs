using Microsoft.Playwright;

namespace EventStreams.BrowserTests;

/// <summary>One server and one Chromium for all browser tests (each test gets a fresh browser context).</summary>
public sealed class UiFixture : IAsyncLifetime
{
    // TESTING.md: without the background-networking flags Chromium tries to reach the internet from this closed machine.
    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;

    public UiServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>
    /// Where screenshots go: the README's docs/screenshots/ when EVENTSTREAMS_UPDATE_SCREENSHOTS=1, else the test
    /// artifacts folder, so an ordinary test run leaves the working tree clean.
    /// </summary>
    public static string ScreenshotDirectory { get; } = Environment.GetEnvironmentVariable("EVENTSTREAMS_UPDATE_SCREENSHOTS") == "1"
        ? Path.Combine(RepositoryRoot, "docs", "screenshots")
        : Path.Combine(RepositoryRoot, "tests", "EventStreams.BrowserTests", "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        Server = await UiServer.StartAsync();
        _playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 60_000,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventStreams.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EventStreams.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class UiTests : ICollectionFixture<UiFixture>
{
    public const string Name = "ui";
}
