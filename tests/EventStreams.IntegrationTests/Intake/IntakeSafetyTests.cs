using System.Net;
using System.Text.Json;
using EventStreams.Server.Kafka;
using static EventStreams.IntegrationTests.Intake.IntakeClient;

namespace EventStreams.IntegrationTests.Intake;

/// <summary>Safe by default against a real cluster, and a 500 only when producing failed.</summary>
public sealed class IntakeSafetyTests
{
    private const string Config = """
        streams:
          mine:
            schema_title: test/intake
            destination_event_service: eventgate-test
            topic_prefixes: [eqiad.]
          theirs:
            schema_title: test/intake
            destination_event_service: eventgate-main
            topic_prefixes: [eqiad.]
        """;

    private static string Event(string stream) =>
        $$"""{"$schema":"/test/intake/1.0.0","meta":{"stream":"{{stream}}"},"action":"click","count":1}""";

    [Fact]
    public async Task ConfiguredCluster_IntakeNotEnabled_404IntakeDisabled()
    {
        using var cluster = new MockCluster();
        using var schemas = new SchemaRepo();
        await using var server = await TestServer.StartAsync(Config, 1, $"--Kafka:BootstrapServers={cluster.BootstrapServers}", $"--Schemas:BaseUris:0={schemas.Folder}");
        using var http = server.CreateClient();

        await AssertIntakeOffAsync(http);
    }

    [Fact]
    public async Task ConfiguredCluster_Enabled_OnlyTheServicesOwnStreams()
    {
        using var cluster = new MockCluster();
        cluster.CreateTopic("eqiad.mine");
        cluster.CreateTopic("eqiad.theirs");
        using var schemas = new SchemaRepo();
        await using var server = await TestServer.StartAsync(Config, 1, $"--Kafka:BootstrapServers={cluster.BootstrapServers}", $"--Schemas:BaseUris:0={schemas.Folder}",
            "--Intake:Enabled=true", "--Intake:EventServiceName=eventgate-test");
        using var http = server.CreateClient();

        var mine = await PostAsync(http, Event("mine"));
        var theirs = await PostAsync(http, Event("theirs"));

        Assert.Equal(HttpStatusCode.NoContent, mine.Status);
        Assert.Equal(HttpStatusCode.BadRequest, theirs.Status);
        Assert.Contains("eventgate-main", theirs.Json.GetProperty("invalid")[0].GetProperty("context").GetProperty("errorsText").GetString(), StringComparison.Ordinal);
        using var spec = JsonDocument.Parse(await http.GetStringAsync("?spec").WaitAsync(Wait));
        var specPaths = spec.RootElement.GetProperty("paths");
        var post = specPaths.GetProperty("/v1/events").GetProperty("post");
        Assert.Equal("events", post.GetProperty("operationId").GetString());
        Assert.Equal(["202", "204", "207", "400", "413", "415", "500"], post.GetProperty("responses").EnumerateObject().Select(r => r.Name));
        var streams = specPaths.GetProperty("/v2/schema/{stream}").GetProperty("get").GetProperty("parameters")[0].GetProperty("schema").GetProperty("enum");
        Assert.Equal(["mine", "theirs"], streams.EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task EmbeddedBroker_IntakeDisabled_404IntakeDisabled()
    {
        using var schemas = new SchemaRepo();
        await using var server = await TestServer.StartAsync(Config, 1, $"--Schemas:BaseUris:0={schemas.Folder}", "--Intake:Enabled=false");
        using var http = server.CreateClient();

        await AssertIntakeOffAsync(http);
    }

    [Fact]
    public async Task ConfiguredCluster_EnabledWithoutServiceName_FailsToStartNamingTheKey()
    {
        using var cluster = new MockCluster();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(Config, 1, $"--Kafka:BootstrapServers={cluster.BootstrapServers}", "--Intake:Enabled=true"));

        Assert.Contains("Intake:EventServiceName", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SchemaBaseThatIsNoFolder_FailsToStartNamingTheKey()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(Config, 1, "--Schemas:BaseUris:0=/no/such/schema/folder"));

        Assert.Contains("Schemas:BaseUris", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_BrokerDown_500WithTheEventInError()
    {
        using var schemas = new SchemaRepo();
        await using var server = await TestServer.StartAsync(Config, 1, $"--Schemas:BaseUris:0={schemas.Folder}", "--Intake:ProduceTimeoutSeconds=1");
        using var http = server.CreateClient();
        server.Cluster.SetBrokerDown();

        var answer = await PostAsync(http, $"[{Event("mine")},{Event("theirs")}]");

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        var errors = answer.Json.GetProperty("error").EnumerateArray().ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e =>
        {
            Assert.Equal("error", e.GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(e.GetProperty("context").GetProperty("message").GetString()));
        });
    }

    private static async Task<List<string>> SpecPathsAsync(HttpClient http)
    {
        using var spec = JsonDocument.Parse(await http.GetStringAsync("?spec").WaitAsync(Wait));
        return [.. spec.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name)];
    }

    /// <summary>The intake answers 404 intake_disabled and /?spec does not document its routes.</summary>
    private static async Task AssertIntakeOffAsync(HttpClient http)
    {
        var answer = await PostAsync(http, Event("mine"));

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Equal("intake_disabled", answer.Json.GetProperty("type").GetString());
        var paths = await SpecPathsAsync(http);
        Assert.DoesNotContain("/v1/events", paths);
        Assert.DoesNotContain("/v2/schema/{stream}", paths);
    }
}
