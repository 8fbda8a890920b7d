using System.Net;
using System.Text.RegularExpressions;

namespace EventStreams.BrowserTests;

/// <summary>How the server serves the built UI: index.html at /v2/ui and /v2/ui/, hashed assets cached for good, no inline script.</summary>
[Collection(UiTests.Name)]
public sealed partial class UiEndpointTests(UiFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("v2/ui")]
    [InlineData("v2/ui/")]
    public async Task Index_BothPaths_ServeTheAppWithoutInlineScripts(string path)
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseAddress };

        using var response = await http.GetAsync(path).WaitAsync(Wait);
        var html = await response.Content.ReadAsStringAsync().WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        var scripts = ScriptTag().Matches(html);
        Assert.NotEmpty(scripts);
        // Relative, so that the page works under any prefix (PathBase, a proxy at /eventstreams/).
        Assert.All(scripts, s => Assert.Matches("src=\"\\./assets/[^\"]+\\.js\"", s.Value));
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assets_HashedNames_AreCachedAsImmutableAndAnswerHead()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        var html = await http.GetStringAsync("v2/ui/").WaitAsync(Wait);
        var script = Regex.Match(html, "\\./assets/[^\"]+\\.js").Value;

        using var get = await http.GetAsync("v2/ui/" + script[2..]).WaitAsync(Wait);
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "v2/ui/")).WaitAsync(Wait);
        using var missing = await http.GetAsync("v2/ui/assets/no-such-file.js").WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("text/javascript", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", get.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTag();
}
