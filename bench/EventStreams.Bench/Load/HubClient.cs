using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace EventStreams.Bench.Load;

/// <summary>
/// One SignalR client of <c>/v2/hub</c> (JSON protocol over WebSockets): calls <c>Stream</c> with the
/// group's streams and filters and counts the events like <see cref="SseConnection"/> does. Only
/// <see cref="ClientKind.Normal"/> clients are supported.
/// </summary>
internal sealed class HubClient(ClientGroup group, LoadWindow window) : IBenchClient
{
    private const string StreamPrefix = "/v2/stream/";

    private readonly SequenceTracker _sequences = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClientGroup Group { get; } = group;

    public long Events { get; private set; }

    public long Gaps => _sequences.Gaps;

    public long Duplicates => _sequences.Duplicates;

    public long ConnectStart { get; private set; }

    public long FirstEvent { get; private set; }

    public long CaughtUpAt { get; private set; }

    public bool Connected { get; private set; }

    public bool Failed { get; private set; }

    public bool ClosedByServer { get; private set; }

    public Task HeadersReceived => _started.Task;

    public long LastSeq(int key) => _sequences.LastSeq(key);

    public async Task RunAsync(int port, int bufferBytes, Task releaseStalled, CancellationToken cancellationToken)
    {
        var streams = Group.Path[StreamPrefix.Length..].Split('?')[0];
        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri($"http://127.0.0.1:{port}/v2/hub"), HttpTransportType.WebSockets)
            .Build();
        try
        {
            ConnectStart = Stopwatch.GetTimestamp();
            await connection.StartAsync(cancellationToken);
            await foreach (var e in connection.StreamAsync<HubEvent>("Stream", streams, null, Group.LastEventId, Group.Filters, cancellationToken))
            {
                if (!Connected)
                {
                    Connected = true;
                    _started.TrySetResult();
                }

                if (e.Data is { } data)
                {
                    OnEvent(data.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(data.GetString()!) : Encoding.UTF8.GetBytes(data.GetRawText()));
                }
            }

            ClosedByServer = true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"hub error{(Connected ? "" : " before the start")}: {e.GetType().Name}: {e.Message}");
            ClosedByServer |= Connected;
        }
        finally
        {
            Failed |= !Connected;
            _started.TrySetResult();
        }
    }

    private void OnEvent(byte[] json)
    {
        if (!BenchFields.TryRead(json, out var key, out var seq, out var micros))
        {
            return;
        }

        Events++;
        if (FirstEvent == 0)
        {
            FirstEvent = Stopwatch.GetTimestamp();
        }

        if (window.Active)
        {
            window.Add(1, json.Length);
            LatencyHistogram.Current.Record(Sources.BenchEvents.NowMicros() - micros);
        }

        _sequences.Record((int)key, seq);
    }

    /// <summary>The hub's items: an id and the event's JSON (a string today; raw JSON is read as well), null for the start marker.</summary>
    private sealed record HubEvent(string Id, JsonElement? Data);
}
