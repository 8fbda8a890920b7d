using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Health;
using EventStreams.Server.Streaming;
using EventStreams.Server.Transports.Compression;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace EventStreams.Server.Transports;

/// <summary>
/// Formats a session's events on an HTTP response as SSE or NDJSON, with heartbeats and a stall timeout; gzip for
/// clients that accept it, each event's text compressed once and shared (<see cref="GzipFraming"/>).
/// </summary>
internal sealed partial class EventStreamWriter(
    IOptions<StreamingOptions> options,
    StreamMetrics metrics,
    TimeProvider time,
    StalledWrites stalledWrites,
    ILogger<EventStreamWriter> logger)
{
    /// <summary>Frames are assembled here and handed to Kestrel in pieces of about this size: one response write instead of one per field.</summary>
    private const int FrameChunkBytes = 32 * 1024;

    /// <summary>Within a batch, written data is flushed once this much is waiting: Kestrel's own response buffer size (64 KiB).</summary>
    private const int FlushBytes = 64 * 1024;

    private static readonly TimeSpan EndFlushTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Per thread, used only between two awaits, so its memory is per busy thread rather than per client.</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _frames;

    /// <summary>Per thread like <see cref="_frames"/>: a gzip client's own text (its id, a heartbeat) before it is compressed.</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _text;

    /// <summary>
    /// Streams the session <paramref name="opening"/> gives (nothing when it gives null: the request was answered), and
    /// disposes it at the end.
    /// </summary>
    public async Task RunAsync(HttpContext context, Task<StreamSession?> opening, bool ndjson)
    {
        using var session = await opening;
        // The opened task would otherwise stay referenced by this frame for the stream's whole life.
        opening = null!;
        if (session is null)
        {
            return;
        }

        var gzip = StartResponse(context, ndjson);
        var heartbeat = options.Value.HeartbeatSeconds > 0 && !ndjson ? TimeSpan.FromSeconds(options.Value.HeartbeatSeconds) : Timeout.InfiniteTimeSpan;
        var output = context.Response.BodyWriter;

        try
        {
            if (gzip is not null)
            {
                GzipFraming.WriteHeader(output);
            }

            if (!ndjson)
            {
                WriteText(output, gzip, ":ok\n\n"u8);
            }

            // session.Ending gives up a write the client is not taking when the server ends the stream (shutdown must not
            // wait for the stall time). A client that leaves completes a waiting write itself: Kestrel ends the response.
            await stalledWrites.FlushAsync(output, session.Ending);
            var lastWrite = time.GetTimestamp();
            while (!session.IsStopping)
            {
                // session.ReadAsync, inlined: awaiting it would keep its frame alive beside this one while the stream idles.
                var timedOut = false;
                while (!session.TryRead())
                {
                    if (!await session.WaitAsync(heartbeat))
                    {
                        timedOut = true;
                        break;
                    }
                }

                if (timedOut)
                {
                    WriteHeartbeat(output, gzip, session);
                    lastWrite = time.GetTimestamp();
                }
                else
                {
                    var frames = _frames ??= new ArrayBufferWriter<byte>(FrameChunkBytes * 2);
                    frames.ResetWrittenCount();
                    while (session.TryNext(out var e))
                    {
                        if (gzip is not null)
                        {
                            WriteGzipFrame(frames, gzip, session, e, ndjson);
                        }
                        else if (ndjson)
                        {
                            frames.Write(e.Json);
                            frames.Write("\n"u8);
                        }
                        else
                        {
                            frames.Write("event: message\nid: "u8);
                            session.WriteId(frames);
                            frames.Write("\ndata: "u8);
                            frames.Write(e.Json);
                            frames.Write("\n\n"u8);
                        }

                        if (frames.WrittenCount >= FrameChunkBytes)
                        {
                            output.Write(frames.WrittenSpan);
                            frames.ResetWrittenCount();
                            if (output.UnflushedBytes >= FlushBytes)
                            {
                                // A long batch (a client catching up reads up to 256 events per partition at once) goes out as
                                // it is formatted, so the socket sends while the next part is written, and the response
                                // buffers a few chunks rather than the whole batch.
                                await stalledWrites.FlushAsync(output, session.Ending);
                                frames = _frames ??= new ArrayBufferWriter<byte>(FrameChunkBytes * 2);
                                frames.ResetWrittenCount();
                            }
                        }
                    }

                    output.Write(frames.WrittenSpan);
                    if (session.Sent() > 0)
                    {
                        lastWrite = time.GetTimestamp();
                    }
                    else if (heartbeat != Timeout.InfiniteTimeSpan && time.GetElapsedTime(lastWrite) >= heartbeat)
                    {
                        // Everything was filtered out for a while: keep proxies and clients convinced we are alive.
                        WriteHeartbeat(output, gzip, session);
                        lastWrite = time.GetTimestamp();
                    }
                }

                await stalledWrites.FlushAsync(output, session.Ending);
            }
        }
        catch (OperationCanceledException) when (session.EndedBy is { } end)
        {
            await EndAsync(context, output, gzip, end, ndjson);
        }
        catch (ClientStalledException)
        {
            metrics.Dropped("stalled");
            LogStalled(logger, context.Connection.RemoteIpAddress?.ToString(), stalledWrites.Stall.TotalSeconds);
            context.Abort();
        }
        catch (OperationCanceledException) when (session.IsStopping)
        {
            // The client left.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
            metrics.Dropped("error");
            if (!ndjson || gzip is not null)
            {
                await WriteErrorAsync(output, gzip, e, ndjson);
            }
        }
    }

    /// <summary>
    /// A stream asked of a stopping instance: started and ended at once, like a running one (SSE: <c>:ok</c>, a short
    /// <c>retry:</c>, a clean close), so that the client comes back through the load balancer, to another instance. A refusal
    /// (503) would do no good: a browser's EventSource gives up for good on it.
    /// </summary>
    public async Task EndAtOnceAsync(HttpContext context, StreamEnding end, bool ndjson)
    {
        var gzip = StartResponse(context, ndjson);
        var output = context.Response.BodyWriter;
        if (gzip is not null)
        {
            GzipFraming.WriteHeader(output);
        }

        if (!ndjson)
        {
            WriteText(output, gzip, ":ok\n\n"u8);
        }

        await EndAsync(context, output, gzip, end, ndjson);
    }

    /// <summary>The response's headers; the gzip framing when the stream is compressed.</summary>
    private GzipFraming? StartResponse(HttpContext context, bool ndjson)
    {
        var response = context.Response;
        var hadAccept = context.Request.Headers.Accept.Count > 0;
        response.ContentType = ndjson ? "application/json; charset=utf-8" : hadAccept ? "text/event-stream; charset=utf-8" : "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        response.Headers["X-EventStreams-Filters"] = "1";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        if (options.Value.Compression == StreamCompression.Off)
        {
            return null;
        }

        response.Headers.Vary = HeaderNames.AcceptEncoding;
        if (!AcceptsGzip(context.Request))
        {
            return null;
        }

        response.Headers.ContentEncoding = "gzip";
        return new GzipFraming();
    }

    /// <summary>Whether <c>Accept-Encoding</c> allows gzip (named, or <c>*</c>, with a quality above 0).</summary>
    internal static bool AcceptsGzip(HttpRequest request)
    {
        if (!StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptEncoding, out var codings))
        {
            return false;
        }

        double? gzip = null, any = null;
        foreach (var coding in codings)
        {
            if (coding.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase))
            {
                gzip = coding.Quality ?? 1;
            }
            else if (coding.Value.Equals("*", StringComparison.Ordinal))
            {
                any = coding.Quality ?? 1;
            }
        }

        return (gzip ?? any ?? 0) > 0;
    }

    /// <summary>The client's own part of the frame (up to its id) as a delta of its previous one, then the event's shared part spliced as compressed once.</summary>
    private static void WriteGzipFrame(ArrayBufferWriter<byte> frames, GzipFraming gzip, StreamSession session, Kafka.KafkaEvent e, bool ndjson)
    {
        if (ndjson)
        {
            gzip.WriteSegment(frames, e.NdjsonDeflated);
            return;
        }

        var text = Text();
        text.Write("event: message\nid: "u8);
        session.WriteId(text);
        gzip.WriteEvent(frames, text.WrittenSpan, e.SseDataDeflated);
    }

    private static void WriteText(IBufferWriter<byte> output, GzipFraming? gzip, ReadOnlySpan<byte> text)
    {
        if (gzip is null)
        {
            output.Write(text);
        }
        else
        {
            gzip.WriteText(output, text);
        }
    }

    /// <summary>A bare <c>:</c>, or <c>: note</c> when the session has something to say (<see cref="StreamSession.HeartbeatNote"/>).</summary>
    private static void WriteHeartbeat(PipeWriter output, GzipFraming? gzip, StreamSession session)
    {
        var note = session.HeartbeatNote;
        if (gzip is null && note is null)
        {
            output.Write(":\n\n"u8);
            return;
        }

        var text = Text();
        if (note is null)
        {
            text.Write(":\n\n"u8);
        }
        else
        {
            text.Write(Encoding.UTF8.GetBytes($": {note}\n\n"));
        }

        WriteText(output, gzip, text.WrittenSpan);
    }

    /// <summary>An SSE <c>error</c> event; then, for gzip, the end of the compressed stream.</summary>
    private static void WriteErrorEvent(PipeWriter output, GzipFraming? gzip, string message, string name)
    {
        var text = Text();
        text.Write("event: error\ndata: "u8);
        using (var json = new Utf8JsonWriter(text))
        {
            json.WriteStartObject();
            json.WriteString("message"u8, message);
            json.WriteString("name"u8, name);
            json.WriteEndObject();
        }

        text.Write("\n\n"u8);
        WriteText(output, gzip, text.WrittenSpan);
    }

    private static ArrayBufferWriter<byte> Text()
    {
        var text = _text ??= new ArrayBufferWriter<byte>(256);
        text.ResetWrittenCount();
        return text;
    }

    /// <summary>
    /// Tells the client why (not on shutdown) and closes; on shutdown an SSE client gets the <c>retry:</c> to come back after.
    /// A client that takes nothing within a second is cut off.
    /// </summary>
    private static async Task EndAsync(HttpContext context, PipeWriter output, GzipFraming? gzip, StreamEnding end, bool ndjson)
    {
        if (end.RetryMilliseconds is { } retry && !ndjson)
        {
            WriteText(output, gzip, Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"retry: {retry}\n\n")));
        }

        if (!end.IsShutdown && !ndjson)
        {
            WriteErrorEvent(output, gzip, end.Message, end.Name);
        }

        gzip?.WriteEnd(output);

        try
        {
            await output.FlushAsync(CancellationToken.None).AsTask().WaitAsync(EndFlushTimeout);
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            context.Abort();
        }
    }

    private static async Task WriteErrorAsync(PipeWriter output, GzipFraming? gzip, Exception error, bool ndjson)
    {
        try
        {
            if (!ndjson)
            {
                WriteErrorEvent(output, gzip, error.InnerException?.Message ?? error.Message, error.InnerException?.GetType().Name ?? error.GetType().Name);
            }

            gzip?.WriteEnd(output);
            await output.FlushAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            // The connection is going away anyway.
        }
    }

    [LoggerMessage(LogEventIds.ClientStalled, LogLevel.Information, "Disconnected client {Remote}: it accepted no data for {Seconds} s")]
    private static partial void LogStalled(ILogger logger, string? remote, double seconds);

    [LoggerMessage(LogEventIds.StreamFailed, LogLevel.Error, "Stream failed after it started")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
