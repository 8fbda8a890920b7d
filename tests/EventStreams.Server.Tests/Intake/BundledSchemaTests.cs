using System.Text.Json;
using EventStreams.Server.Catalog;
using EventStreams.Server.Demo;
using EventStreams.Server.Intake;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EventStreams.Server.Tests.Intake;

/// <summary>The bundled schemas against the demo: every event the demo produces is valid for its stream, and so is every example.</summary>
public sealed class BundledSchemaTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 14, 12, 30, 15, TimeSpan.Zero);
    private readonly ServiceProvider _http = new ServiceCollection().AddHttpClient().BuildServiceProvider();
    private readonly SchemaRepository _schemas;
    private readonly StreamCatalog _catalog;
    private readonly EventValidator _validator;

    public BundledSchemaTests()
    {
        var factory = _http.GetRequiredService<IHttpClientFactory>();
        _schemas = new SchemaRepository(Options.Create(new SchemaOptions()), factory, NullLogger<SchemaRepository>.Instance);
        _catalog = new StreamCatalog(Options.Create(new StreamConfigOptions()), factory, NullLogger<StreamCatalog>.Instance);
        var streams = new IntakeStreams(_catalog, Options.Create(new IntakeOptions()), Options.Create(new KafkaOptions()));
        _validator = new EventValidator(_schemas, streams, new FakeTimeProvider(Now));
    }

    public async Task InitializeAsync() => await _catalog.LoadAsync(CancellationToken.None);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task DemoEvents_ProducedDirectly_EachValidAgainstItsStreamsSchema()
    {
        using var generator = new DemoEvents(new FakeTimeProvider(Now), new Random(11));
        var events = new List<DemoEvent>();
        for (var i = 0; i < 3000; i++)
        {
            generator.NextAction(events);
        }

        foreach (var e in events.Where(e => !e.ViaIntake))
        {
            using var document = JsonDocument.Parse(e.Value);
            var result = await _validator.ValidateAsync(document.RootElement, CancellationToken.None);
            Assert.True(result.Failure is null, $"{e.Stream}: {result.Failure?.ErrorsText}\n{document.RootElement.GetRawText()}");
            Assert.Equal(e.Stream, result.Stream!.Name);
        }
    }

    [Fact]
    public async Task DemoEvents_PostedToTheIntake_GoodTicksValidAndEveryKindOfMistakeRejected()
    {
        using var generator = new DemoEvents(new FakeTimeProvider(Now), new Random(12));
        var events = new List<DemoEvent>();
        for (var i = 0; i < 5000; i++)
        {
            generator.NextAction(events);
        }

        var accepted = 0;
        var keywords = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in events.Where(e => e.ViaIntake))
        {
            using var document = JsonDocument.Parse(e.Value);
            var result = await _validator.ValidateAsync(document.RootElement, CancellationToken.None);
            if (result.Failure is { } failure)
            {
                keywords.UnionWith(failure.Errors.Select(x => x.Keyword));
            }
            else
            {
                accepted++;
                Assert.Equal(DemoStreams.SessionTick, result.Stream!.Name);
            }
        }

        Assert.True(accepted > 10, $"{accepted} session ticks accepted");
        Assert.Superset(new HashSet<string>(["type", "required", "format", "minimum", "stream", "schema_title", "$schema"], StringComparer.Ordinal), keywords);
    }

    public static TheoryData<string> SchemaFiles() =>
        [.. Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, SchemaOptions.BundledFolder), "*.yaml", SearchOption.AllDirectories)
            .Where(path => Path.GetFileName(path) != "latest.yaml")
            .Select(path => Path.GetRelativePath(Path.Combine(AppContext.BaseDirectory, SchemaOptions.BundledFolder), path))];

    [Theory]
    [MemberData(nameof(SchemaFiles))]
    public async Task BundledSchema_Examples_ValidForADeclaredStreamOfThatTitle(string file)
    {
        var uri = "/" + file[..^".yaml".Length];
        var schema = await _schemas.GetAsync(uri, CancellationToken.None);
        var examples = schema.Document["examples"]!.AsArray();

        Assert.NotEmpty(examples);
        Assert.Equal(uri, schema.Document["$id"]!.GetValue<string>());
        foreach (var example in examples)
        {
            var element = JsonSerializer.SerializeToElement(example);
            var result = await _validator.ValidateAsync(element, CancellationToken.None);
            Assert.True(result.Failure is null, $"{file}: {result.Failure?.ErrorsText}");
            Assert.Equal(uri, element.GetProperty("$schema").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(SchemaFiles))]
    public async Task BundledSchema_PassesAjvSecureSchemaRules_SoEventGateWouldLoadIt(string file)
    {
        var schema = await _schemas.GetAsync("/" + file[..^".yaml".Length], CancellationToken.None);

        Assert.Empty(AjvSecureSchemaRules.Violations(schema.Document));
    }

    public void Dispose()
    {
        _schemas.Dispose();
        _http.Dispose();
    }
}
