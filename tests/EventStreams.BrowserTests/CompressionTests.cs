namespace EventStreams.BrowserTests;

/// <summary>Chromium's own EventSource on a gzip stream: each event compressed once on the server, decoded as it comes.</summary>
[Collection(UiTests.Name)]
public sealed class CompressionTests(UiFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public Task EventSource_GzipStream_GetsEachEventAsItIsProduced() => RunAsync(async page =>
    {
        await page.GotoAsync(Server.UiUrl());
        var response = page.WaitForResponseAsync(r => r.Url.Contains("/v2/stream/ui.gzip", StringComparison.Ordinal), new() { Timeout = Timeout });
        await page.EvaluateAsync("""
            () => new Promise(resolve => {
              window.gzipped = [];
              const source = new EventSource('/v2/stream/ui.gzip');
              source.onmessage = e => window.gzipped.push({ id: e.lastEventId, seq: JSON.parse(e.data).seq });
              source.onopen = () => resolve();
            })
            """);
        var headers = await (await response).AllHeadersAsync();

        // One event at a time: each must be decoded before the next is produced (its bits end in the bytes sent with it).
        // Comments of random length put each event's shared segment at another bit offset of the stream.
        var random = new Random(19);
        for (var seq = 1; seq <= 16; seq++)
        {
            await Server.ProduceAsync("eqiad.ui.gzip", UiServer.Edit("ui.gzip", seq, comment: new string('c', random.Next(0, 200))));
            await page.WaitForFunctionAsync($"() => window.gzipped.length === {seq} && window.gzipped[{seq - 1}].seq === {seq} && window.gzipped[{seq - 1}].id.length > 0", null, new() { Timeout = Timeout });
        }

        Assert.Equal("gzip", headers["content-encoding"]);
        Assert.Contains("gzip", (await (await response).Request.AllHeadersAsync())["accept-encoding"], StringComparison.Ordinal);
    });
}
