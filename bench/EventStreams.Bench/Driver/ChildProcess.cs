using System.Diagnostics;
using System.Threading.Channels;

namespace EventStreams.Bench.Driver;

/// <summary>
/// A role of the benchmark in its own process (<c>dotnet some.dll args</c>). Lines it prints that start with
/// <c>@</c> are answers to the driver; everything else goes to its log file.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _answers = Channel.CreateUnbounded<string>();
    private readonly StreamWriter _log;

    public ChildProcess(string name, string dll, IEnumerable<string> args, string logDirectory, IDictionary<string, string>? environment = null)
    {
        Name = name;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        Directory.CreateDirectory(logDirectory);
        _log = new StreamWriter(Path.Combine(logDirectory, name + ".log")) { AutoFlush = true };
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public ProcStats Stats() => ProcStats.Read(Pid);

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The next answer that starts with <paramref name="prefix"/>; other answers before it are dropped.</summary>
    public async Task<string> ExpectAsync(string prefix, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _answers.Reader.ReadAsync(cts.Token);
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line[prefix.Length..].Trim();
                }

                if (line.StartsWith("@error", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{Name}: {line}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not answer {prefix} within {timeout.TotalSeconds} s (exited: {_process.HasExited}).");
        }
    }

    public async Task<string> AskAsync(string command, string prefix, TimeSpan timeout)
    {
        await SendAsync(command);
        return await ExpectAsync(prefix, timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _process.Dispose();
        await _log.DisposeAsync();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith('@'))
        {
            _answers.Writer.TryWrite(line);
        }

        lock (_log)
        {
            _log.WriteLine(line);
        }
    }
}
