using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Xunit.Abstractions;
using static EventStreams.IntegrationTests.Intake.IntakeClient;

namespace EventStreams.IntegrationTests.Intake;

/// <summary>
/// The body as EventGate's parser reads it: invalid UTF-8 becomes U+FFFD (so only UTF-8 reaches Kafka), gzip and deflate
/// bodies are inflated, and the body limit holds for the inflated size. Each checked in what Kafka holds.
/// </summary>
public sealed class IntakeBodyTests(IntakeServerFixture fixture, ITestOutputHelper output) : IClassFixture<IntakeServerFixture>
{
    private const string GoodTopic = "eqiad.intake.good";
    private const string ErrorTopic = "eqiad.eventgate-test.error.validation";

    /// <summary>The issue's bytes: <c>a</c>, two bytes that are never UTF-8, a lead byte without its continuation, <c>b</c>.</summary>
    private static readonly byte[] InvalidUtf8 = [0x61, 0xFF, 0xFE, 0xC3, 0x62];

    private static string Marker() => Guid.NewGuid().ToString("N");

    private static byte[] WithInvalidUtf8(string json) =>
        [.. Encoding.UTF8.GetBytes(json[..json.IndexOf("@@", StringComparison.Ordinal)]), .. InvalidUtf8, .. Encoding.UTF8.GetBytes(json[(json.IndexOf("@@", StringComparison.Ordinal) + 2)..])];

    [Fact]
    public async Task Post_InvalidUtf8InAString_AcceptedAndProducedWithReplacementCharacters()
    {
        using var http = fixture.Server.CreateClient();
        var marker = Marker();
        // meta complete, so nothing would rewrite the event on its way: the bytes as posted are what would be produced.
        var body = WithInvalidUtf8($$"""{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good","id":"{{Guid.NewGuid()}}","dt":"2026-01-01T00:00:00Z"},"action":"click","count":1,"tags":["{{marker}}","@@"]}""");

        var answer = await PostBytesAsync(http, body);
        var produced = await ProducedEvents.FindAsync(fixture.Server, GoodTopic, marker);

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.True(Utf8.IsValid(produced), Convert.ToHexString(produced));
        Assert.Equal("a\uFFFD\uFFFD\uFFFDb", JsonDocument.Parse(produced).RootElement.GetProperty("tags")[1].GetString());
    }

    [Fact]
    public async Task Post_InvalidUtf8InAnInvalidEvent_ErrorEventAndAnswerAreUtf8()
    {
        using var http = fixture.Server.CreateClient();
        var marker = Marker();
        var body = WithInvalidUtf8($$"""{"$schema":"/test/intake/1.0.0","meta":{"stream":"intake.good"},"action":"@@","count":1,"tags":["{{marker}}"]}""");

        var answer = await PostBytesAsync(http, body);
        var error = await ProducedEvents.FindAsync(fixture.Server, ErrorTopic, marker);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("a\uFFFD\uFFFD\uFFFDb", answer.Json.GetProperty("invalid")[0].GetProperty("event").GetProperty("action").GetString());
        Assert.True(Utf8.IsValid(error), Convert.ToHexString(error));
        var raw = JsonDocument.Parse(error).RootElement.GetProperty("raw_event").GetString()!;
        Assert.Equal("a\uFFFD\uFFFD\uFFFDb", JsonDocument.Parse(raw).RootElement.GetProperty("action").GetString());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("x-gzip")]
    [InlineData("deflate")]
    public async Task Post_CompressedBody_InflatedValidatedAndProduced(string encoding)
    {
        using var http = fixture.Server.CreateClient();
        var marker = Marker();
        var json = $"[{Good(marker)},{Good(marker + "-2")}]";

        var answer = await PostBytesAsync(http, Compress(Encoding.UTF8.GetBytes(json), encoding), encoding);
        var produced = await ProducedEvents.FindAsync(fixture.Server, GoodTopic, marker + "-2");

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.Equal("All 2 out of 2 events were accepted.", answer.ReasonPhrase);
        Assert.Equal("click", JsonDocument.Parse(produced).RootElement.GetProperty("action").GetString());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task Post_CompressedUnderTheLimitInflatedOverIt_413(string encoding)
    {
        using var http = fixture.Server.CreateClient();
        var inflated = Encoding.UTF8.GetBytes($$"""{"pad":"{{new string(' ', 4 * IntakeServerFixture.MaxBodyBytes)}}"}""");
        var body = Compress(inflated, encoding);

        var answer = await PostBytesAsync(http, body, encoding);

        Assert.True(body.Length < IntakeServerFixture.MaxBodyBytes / 16, $"{body.Length} bytes compressed");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Equal("payload_too_large", answer.Json.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Post_GzipBombUnderTheDefaultLimit_413AfterInflatingOnlyTheLimit()
    {
        // The default limit (4 MiB) and a 1 MiB body that inflates to 1 GiB: 1,024 gzip members of 1 MiB of zeros.
        using var schemas = new SchemaRepo();
        await using var server = await TestServer.StartAsync(IntakeServerFixture.Config, 1, $"--Schemas:BaseUris:0={schemas.Folder}", "--Intake:EventServiceName=eventgate-test");
        using var http = server.CreateClient();
        var member = Compress(new byte[1024 * 1024], "gzip");
        var bomb = new byte[member.Length * 1024];
        for (var i = 0; i < 1024; i++)
        {
            member.CopyTo(bomb, i * member.Length);
        }

        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var answer = await PostBytesAsync(http, bomb, "gzip");
        var elapsed = clock.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        output.WriteLine($"{bomb.Length / 1024} KiB gzip of 1 GiB: {answer.Status} in {elapsed.TotalMilliseconds:F0} ms, {allocated / 1024 / 1024} MiB allocated in the process meanwhile");

        Assert.True(bomb.Length < 4 * 1024 * 1024, $"{bomb.Length} bytes compressed");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Equal("payload_too_large", answer.Json.GetProperty("type").GetString());
        // Inflating it all would allocate at least 1 GiB; the limit allows a few times 4 MiB (other tests allocate too).
        Assert.True(allocated < 256L * 1024 * 1024, $"{allocated / 1024 / 1024} MiB allocated while the bomb was posted");
    }

    [Fact]
    public async Task Post_CorruptGzip_400InvalidContentEncoding()
    {
        using var http = fixture.Server.CreateClient();
        var body = Compress(Encoding.UTF8.GetBytes(Good(Marker())), "gzip");
        body[12] ^= 0xFF;
        body[13] ^= 0xFF;

        var answer = await PostBytesAsync(http, body, "gzip");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_content_encoding", answer.Json.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Post_UnknownContentEncoding_415()
    {
        using var http = fixture.Server.CreateClient();

        var answer = await PostBytesAsync(http, Compress(Encoding.UTF8.GetBytes(Good(Marker())), "br"), "br");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.Status);
        Assert.Equal("unsupported_content_encoding", answer.Json.GetProperty("type").GetString());
    }

    private static byte[] Compress(byte[] data, string encoding)
    {
        using var buffer = new MemoryStream();
        using (Stream compressing = encoding switch
        {
            "deflate" => new ZLibStream(buffer, CompressionLevel.SmallestSize),
            "br" => new BrotliStream(buffer, CompressionLevel.SmallestSize),
            _ => new GZipStream(buffer, CompressionLevel.SmallestSize),
        })
        {
            compressing.Write(data);
        }

        return buffer.ToArray();
    }
}
