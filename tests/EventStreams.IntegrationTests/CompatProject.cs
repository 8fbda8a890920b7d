using System.Diagnostics;
using System.Text;

namespace EventStreams.IntegrationTests;

/// <summary>
/// tests/compat: a tiny Node project that pins npm's <c>eventsource</c>. A fresh machine has node and npm but no
/// node_modules, so the first test that needs it runs <c>npm ci</c> (from the lock file) once.
/// </summary>
public static class CompatProject
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    public static string Folder => Path.Combine(RepoRoot.Path, "tests", "compat");

    public static async Task<string> EnsureInstalledAsync()
    {
        await Gate.WaitAsync(InstallTimeout);
        try
        {
            if (!File.Exists(Path.Combine(Folder, "node_modules", "eventsource", "package.json")))
            {
                await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], InstallTimeout);
            }

            return Folder;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task RunAsync(string fileName, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        output.Append(await stdout.WaitAsync(timeout)).Append(await stderr.WaitAsync(timeout));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} in {Folder} exited with {process.ExitCode}:\n{output}");
        }
    }
}
