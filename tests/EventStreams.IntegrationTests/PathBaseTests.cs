using System.Net;
using System.Text.Json;

namespace EventStreams.IntegrationTests;

/// <summary>The server mounted under <c>/eventstreams/</c> behind a YARP proxy: every route and redirect keeps the prefix.</summary>
public sealed class PathBaseTests : IAsyncLifetime
{
    private const string Topic = "test.prefix.events";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private TestServer _server = null!;
    private PrefixProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync($"streams: {{{Topic}: {{topics: [{Topic}]}}}}", 1, "--PathBase=/eventstreams");
        _proxy = await PrefixProxy.StartAsync(_server.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _server.DisposeAsync();
    }

    private HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _proxy.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };

    [Theory]
    [InlineData("", HttpStatusCode.SeeOther, "/eventstreams/v2/ui")]
    [InlineData("v2/ui", HttpStatusCode.MovedPermanently, "ui/")]
    [InlineData("rc", HttpStatusCode.MovedPermanently, "/eventstreams/?doc")]
    [InlineData("_info/home", HttpStatusCode.MovedPermanently, "/eventstreams/?doc")]
    public async Task Redirects_UnderPrefix_KeepThePrefix(string path, HttpStatusCode status, string location)
    {
        using var http = Client();

        using var response = await http.GetAsync(path).WaitAsync(Wait);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
        Assert.StartsWith("/eventstreams/", new Uri(new Uri(_proxy.BaseAddress, path), location).AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamSpecAndInfo_UnderPrefix_Served()
    {
        await _server.ProduceAsync(Topic, 0, """{"meta":{"stream":"test.prefix.events"},"n":1}""");
        using var http = Client();

        await using var sse = await SseClient.ConnectAsync(http, $"v2/stream/{Topic}?since=0");
        var first = await sse.NextEventAsync(Wait);
        var spec = JsonDocument.Parse(await http.GetStringAsync("?spec").WaitAsync(Wait)).RootElement;
        using var info = await http.GetAsync("_info").WaitAsync(Wait);
        using var settings = await http.GetAsync("v2/ui/settings.json").WaitAsync(Wait);
        using var unknown = await http.GetAsync("v2/nothing").WaitAsync(Wait);

        Assert.Equal(1, first.Json.GetProperty("n").GetInt32());
        Assert.True(spec.GetProperty("paths").TryGetProperty($"/v2/stream/{Topic}", out _));
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        var ui = JsonDocument.Parse(await settings.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["sse", "signalr"], ui.GetProperty("transports").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("local demo", ui.GetProperty("environment").GetString());
        Assert.Equal(JsonValueKind.Null, ui.GetProperty("upstream").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("/eventstreams/v2/nothing", JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("uri").GetString());
    }

    [Theory]
    [InlineData("eventstreams")]
    [InlineData("/eventstreams/")]
    [InlineData("/event streams")]
    [InlineData("/a?b")]
    public async Task MalformedPathBase_FailsStartNamingTheKey(string pathBase)
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync("streams: {a: {}}", 1, $"--PathBase={pathBase}"));

        Assert.Contains("PathBase", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "/eventstreams/v2/ui")]
    [InlineData(false, "/v2/ui")]
    public async Task ForwardedPrefix_HonouredOnlyFromATrustedProxy(bool trusted, string location)
    {
        await using var server = await TestServer.StartAsync($"streams: {{{Topic}: {{topics: [{Topic}]}}}}", 1,
            trusted ? "--ForwardedHeaders:TrustedProxies:0=127.0.0.1" : "--ForwardedHeaders:TrustedProxies:0=192.0.2.1");
        await using var proxy = await PrefixProxy.StartAsync(server.BaseAddress, stripPrefix: true);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = proxy.BaseAddress };

        using var root = await http.GetAsync("").WaitAsync(Wait);
        using var spec = await http.GetAsync("?spec").WaitAsync(Wait);

        Assert.Equal(location, root.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, spec.StatusCode);
    }
}
