using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace EventStreams.IntegrationTests;

/// <summary>
/// The drain as an orchestrator triggers it: SIGTERM to the real server process (not a host stopped from inside a test).
/// It goes unready, tells its SSE clients to come back (<c>retry:</c>, clean close), keeps answering for
/// <c>Shutdown:DrainSeconds</c> and exits with code 0.
/// </summary>
public sealed partial class SigtermTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private const int Sigterm = 15;

    [Fact]
    public async Task Sigterm_ServerProcess_UnreadyStreamsToldToComeBack_ExitsWithZeroAfterTheDrain()
    {
        var config = Path.Combine(Path.GetTempPath(), $"eventstreams-sigterm-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(config, "streams:\n  test.sigterm:\n    topics: [test.sigterm]\n");
        var port = FreePort();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Name;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                Path.Combine(RepoRoot.Path, "src", "EventStreams.Server", "bin", configuration, "net10.0", "EventStreams.Server.dll"),
                $"--urls=http://127.0.0.1:{port}", $"--StreamConfig:Uri={config}", "--Demo:Enabled=false",
                "--Shutdown:DrainSeconds=3", "--Shutdown:RetryMilliseconds=300",
            },
        };
        using var process = Process.Start(start)!;
        var log = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = Wait };
            await WaitForAsync(http, "readyz", HttpStatusCode.OK);
            await using var sse = await SseClient.ConnectAsync(http, "v2/stream/test.sigterm");
            Assert.Equal("ok", (await sse.ReadAsync(Wait))?.Comment);

            Assert.Equal(0, Kill(process.Id, Sigterm));
            var told = await sse.ReadAsync(Wait);
            var end = await sse.ReadAsync(Wait);
            using var ready = await http.GetAsync("readyz").WaitAsync(Wait);
            var exitedWhileDraining = process.HasExited;
            await process.WaitForExitAsync().WaitAsync(Wait);

            Assert.InRange(int.Parse(told!.Retry!, System.Globalization.CultureInfo.InvariantCulture), 0, 300);
            Assert.Null(end);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.False(exitedWhileDraining);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("Stopping: unready", await log.WaitAsync(Wait), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            File.Delete(config);
        }
    }

    private static async Task WaitForAsync(HttpClient http, string route, HttpStatusCode status)
    {
        using var deadline = new CancellationTokenSource(Wait);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(route, deadline.Token);
                if (response.StatusCode == status)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, deadline.Token);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
