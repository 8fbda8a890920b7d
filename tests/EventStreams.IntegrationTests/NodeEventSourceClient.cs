using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace EventStreams.IntegrationTests;

/// <summary>One line of tests/compat/eventsource-client.mjs: a connection opened, or a message event.</summary>
public sealed record CompatLine(bool Open, string? Id, string? Data)
{
    public JsonElement Json => JsonDocument.Parse(Data!).RootElement;
}

/// <summary>npm's <c>eventsource</c> package in a node process, reading a stream; what it prints arrives as <see cref="CompatLine"/>s.</summary>
public sealed class NodeEventSourceClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly Task _pump;
    private readonly Task _stderrPump;

    private NodeEventSourceClient(Process process)
    {
        _process = process;
        _stderrPump = PumpStderrAsync();
        _pump = PumpAsync();
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <c>node tests/compat/eventsource-client.mjs url count</c> (installing the package first if needed).</summary>
    public static async Task<NodeEventSourceClient> StartAsync(Uri url, int count)
    {
        var directory = await CompatProject.EnsureInstalledAsync();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(directory, "eventsource-client.mjs"));
        start.ArgumentList.Add(url.ToString());
        start.ArgumentList.Add(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add("120");
        return new NodeEventSourceClient(Process.Start(start) ?? throw new InvalidOperationException("Could not start node."));
    }

    /// <summary>The next line the client printed; fails with its stderr when it ended or fell silent.</summary>
    public async Task<CompatLine> NextAsync(TimeSpan timeout)
    {
        string line;
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            line = await _lines.Reader.ReadAsync(cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"eventsource client printed nothing within {timeout} (exited: {_process.HasExited}). stderr:\n{Stderr}", e);
        }

        var json = JsonDocument.Parse(line).RootElement;
        return json.TryGetProperty("open", out _)
            ? new CompatLine(true, null, null)
            : new CompatLine(false, json.GetProperty("id").GetString(), json.GetProperty("data").GetString());
    }

    public async Task<CompatLine> NextMessageAsync(TimeSpan timeout)
    {
        var line = await NextAsync(timeout);
        return line.Open ? throw new InvalidOperationException("Expected a message, the client reported a new connection.") : line;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    private async Task PumpAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            _lines.Writer.TryWrite(line);
        }

        _lines.Writer.TryComplete();
    }

    private async Task PumpStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_stderr)
            {
                _stderr.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await Task.WhenAll(_pump, _stderrPump).WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
