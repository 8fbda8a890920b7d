using System.Net;

namespace EventStreams.IntegrationTests;

/// <summary>CORS and security headers on every response, including a stream that has already started.</summary>
public sealed class ResponseHeadersTests : IClassFixture<ResponseHeadersTests.Server>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly Server _fixture;

    public ResponseHeadersTests(Server fixture) => _fixture = fixture;

    public sealed class Server : IAsyncLifetime
    {
        public TestServer Instance { get; private set; } = null!;

        public async Task InitializeAsync() => Instance = await TestServer.StartAsync(
            """
            streams:
              test.api.headers:
                topics: [test.api.headers]
            """);

        public async Task DisposeAsync() => await Instance.DisposeAsync();
    }

    private static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
        Assert.True(response.Headers.Contains("Referrer-Policy"));
    }

    [Theory]
    [InlineData("?spec")]
    [InlineData("_info")]
    [InlineData("robots.txt")]
    [InlineData("metrics")]
    [InlineData("no/such/route")]
    [InlineData("v2/stream/no.such.stream")]
    public async Task Get_AnyRoute_HasCorsAndSecurityHeaders(string path)
    {
        using var http = _fixture.Instance.CreateClient();

        using var response = await http.GetAsync(path).WaitAsync(Wait);

        AssertCommonHeaders(response);
    }

    [Fact]
    public async Task Get_StartedStream_HasCorsAndSecurityHeaders()
    {
        using var http = _fixture.Instance.CreateClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Origin", "https://elsewhere.example");

        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/test.api.headers");
        var ok = await sse.ReadAsync(Wait);

        Assert.Equal("ok", ok!.Comment);
        Assert.Equal(HttpStatusCode.OK, sse.Response.StatusCode);
        AssertCommonHeaders(sse.Response);
    }

    [Fact]
    public async Task Get_StreamWithOrigin_HasTheCorsHeadersOfCorsMiddleware()
    {
        // The stream route runs before the CORS middleware (an idle stream's memory) and relies on CORS adding nothing to a
        // simple GET beyond Access-Control-Allow-Origin: *. A route that goes through it must answer with the same headers.
        using var http = _fixture.Instance.CreateClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Origin", "https://elsewhere.example");
        using var info = await http.GetAsync("_info").WaitAsync(Wait);

        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/test.api.headers");
        await sse.ReadAsync(Wait);

        Assert.Equal(CorsHeaders(info), CorsHeaders(sse.Response));
        Assert.Equal(info.Headers.Vary.Order(StringComparer.Ordinal), sse.Response.Headers.Vary.Where(v => v != "Accept-Encoding").Order(StringComparer.Ordinal));
    }

    private static string[] CorsHeaders(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase))
            .Select(h => $"{h.Key.ToLowerInvariant()}: {string.Join(',', h.Value)}")
            .Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Options_PreflightForLastEventId_IsAllowed()
    {
        using var http = _fixture.Instance.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "v2/stream/test.api.headers");
        request.Headers.TryAddWithoutValidation("Origin", "https://elsewhere.example");
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "GET");
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", "last-event-id");

        using var response = await http.SendAsync(request).WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        var allowedHeaders = string.Join(',', response.Headers.GetValues("Access-Control-Allow-Headers")).Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("last-event-id", allowedHeaders, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("GET", string.Join(',', response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_PreflightForUnlistedHeader_DoesNotAllowIt()
    {
        using var http = _fixture.Instance.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "v2/stream/test.api.headers");
        request.Headers.TryAddWithoutValidation("Origin", "https://elsewhere.example");
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "GET");
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", "x-not-allowed");

        using var response = await http.SendAsync(request).WaitAsync(Wait);

        var allowed = response.Headers.TryGetValues("Access-Control-Allow-Headers", out var values) ? string.Join(',', values) : "";
        Assert.DoesNotContain("x-not-allowed", allowed, StringComparison.OrdinalIgnoreCase);
    }
}
