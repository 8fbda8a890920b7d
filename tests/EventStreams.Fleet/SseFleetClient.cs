using System.Globalization;
using System.Net.Http.Headers;

namespace EventStreams.Fleet;

/// <summary>
/// An SSE client that behaves as a browser's EventSource: the same URL every time (here <c>?since=0</c>, so that nothing
/// produced before its first id is missed), <c>Last-Event-ID</c> once it has an id, reconnects after its reconnection time
/// (<paramref name="reconnectionTime"/> until the server sends <c>retry:</c>) when the stream ends or the connection
/// fails, and gives up for good on an answer that is not a 200 event stream.
/// </summary>
public sealed class SseFleetClient(string name, Uri balancer, HttpClient http, int partitions, SilenceWindow silence, TimeSpan reconnectionTime)
    : FleetClient(name, partitions, silence)
{
    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        var retry = reconnectionTime;
        var url = new Uri(balancer, $"v2/stream/{Fleet.Stream}?since=0");
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                request.Headers.Add(ClientRoutes.ClientHeader, Name);
                if (LastId is not null)
                {
                    request.Headers.TryAddWithoutValidation("Last-Event-ID", LastId);
                }

                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "text/event-stream")
                {
                    var body = await response.Content.ReadAsStringAsync(cancellationToken);
                    var instance = response.Headers.TryGetValues(FleetBalancer.InstanceHeader, out var values) ? values.First() : "none";
                    LastError = $"{DateTime.UtcNow:HH:mm:ss.fff} HTTP {(int)response.StatusCode} {response.Content.Headers.ContentType} from {instance}: {body[..Math.Min(body.Length, 300)]}";
                    Fatal++;
                    return;
                }

                Connections++;
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
                retry = await ReadAsync(reader, retry, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // A network error: EventSource reconnects after its reconnection time.
                LastError = e.Message;
            }

            OnStreamEnded();
            try
            {
                await Task.Delay(retry, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads events until the stream ends; returns the reconnection time, changed by any <c>retry:</c>.</summary>
    private async Task<TimeSpan> ReadAsync(StreamReader reader, TimeSpan retry, CancellationToken cancellationToken)
    {
        string? id = null, data = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (id is not null)
                {
                    LastId = id;
                }

                if (data is not null)
                {
                    OnEvent(data);
                }

                id = data = null;
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("retry: ", StringComparison.Ordinal))
            {
                retry = TimeSpan.FromMilliseconds(int.Parse(line.AsSpan(7), CultureInfo.InvariantCulture));
            }
        }

        return retry;
    }
}
