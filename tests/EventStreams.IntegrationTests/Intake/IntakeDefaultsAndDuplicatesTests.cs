using System.Net;
using System.Text.Json;
using static EventStreams.IntegrationTests.Intake.IntakeClient;

namespace EventStreams.IntegrationTests.Intake;

/// <summary>
/// What is validated is exactly what is produced, read back from Kafka: a duplicate key is its last value (as EventGate's
/// JSON.parse reads it) and is produced once; schema defaults are filled in as AJV's useDefaults fills them.
/// </summary>
public sealed class IntakeDefaultsAndDuplicatesTests(IntakeServerFixture fixture) : IClassFixture<IntakeServerFixture>
{
    private const string Topic = "eqiad.intake.defaults";
    private static readonly JsonDocumentOptions NoDuplicates = new() { AllowDuplicateProperties = false };

    private static string Marker() => Guid.NewGuid().ToString("N");

    private static string Meta(string marker) => $$"""{"stream":"intake.defaults","id":"{{marker}}","dt":"2026-01-01T00:00:00Z"}""";

    [Fact]
    public async Task Post_DuplicateKeyLastInvalid_400ForTheLastValue()
    {
        using var http = fixture.Server.CreateClient();

        // The example: JavaScript and Python consumers would read test: 5, which the schema forbids.
        var answer = await PostAsync(http, $$"""{"$schema":"/test/defaults/1.0.0","meta":{{Meta(Marker())}},"test":"ok","test":5}""");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        var invalid = answer.Json.GetProperty("invalid")[0];
        Assert.Equal(5, invalid.GetProperty("event").GetProperty("test").GetInt32());
        Assert.Equal("/test", invalid.GetProperty("context").GetProperty("errors")[0].GetProperty("instancePath").GetString());
    }

    [Fact]
    public async Task Post_DuplicateKeyLastValid_AcceptedAndProducedWithTheKeyOnce()
    {
        using var http = fixture.Server.CreateClient();
        var marker = Marker();

        var answer = await PostAsync(http, $$"""{"$schema":"/test/defaults/1.0.0","meta":{{Meta(marker)}},"test":5,"nested":{"level":2},"test":"ok"}""");
        var produced = await ProducedEvents.FindAsync(fixture.Server, Topic, marker);

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        var e = JsonDocument.Parse(produced, NoDuplicates).RootElement;
        Assert.Equal("ok", e.GetProperty("test").GetString());
        // The key keeps its first place, as JSON.parse and JSON.stringify leave it.
        Assert.Equal(["$schema", "meta", "test", "nested"], e.EnumerateObject().Select(p => p.Name).Take(4));
    }

    [Fact]
    public async Task Post_DuplicateKeyInMetaAndInABatch_EachEventReadAsItsLastValues()
    {
        using var http = fixture.Server.CreateClient();
        var marker = Marker();
        var first = $$"""{"$schema":"/test/defaults/1.0.0","meta":{"stream":"intake.good","id":"{{marker}}","dt":"2026-01-01T00:00:00Z","stream":"intake.defaults"},"test":"one"}""";
        var second = $$$"""{"$schema":"/test/defaults/1.0.0","meta":{{{Meta(marker + "-2")}}},"nested":{"level":"x","level":3}}""";

        var answer = await PostAsync(http, $"[{first},{second}]");
        var one = JsonDocument.Parse(await ProducedEvents.FindAsync(fixture.Server, Topic, marker + "\""), NoDuplicates).RootElement;
        var two = JsonDocument.Parse(await ProducedEvents.FindAsync(fixture.Server, Topic, marker + "-2"), NoDuplicates).RootElement;

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.Equal("intake.defaults", one.GetProperty("meta").GetProperty("stream").GetString());
        Assert.Equal(3, two.GetProperty("nested").GetProperty("level").GetInt32());
    }

