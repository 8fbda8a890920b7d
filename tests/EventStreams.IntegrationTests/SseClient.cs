using System.Text;
using System.Text.Json;

namespace EventStreams.IntegrationTests;

/// <summary>One parsed SSE event; <see cref="Comment"/> is set for comment lines (":ok", heartbeats), <see cref="Retry"/> for a <c>retry:</c> field.</summary>
public sealed record SseEvent(string? Event, string? Id, string? Data, string? Comment = null, string? Retry = null)
{
    public JsonElement Json => JsonDocument.Parse(Data!).RootElement;
}

/// <summary>A minimal SSE reader over a real HTTP response, written for tests: every read has a timeout.</summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseClient(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body, Encoding.UTF8);
    }

    public HttpResponseMessage Response => _response;

    public static async Task<SseClient> ConnectAsync(HttpClient http, string path, string? lastEventId = null, string accept = "text/event-stream")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(30));
        var body = await response.Content.ReadAsStreamAsync();
        return new SseClient(response, body);
    }

    /// <summary>The next event or comment block.</summary>
    public async Task<SseEvent?> ReadAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? name = null, id = null, comment = null, retry = null;
        StringBuilder? data = null;
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token);
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                if (name is null && id is null && data is null && comment is null && retry is null)
                {
                    continue;
                }

                return new SseEvent(name, id, data?.ToString(), comment, retry);
            }

            if (line.StartsWith(':'))
            {
                comment = line[1..];
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "event": name = value; break;
                case "id": id = value; break;
                case "retry": retry = value; break;
                case "data": data = data is null ? new StringBuilder(value) : data.Append('\n').Append(value); break;
            }
        }
    }

    /// <summary>The next real event (comments skipped).</summary>
    public async Task<SseEvent> NextEventAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            var e = await ReadAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1))
                ?? throw new EndOfStreamException($"The stream ended (HTTP {(int)_response.StatusCode}).");
            if (e.Event == "error")
            {
                throw new InvalidOperationException($"The server sent an error event: {e.Data}");
            }

            if (e.Comment is null || e.Event is not null || e.Data is not null)
            {
                return e;
            }
        }
    }

    /// <summary>Reads raw text lines (NDJSON).</summary>
    public async Task<string?> ReadLineAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await _reader.ReadLineAsync(cts.Token);
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
