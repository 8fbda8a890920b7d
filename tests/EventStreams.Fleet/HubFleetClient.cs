using EventStreams.Server.Transports;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace EventStreams.Fleet;

/// <summary>
/// A SignalR client of <c>/v2/hub</c> (JSON over WebSockets, without negotiation, so that it needs no sticky balancer):
/// streams from <c>since=0</c>, then from its last id (the start marker's included) on a new connection whenever its
/// stream ends or fails, after a random wait up to <paramref name="maxReconnectDelay"/>.
/// </summary>
public sealed class HubFleetClient(string name, Uri balancer, int partitions, SilenceWindow silence, TimeSpan maxReconnectDelay)
    : FleetClient(name, partitions, silence)
{
    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        var url = new Uri(balancer, $"v2/hub?{ClientRoutes.ClientQuery}={Uri.EscapeDataString(Name)}");
        while (!cancellationToken.IsCancellationRequested)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(url, options =>
                {
                    options.SkipNegotiation = true;
                    options.Transports = HttpTransportType.WebSockets;
                })
                .Build();
            try
            {
                await connection.StartAsync(cancellationToken);
                var started = false;
                await foreach (var item in connection.StreamAsync<StreamEvent>("Stream", Fleet.Stream, LastId is null ? "0" : null, LastId, null, cancellationToken))
                {
                    if (!started)
                    {
                        started = true;
                        Connections++;
                    }

                    LastId = item.Id;
                    if (item.Data is { } data)
                    {
                        OnEvent(data);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LastError = $"{e.GetType().Name}: {e.Message}";
                // The server ended the stream (shutdown: reconnect elsewhere), the connection was cut, or the connect failed:
                // try again, on a new connection.
            }
            finally
            {
                OnStreamEnded();
                await connection.DisposeAsync();
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * maxReconnectDelay.TotalMilliseconds), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