    [Fact]
    public async Task Post_EventMissingPropertiesWithDefaults_ProducedWithThemAtEveryLevelAJVFillsIn()
    {
        using var http = fixture.Server.CreateClient();
        var marker = Marker();
        var body = $$$"""
            {"$schema":"/test/defaults/1.0.0","meta":{{{Meta(marker)}}},"nested":{"inner":{}},
             "weighted_list":[{},{"weight":2}],"weighted_map":{"a":{}},"choice":{}}
            """;

        var answer = await PostAsync(http, body);
        var e = JsonDocument.Parse(await ProducedEvents.FindAsync(fixture.Server, Topic, marker)).RootElement;

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.Equal("default value", e.GetProperty("test").GetString());
        Assert.Equal(1, e.GetProperty("nested").GetProperty("level").GetInt32());
        Assert.True(e.GetProperty("nested").GetProperty("inner").GetProperty("flag").GetBoolean());
        Assert.Equal(0.5, e.GetProperty("weighted_list")[0].GetProperty("weight").GetDouble());
        Assert.Equal(2, e.GetProperty("weighted_list")[1].GetProperty("weight").GetDouble());
        Assert.Equal(0.5, e.GetProperty("weighted_map").GetProperty("a").GetProperty("weight").GetDouble());
        Assert.Equal(7, e.GetProperty("from_all_of").GetInt32());
        // Under anyOf AJV never fills a default in.
        Assert.Equal("{}", e.GetProperty("choice").GetRawText());
    }

    [Fact]
    public async Task Post_ParentObjectMissing_OnlyItsOwnDefaultIfAny()
    {
        using var http = fixture.Server.CreateClient();
        var marker = Marker();

        var answer = await PostAsync(http, $$$"""{"$schema":"/test/defaults/1.0.0","meta":{{{Meta(marker)}}},"nested":{}}""");
        var e = JsonDocument.Parse(await ProducedEvents.FindAsync(fixture.Server, Topic, marker)).RootElement;

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.False(e.TryGetProperty("weighted_map", out _));
        Assert.False(e.TryGetProperty("choice", out _));
        // inner's own default ({}) is filled in, and then inner's defaults inside it, as AJV validates the default next.
        Assert.Equal("""{"level":1,"inner":{"flag":true}}""", e.GetProperty("nested").GetRawText());
    }

    [Fact]
    public async Task Post_NullWhereADefaultExists_NotReplacedAndValidatedAsNull()
    {
        using var http = fixture.Server.CreateClient();

        var answer = await PostAsync(http, $$"""{"$schema":"/test/defaults/1.0.0","meta":{{Meta(Marker())}},"test":null}""");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("/test", answer.Json.GetProperty("invalid")[0].GetProperty("context").GetProperty("errors")[0].GetProperty("instancePath").GetString());
    }

    [Fact]
    public async Task Post_LoneSurrogateEscapeInAnEventToComplete_ProducedAsJavaScriptWritesIt()
    {
        using var http = fixture.Server.CreateClient();
        var marker = Marker();

        // "\ud800" is a string JSON.parse holds and JSON.stringify writes back escaped; .NET strings cannot hold it.
        var answer = await PostAsync(http, $$"""{"$schema":"/test/defaults/1.0.0","meta":{"stream":"intake.defaults"},"tag":"{{marker}}","odd":"x\ud800y"}""");
        var produced = await ProducedEvents.FindAsync(fixture.Server, Topic, marker);

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.Contains("\"odd\":\"x\\ud800y\"", System.Text.Encoding.UTF8.GetString(produced), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_MetaFilledInAndDefaults_BothInTheProducedEvent()
    {
        using var http = fixture.Server.CreateClient();
        var marker = Marker();

        var answer = await PostAsync(http, $$"""{"$schema":"/test/defaults/1.0.0","meta":{"stream":"intake.defaults"},"tag":"{{marker}}"}""");
        var e = JsonDocument.Parse(await ProducedEvents.FindAsync(fixture.Server, Topic, marker), NoDuplicates).RootElement;

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.True(Guid.TryParse(e.GetProperty("meta").GetProperty("id").GetString(), out _));
        Assert.Equal("default value", e.GetProperty("test").GetString());
    }
}
