using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static EventStreams.IntegrationTests.Intake.IntakeClient;

namespace EventStreams.IntegrationTests.Intake;

/// <summary>Schemas from http(s):// and file:// bases, first base wins, misses remembered, the size and hasty limits.</summary>
public sealed class SchemaSourceTests
{
    private const string Config = """
        streams:
          intake.good:
            schema_title: test/intake
            topic_prefixes: [eqiad.]
        """;

    /// <summary>The same schema, but <c>count</c> must be at least 100: an event valid against the real one is not against this one.</summary>
    private static readonly string StricterSchema = SchemaRepo.IntakeSchema.Replace("minimum: 0", "minimum: 100", StringComparison.Ordinal);

    private static Task<KestrelApp> SchemaServerAsync(ConcurrentQueue<string> requests, Func<string, Task<string?>> schemaAt) =>
        KestrelApp.StartAsync(app => app.MapGet("/schemas/{**path}", async (string path) =>
        {
            requests.Enqueue(path);
            return await schemaAt(path) is { } text ? Results.Text(text, "application/yaml") : Results.NotFound();
        }));

    [Fact]
    public async Task HttpBase_AfterAFolderWithoutTheSchema_SchemaFetchedOverHttp()
    {
        var requests = new ConcurrentQueue<string>();
        await using var schemaServer = await SchemaServerAsync(requests, path => Task.FromResult(path == "test/intake/1.0.0.yaml" ? SchemaRepo.IntakeSchema : null));
        var empty = Directory.CreateTempSubdirectory("eventstreams-empty-").FullName;
        await using var server = await TestServer.StartAsync(Config, 1, $"--Schemas:BaseUris:0={empty}", $"--Schemas:BaseUris:1={schemaServer.BaseAddress}schemas");
        using var http = server.CreateClient();

        var answer = await PostAsync(http, Good("x"));

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.Contains("test/intake/1.0.0.yaml", requests);
        Directory.Delete(empty);
    }

    [Fact]
    public async Task TwoBasesWithTheSchema_TheFirstWins()
    {
        var requests = new ConcurrentQueue<string>();
        await using var schemaServer = await SchemaServerAsync(requests, path => Task.FromResult(path == "test/intake/1.0.0.yaml" ? StricterSchema : null));
        using var repo = new SchemaRepo();
        await using var httpFirst = await TestServer.StartAsync(Config, 1, $"--Schemas:BaseUris:0={schemaServer.BaseAddress}schemas", $"--Schemas:BaseUris:1=file://{repo.Folder}");
        await using var folderFirst = await TestServer.StartAsync(Config, 1, $"--Schemas:BaseUris:0=file://{repo.Folder}", $"--Schemas:BaseUris:1={schemaServer.BaseAddress}schemas");
        using var toHttpFirst = httpFirst.CreateClient();
        using var toFolderFirst = folderFirst.CreateClient();

        var strict = await PostAsync(toHttpFirst, Good("x"));
        var lenient = await PostAsync(toFolderFirst, Good("x"));

        Assert.Equal(HttpStatusCode.BadRequest, strict.Status);
        Assert.Equal("/count", strict.Json.GetProperty("invalid")[0].GetProperty("context").GetProperty("errors")[0].GetProperty("instancePath").GetString());
        Assert.Equal(HttpStatusCode.NoContent, lenient.Status);
    }

    [Fact]
    public async Task MissingSchema_AskedForAgain_AnsweredFromMemoryWithoutFetching()
    {
        var requests = new ConcurrentQueue<string>();
        await using var schemaServer = await SchemaServerAsync(requests, _ => Task.FromResult<string?>(null));
        await using var server = await TestServer.StartAsync(Config, 1, $"--Schemas:BaseUris:0={schemaServer.BaseAddress}schemas", "--Schemas:MissingRetrySeconds=300");
        using var http = server.CreateClient();

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await PostAsync(http, Good("x", "/test/missing/1.0.0"))).Status);
        }

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.BadRequest, a));
        // One lookup: .yaml, .json, bare; the other two posts were answered from memory.
        Assert.Equal(["test/missing/1.0.0.yaml", "test/missing/1.0.0.json", "test/missing/1.0.0"], requests);
    }

    [Fact]
    public async Task SchemaLargerThanTheLimit_EventInvalidNamingTheLimit()
    {
        var requests = new ConcurrentQueue<string>();
        var padded = SchemaRepo.IntakeSchema + "\ndescription: " + new string('x', 4096) + "\n";
        await using var schemaServer = await SchemaServerAsync(requests, _ => Task.FromResult<string?>(padded));
        await using var server = await TestServer.StartAsync(Config, 1, $"--Schemas:BaseUris:0={schemaServer.BaseAddress}schemas", "--Schemas:MaxSchemaBytes=2048");
        using var http = server.CreateClient();

        var answer = await PostAsync(http, Good("x"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("Schemas:MaxSchemaBytes", answer.Json.GetProperty("invalid")[0].GetProperty("context").GetProperty("errorsText").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hasty_MoreThanMaxHastyBatchesInFlight_TheNextAnswerWaitsForASlot()
    {
        var requests = new ConcurrentQueue<string>();
        var fetching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var schemaServer = await SchemaServerAsync(requests, async path =>
        {
            fetching.TrySetResult();
            await release.Task;
            return SchemaRepo.IntakeSchema;
        });
        await using var server = await TestServer.StartAsync(Config, 1, $"--Schemas:BaseUris:0={schemaServer.BaseAddress}schemas", "--Intake:MaxHastyBatches=1", "--Schemas:FetchTimeoutSeconds=60");
        using var http = server.CreateClient();

        var first = await PostAsync(http, Good("1"), query: "?hasty=true");
        await fetching.Task.WaitAsync(Wait);
        var second = PostAsync(http, Good("2"), query: "?hasty=true");
        var answeredWhileBusy = await Task.WhenAny(second, Task.Delay(TimeSpan.FromSeconds(1))) == second;
        release.SetResult();

        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.False(answeredWhileBusy, "a second hasty request was answered while the only slot was taken");
        Assert.Equal(HttpStatusCode.Accepted, (await second.WaitAsync(Wait)).Status);
    }
}
