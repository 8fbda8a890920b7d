using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EventStreams.IntegrationTests;

/// <summary>A stream config fetched over HTTP: the request carries a User-Agent, and the document's stream_aliases are served.</summary>
public sealed class StreamConfigSourceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private const string Config = """
        {"streams": {"test.source.edits": {"topics": ["test.source.edits"], "stream_aliases": ["source-edits"], "destination_event_service": "eventgate-main"}}}
        """;

    private static Task<KestrelApp> StartSourceAsync(ConcurrentQueue<string> userAgents) => KestrelApp.StartAsync(app =>
        app.MapGet("/streamconfigs", (HttpRequest request) =>
        {
            userAgents.Enqueue(request.Headers.UserAgent.ToString());
            return Results.Text(Config, "application/json");
        }));

    [Fact]
    public async Task RemoteConfig_Fetched_SendsDescriptiveUserAgentAndServesStreamAliases()
    {
        var userAgents = new ConcurrentQueue<string>();
        await using var source = await StartSourceAsync(userAgents);

        await using var server = await TestServer.StartAsync("", 1, $"--StreamConfig:Uri={source.BaseAddress}streamconfigs");
        using var http = server.CreateClient();
        using var spec = await http.GetAsync("?spec").WaitAsync(Wait);
        var paths = JsonNode.Parse(await spec.Content.ReadAsStringAsync())!["paths"]!;
        using var stream = await http.GetAsync("v2/stream/source-edits", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Wait);

        var userAgent = Assert.Single(userAgents);
        Assert.StartsWith("EventStreams-dotnet/", userAgent, StringComparison.Ordinal);
        Assert.Contains("(self-hosted EventStreams server", userAgent, StringComparison.Ordinal);
        Assert.Equal("test.source.edits", paths["/v2/stream/source-edits"]!["get"]!["x-eventstreams"]!["alias_of"]!.GetValue<string>());
        Assert.Equal("eventgate-main", paths["/v2/stream/source-edits"]!["get"]!["x-eventstreams"]!["destination_event_service"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
    }

    [Fact]
    public async Task RemoteConfig_UserAgentConfigured_SendsTheConfiguredOne()
    {
        var userAgents = new ConcurrentQueue<string>();
        await using var source = await StartSourceAsync(userAgents);

        await using var server = await TestServer.StartAsync("", 1,
            $"--StreamConfig:Uri={source.BaseAddress}streamconfigs", "--StreamConfig:Headers:User-Agent=MyMirror/1.0 (ops@example.org)");

        Assert.Equal("MyMirror/1.0 (ops@example.org)", Assert.Single(userAgents));
    }
}
