using System.Buffers;
using System.IO.Compression;
using EventStreams.Server.Kafka;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace EventStreams.Server.Intake;

/// <summary>
/// Reads a request body whole as EventGate's body parser does: inflated when it is <c>Content-Encoding: gzip</c> or
/// <c>deflate</c>, refused as soon as it is known to be over the limit (Content-Length, bytes read, bytes inflated),
/// and decoded as UTF-8 with every invalid byte sequence replaced by U+FFFD.
/// </summary>
internal static class IntakeBody
{
    private const int InflateChunkBytes = 64 * 1024;

    public static async Task<byte[]> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var encoding = ContentEncoding(request);
        if (request.ContentLength > maxBytes)
        {
            throw IntakeProblems.TooLarge(maxBytes);
        }

        // Our limit, not Kestrel's (30 MB by default), decides: one rule, one clear 413.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = null;
        }

        var body = encoding switch
        {
            "gzip" or "x-gzip" => await InflateAsync(new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true), encoding, maxBytes, cancellationToken),
            "deflate" => await InflateAsync(new ZLibStream(request.Body, CompressionMode.Decompress, leaveOpen: true), encoding, maxBytes, cancellationToken),
            _ => await ReadPlainAsync(request, maxBytes, cancellationToken),
        };
        // What EventGate's parser sees (invalid sequences as U+FFFD): what is validated is what is produced, and nothing
        // but UTF-8 reaches Kafka.
        return ValidUtf8.Of(body);
    }

    /// <summary><c>null</c> for none or <c>identity</c>; the coding, lower case, when it is one this intake inflates; else 415.</summary>
    private static string? ContentEncoding(HttpRequest request)
    {
        var value = request.Headers[HeaderNames.ContentEncoding].ToString().Trim().ToLowerInvariant();
        return value switch
        {
            "" or "identity" => null,
            "gzip" or "x-gzip" or "deflate" => value,
            _ => throw IntakeProblems.UnsupportedEncoding(value),
        };
    }

    private static async Task<byte[]> ReadPlainAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            if (read.Buffer.Length > maxBytes)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                throw IntakeProblems.TooLarge(maxBytes);
            }

            if (read.IsCompleted)
            {
                var body = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return body;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    /// <summary>
    /// Inflates chunk by chunk and stops at the first byte over the limit: a compression bomb costs at most the limit in
    /// memory and the time to inflate that much.
    /// </summary>
    private static async Task<byte[]> InflateAsync(Stream inflating, string encoding, int maxBytes, CancellationToken cancellationToken)
    {
        await using (inflating)
        {
            var body = new ArrayBufferWriter<byte>(InflateChunkBytes);
            try
            {
                while (true)
                {
                    var read = await inflating.ReadAsync(body.GetMemory(InflateChunkBytes), cancellationToken);
                    if (read == 0)
                    {
                        return body.WrittenSpan.ToArray();
                    }

                    body.Advance(read);
                    if (body.WrittenCount > maxBytes)
                    {
                        throw IntakeProblems.TooLarge(maxBytes);
                    }
                }
            }
            catch (InvalidDataException e)
            {
                throw IntakeProblems.InvalidEncoding(encoding, e.Message);
            }
        }
    }
}
