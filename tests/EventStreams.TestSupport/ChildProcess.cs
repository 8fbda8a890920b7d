using System.Diagnostics;
using System.Text;

namespace EventStreams.TestSupport;

/// <summary>
/// A child process whose standard output and error are collected line by line (for a failing test's message, and for
/// <c>onLine</c> to watch); disposing it kills its whole tree and waits for it. The server and pod processes of the
/// tests are built on it.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Action<string>? _onLine;

    private ChildProcess(ProcessStartInfo start, Action<string>? onLine)
    {
        _onLine = onLine;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        Process = System.Diagnostics.Process.Start(start)!;
        Process.OutputDataReceived += (_, e) => Append(e.Data);
        Process.ErrorDataReceived += (_, e) => Append(e.Data);
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>Everything it wrote so far, standard output and error interleaved as read.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="start"/> with its output redirected; <paramref name="onLine"/> sees each line as it is read.</summary>
    public static ChildProcess Start(ProcessStartInfo start, Action<string>? onLine = null) => new(start, onLine);

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        _onLine?.Invoke(line);
    }
}
