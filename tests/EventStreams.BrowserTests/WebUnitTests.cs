using System.Diagnostics;

namespace EventStreams.BrowserTests;

/// <summary>The UI's pure modules (filters, YAML, URL state, retention, summaries) have unit tests on node's test runner; run them here so that one test command covers them.</summary>
public sealed class WebUnitTests
{
    [Fact]
    public async Task NodeTests_OfTheWebModules_AllPass()
    {
        var start = new ProcessStartInfo("node", "--test --test-reporter=tap test/")
        {
            WorkingDirectory = Path.Combine(UiFixture.RepositoryRoot, "src", "EventStreams.Web"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();

        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
        var output = await stdout + await stderr;

        Assert.True(node.ExitCode == 0, output);
        Assert.Matches(@"# pass [1-9]\d*", output);
        Assert.Contains("# fail 0", output, StringComparison.Ordinal);
    }
}
