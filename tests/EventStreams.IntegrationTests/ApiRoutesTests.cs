using System.Net;
using System.Reflection;
using System.Text.Json;
using EventStreams.Server.Catalog;

namespace EventStreams.IntegrationTests;

/// <summary>The non-streaming routes: redirects, robots.txt, /_info, the docs page, JSON problems for unknown routes.</summary>
public sealed class ApiRoutesTests : IClassFixture<ApiRoutesTests.Server>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly Server _fixture;

    public ApiRoutesTests(Server fixture) => _fixture = fixture;

    public sealed class Server : IAsyncLifetime
    {
        public const string Home = "https://example.org/eventstreams-home";

        public TestServer Instance { get; private set; } = null!;

        public async Task InitializeAsync() => Instance = await TestServer.StartAsync(
            """
            streams:
              test.api.routes:
                topics: [test.api.routes]
                description: routes
            """,
            1,
            $"--Info:Home={Home}");

        public async Task DisposeAsync() => await Instance.DisposeAsync();
    }

    private HttpClient NoRedirects() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _fixture.Instance.BaseAddress };

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path) =>
        await http.SendAsync(new HttpRequestMessage(method, path)).WaitAsync(Wait);

    [Theory]
    [InlineData("", HttpStatusCode.SeeOther, "/v2/ui")]
    [InlineData("rc", HttpStatusCode.MovedPermanently, "/?doc")]
    [InlineData("_info/home", HttpStatusCode.MovedPermanently, Server.Home)]
    public async Task Get_RedirectingRoute_RedirectsToTarget(string path, HttpStatusCode status, string location)
    {
        using var http = NoRedirects();

        using var response = await SendAsync(http, HttpMethod.Get, path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("", HttpStatusCode.SeeOther)]
    [InlineData("?spec", HttpStatusCode.OK)]
    [InlineData("robots.txt", HttpStatusCode.OK)]
    [InlineData("_info", HttpStatusCode.OK)]
    [InlineData("_info/version", HttpStatusCode.OK)]
    public async Task Head_SimpleRoute_AnswersLikeGetWithoutBody(string path, HttpStatusCode status)
    {
        using var http = NoRedirects();

        using var response = await SendAsync(http, HttpMethod.Head, path);
        var body = await response.Content.ReadAsByteArrayAsync().WaitAsync(Wait);

        Assert.Equal(status, response.StatusCode);
        Assert.Empty(body);
    }

    [Fact]
    public async Task Get_RobotsTxt_DisallowsEverything()
    {
        using var http = NoRedirects();

        using var response = await SendAsync(http, HttpMethod.Get, "robots.txt");
        var body = await response.Content.ReadAsStringAsync().WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("User-agent: *\nDisallow: /", body.TrimEnd('\n'));
    }

    [Fact]
    public async Task Get_Info_ReportsNameVersionDescriptionHome()
    {
        using var http = NoRedirects();
        var expectedVersion = typeof(StreamCatalog).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        using var response = await SendAsync(http, HttpMethod.Get, "_info");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Wait));

        var root = json.RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["name", "version", "description", "home", "environment"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("local demo", root.GetProperty("environment").GetString());
        Assert.Equal("eventstreams", root.GetProperty("name").GetString());
        Assert.Equal(expectedVersion, root.GetProperty("version").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("description").GetString()));
        Assert.Equal(Server.Home, root.GetProperty("home").GetString());
    }

    [Theory]
    [InlineData("name")]
    [InlineData("version")]
    public async Task Get_InfoField_ReturnsObjectWithThatFieldOnly(string field)
    {
        using var http = NoRedirects();
        using var info = JsonDocument.Parse(await (await SendAsync(http, HttpMethod.Get, "_info")).Content.ReadAsStringAsync().WaitAsync(Wait));

        using var response = await SendAsync(http, HttpMethod.Get, "_info/" + field);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Wait));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var property = Assert.Single(json.RootElement.EnumerateObject());
        Assert.Equal(field, property.Name);
        Assert.Equal(info.RootElement.GetProperty(field).GetString(), property.Value.GetString());
    }

    [Fact]
    public async Task Get_UnknownRoute_Returns404ProblemBody()
    {
        using var http = NoRedirects();

        using var response = await SendAsync(http, HttpMethod.Get, "v2/nothing/here?x=1");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Wait));

        var root = json.RootElement;
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, root.GetProperty("status").GetInt32());
        Assert.Equal("not_found", root.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("title").GetString()));
        Assert.Contains("/v2/nothing/here", root.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("GET", root.GetProperty("method").GetString());
        Assert.Equal("/v2/nothing/here?x=1", root.GetProperty("uri").GetString());
    }

    [Fact]
    public async Task Post_GetOnlyRoute_Returns405ProblemBody()
    {
        using var http = NoRedirects();

        using var response = await SendAsync(http, HttpMethod.Post, "_info");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Wait));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("method_not_allowed", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("POST", json.RootElement.GetProperty("method").GetString());
    }

    [Fact]
    public async Task Get_Doc_ServesPageWhoseScriptsAreSeparateFiles()
    {
        using var http = NoRedirects();

        using var page = await SendAsync(http, HttpMethod.Get, "?doc");
        var html = await page.Content.ReadAsStringAsync().WaitAsync(Wait);
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*>", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        var sources = scripts.Select(m => System.Text.RegularExpressions.Regex.Match(m.Value, "src=\"([^\"]+)\"").Groups[1].Value).ToList();
        using var script = await SendAsync(http, HttpMethod.Get, sources.FirstOrDefault() ?? "doc/missing.js");
        var js = await script.Content.ReadAsStringAsync().WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(sources);
        Assert.All(sources, src => Assert.False(string.IsNullOrEmpty(src), "an inline <script> would be blocked by the CSP"));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("javascript", script.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("?spec", js, StringComparison.Ordinal);
        Assert.Contains("EventSource", js, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_DocFileThatDoesNotExist_Returns404ProblemBody()
    {
        using var http = NoRedirects();

        using var response = await SendAsync(http, HttpMethod.Get, "doc/..%2F..%2Fappsettings.json");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Wait));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not_found", json.RootElement.GetProperty("type").GetString());
    }
}
