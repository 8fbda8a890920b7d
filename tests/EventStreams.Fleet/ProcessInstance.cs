using EventStreams.TestSupport;

namespace EventStreams.Fleet;

/// <summary>
/// An instance as it runs in production: the built server (<see cref="ServerProcess"/>) in a process of its own, stopped
/// with SIGTERM. The <c>roll</c> benchmark uses it, so that the roll measures the fleet rather than one process that
/// hosts three servers and every client.
/// </summary>
internal sealed class ProcessInstance(ServerProcess server) : IFleetInstance
{
    public int Port => server.BaseAddress.Port;

    public TimeSpan ProcessorTime => server.HasExited ? TimeSpan.Zero : server.ProcessorTime;

    public int ProcessId => server.Id;

    public static async Task<IFleetInstance> StartAsync(IEnumerable<string> settings, int port, TimeSpan timeout) =>
        new ProcessInstance(await ServerProcess.StartAsync(settings, timeout, port));

    public async Task StopAsync(TimeSpan timeout)
    {
        await server.TerminateAsync();
        await server.WaitForExitAsync(timeout);
        if (server.ExitCode != 0)
        {
            throw new InvalidOperationException($"Instance on port {Port} exited with {server.ExitCode} after SIGTERM:\n{server.Output}");
        }
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
