using System.Diagnostics;
using System.IO.Compression;
using System.IO.Hashing;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace EventStreams.IntegrationTests;

/// <summary>
/// gzip streams (each event compressed once and spliced into every client's stream) read by real clients: .NET's zlib,
/// curl <c>--compressed</c> and Python <c>requests</c>, each getting every event as it is produced and a complete
/// stream (valid trailer) when the server ends it; identity for clients that do not ask and with <c>Compression=Off</c>.
/// Chromium's EventSource is in the browser tests, npm's <c>eventsource</c> in <see cref="EventSourceCompatTests"/>.
/// </summary>
public sealed class CompressionTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private const string Config = """
        streams:
          gz.a:
            topics: [gz.a]
          gz.b:
            topics: [gz.b]
        """;

    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(Config, partitions: 1, "--Streaming:HeartbeatSeconds=1");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Gzip_EachEventIsDecodableAsSoonAsItIsProduced()
    {
        using var http = _server.CreateClient();
        using var response = await GetAsync(http, "v2/stream/gz.a", gzip: true);
        using var body = new StreamReader(new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress));
        using var cts = new CancellationTokenSource(Wait);

        Assert.Equal(":ok", await body.ReadLineAsync(cts.Token));
        var ids = new List<string>();
        for (var n = 0; n < 5; n++)
        {
            await _server.ProduceAsync("gz.a", 0, $$"""{"n":{{n}},"text":"{{new string('x', 100 * n)}}"}""");
            var (id, data) = await ReadEventAsync(body, cts.Token);
            Assert.Equal(n, JsonDocument.Parse(data).RootElement.GetProperty("n").GetInt32());
            ids.Add(id);
        }

        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Equal(5, ids.Distinct().Count());
    }

    [Fact]
    public async Task Gzip_Heartbeats_AreInTheCompressedStream()
    {
        using var http = _server.CreateClient();
        using var response = await GetAsync(http, "v2/stream/gz.b", gzip: true);
        using var body = new StreamReader(new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress));
        using var cts = new CancellationTokenSource(Wait);

        Assert.Equal(":ok", await body.ReadLineAsync(cts.Token));
        Assert.Equal("", await body.ReadLineAsync(cts.Token));
        Assert.Equal(":", await body.ReadLineAsync(cts.Token));
        Assert.Equal("", await body.ReadLineAsync(cts.Token));
    }

    [Fact]
    public async Task Gzip_Ndjson_IsOneCompressedLinePerEvent()
    {
        using var http = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "v2/stream/gz.a");
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Wait);
        using var body = new StreamReader(new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress));
        using var cts = new CancellationTokenSource(Wait);

        await _server.ProduceAsync("gz.a", 0, """{"n":"ndjson"}""");
        var line = await body.ReadLineAsync(cts.Token);

        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        Assert.Equal("ndjson", JsonDocument.Parse(line!).RootElement.GetProperty("n").GetString());
    }

    [Fact]
    public async Task NoAcceptEncoding_GetsIdentity()
    {
        using var http = _server.CreateClient();
        using var response = await GetAsync(http, "v2/stream/gz.b", gzip: false);
        using var body = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var cts = new CancellationTokenSource(Wait);

        Assert.Equal(":ok", await body.ReadLineAsync(cts.Token));
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
    }

    [Fact]
    public async Task CompressionOff_GetsIdentityEvenWhenAsked()
    {
        await using var server = await TestServer.StartAsync(Config, partitions: 1, "--Streaming:Compression=Off");
        using var http = server.CreateClient();
        using var response = await GetAsync(http, "v2/stream/gz.a", gzip: true);
        using var body = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var cts = new CancellationTokenSource(Wait);

        Assert.Equal(":ok", await body.ReadLineAsync(cts.Token));
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Empty(response.Headers.Vary);
    }

    [Fact]
    public async Task Gzip_ServerShutdown_EndsWithTheTrailerOfEverythingSent()
    {
        var server = await TestServer.StartAsync(Config, partitions: 1);
        await using var _ = server;
        using var http = server.CreateClient();
        using var response = await GetAsync(http, "v2/stream/gz.a", gzip: true);
        var raw = new RecordingStream(await response.Content.ReadAsStreamAsync());
        using var body = new StreamReader(new GZipStream(raw, CompressionMode.Decompress, leaveOpen: true));
        using var cts = new CancellationTokenSource(Wait);
        for (var n = 0; n < 3; n++)
        {
            await server.ProduceAsync("gz.a", 0, $$"""{"n":{{n}}}""");
            await ReadEventAsync(body, cts.Token);
        }

        await server.App.StopAsync().WaitAsync(Wait);
        await body.ReadToEndAsync(cts.Token).WaitAsync(Wait);

        // The whole response is one gzip member whose trailer matches the text: decode it again in one go and check.
        var bytes = raw.Recorded;
        using var all = new MemoryStream();
        await new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress).CopyToAsync(all, cts.Token);
        var text = all.ToArray();
        Assert.Equal(3, Encoding.UTF8.GetString(text).Split("event: message\n").Length - 1);
        Assert.Equal(Crc32.HashToUInt32(text), BitConverter.ToUInt32(bytes, bytes.Length - 8));
        Assert.Equal((uint)text.Length, BitConverter.ToUInt32(bytes, bytes.Length - 4));
    }

    [Fact]
    public async Task Curl_Compressed_GetsEachEventAndACompleteStream()
    {
        var server = await TestServer.StartAsync(Config, partitions: 1);
        await using var _ = server;
        using var curl = StartClient("curl", "-sSN", "--compressed", "--max-time", "60", new Uri(server.BaseAddress, "v2/stream/gz.a").ToString());

        await AssertReadsEventsThenEndsCleanlyAsync(server, curl);
    }

    [Fact]
    public async Task PythonRequests_GetsEachEventAndACompleteStream()
    {
        // requests asks for gzip by default; iter_content(None) hands over each decoded chunk as it arrives.
        const string Script = """
            import sys, requests
            with requests.get(sys.argv[1], stream=True, timeout=60) as r:
                assert r.headers.get('Content-Encoding') == 'gzip', r.headers
                for chunk in r.iter_content(chunk_size=None):
                    sys.stdout.write(chunk.decode('utf-8'))
                    sys.stdout.flush()
            """;
        var server = await TestServer.StartAsync(Config, partitions: 1);
        await using var _ = server;
        // Debian's Python, with the python3-requests package scripts/test.sh installs (a pyenv or venv python3 earlier on
        // PATH may lack requests).
        using var python = StartClient("/usr/bin/python3", "-c", Script, new Uri(server.BaseAddress, "v2/stream/gz.a").ToString());

        await AssertReadsEventsThenEndsCleanlyAsync(server, python);
    }

    private static async Task AssertReadsEventsThenEndsCleanlyAsync(TestServer server, Process client)
    {
        using var cts = new CancellationTokenSource(Wait);
        try
        {
            Assert.Equal(":ok", await client.StandardOutput.ReadLineAsync(cts.Token));
            // Events of random sizes put the shared segments at every bit offset of the client's stream; each must be
            // decodable from the bytes sent with it, before the next event exists.
            var random = new Random(17);
            for (var n = 0; n < 40; n++)
            {
                await server.ProduceAsync("gz.a", 0, $$"""{"n":{{n}},"text":"{{RandomText(random)}}"}""");
                var (_, data) = await ReadEventAsync(client.StandardOutput, cts.Token);
                Assert.Equal(n, JsonDocument.Parse(data).RootElement.GetProperty("n").GetInt32());
            }

            // The server ends the stream: a client that checks the gzip trailer exits cleanly only if it is right.
            await server.App.StopAsync().WaitAsync(Wait);
            await client.StandardOutput.ReadToEndAsync(cts.Token);
            await client.WaitForExitAsync(cts.Token);
            Assert.True(client.ExitCode == 0, $"{client.StartInfo.FileName} exited with {client.ExitCode}: {await client.StandardError.ReadToEndAsync(cts.Token)}");
        }
        finally
        {
            if (!client.HasExited)
            {
                client.Kill();
            }
        }
    }

    private static string RandomText(Random random) =>
        string.Concat(Enumerable.Range(0, random.Next(0, 30)).Select(_ => random.Next(3) == 0 ? Guid.NewGuid().ToString() : "edit "));

    private static Process StartClient(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, bool gzip)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (gzip)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Wait);
        response.EnsureSuccessStatusCode();
        return response;
    }

    /// <summary>Reads to the next message event (past heartbeats and blank lines): its id and data.</summary>
    private static async Task<(string Id, string Data)> ReadEventAsync(TextReader body, CancellationToken cancellationToken)
    {
        string? id = null;
        while (await body.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                Assert.NotNull(id);
                return (id, line[6..]);
            }
        }

        throw new EndOfStreamException("The stream ended before the next event.");
    }

    /// <summary>Keeps a copy of every byte read through it.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        private readonly MemoryStream _copy = new();

        public byte[] Recorded => _copy.ToArray();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            _copy.Write(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                _copy.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
