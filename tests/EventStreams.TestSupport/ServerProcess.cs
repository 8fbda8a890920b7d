using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EventStreams.TestSupport;

/// <summary>
/// The built server (<c>src/EventStreams.Server</c>'s own output, as <c>dotnet EventStreams.Server.dll</c> runs it in the image)
/// as a child process on a port of its choosing, read back from its "Now listening on" line; it can be sent SIGTERM as an
/// orchestrator stops a pod. The SIGTERM test runs it, and the fleet's instances when they run as processes.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ChildProcess _child;
    private readonly Process _process;

    private ServerProcess(ProcessStartInfo start)
    {
        _child = ChildProcess.Start(start, OnLine);
        _process = _child.Process;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int Id => _process.Id;

    /// <summary>The CPU time the process has used so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public string Output => _child.Output;

    /// <summary>Starts the server on <paramref name="port"/> (0: one of its choosing) with <paramref name="settings"/> (<c>--Key=value</c>) and returns once it listens.</summary>
    public static async Task<ServerProcess> StartAsync(IEnumerable<string> settings, TimeSpan timeout, int port = 0)
    {
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;
        var folder = Path.Combine(RepoRoot.Path, "src", "EventStreams.Server", "bin", configuration, "net10.0");
        // The content root (appsettings.json) is the working directory, as in the image (WORKDIR /app).
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder };
        start.ArgumentList.Add(Path.Combine(folder, "EventStreams.Server.dll"));
        start.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"--urls=http://127.0.0.1:{port}"));
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        var server = new ServerProcess(start);
        try
        {
            server.BaseAddress = await server._listening.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new TimeoutException($"The server did not listen within {timeout}:\n{server.Output}");
        }

        return server;
    }

    /// <summary>Sends SIGTERM (what Kubernetes sends after preStop, and <c>docker stop</c>).</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-s", "TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -s TERM {_process.Id} exited with {kill.ExitCode}.");
        }
    }

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync().WaitAsync(timeout);

    public ValueTask DisposeAsync() => _child.DisposeAsync();

    private void OnLine(string line)
    {
        if (Listening().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value + "/"));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
