using System.Text.Json;
using System.Text.Json.Nodes;
using EventStreams.Server.Intake;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Tests.Intake;

/// <summary>
/// <see cref="FastSchema"/> against its slow twin, JsonSchema.Net's evaluation: whatever the fast one calls valid, the
/// slow one does too, on every bundled schema's examples and thousands of their mutations; and it does call the bundled
/// schemas' valid events valid (so the intake really skips the slow evaluation for them).
/// </summary>
public sealed class FastSchemaTests : IDisposable
{
    private static readonly EvaluationOptions Check = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true };

    private static readonly JsonNode?[] Replacements =
    [
        null, true, false, 0, -1, 1.5, JsonNode.Parse("1.0"), JsonNode.Parse("1e3"), JsonNode.Parse("99999999999999999999999999999999"),
        "", "x", "ünï", "ab\u0301c", "😀😀", new string('a', 300), new string('a', 9000), "not a date", "2026-13-45T00:00:00Z", "2026-06-14T12:30:15Z",
        "2026-06-14T12:30:15.123+02:00", "https://ok.example/x?y=1", "/relative/path", "::not a uri", "http://exa mple.org",
        "edit", "canary", new JsonObject(), new JsonArray(), new JsonObject { ["extra"] = 1 }, new JsonArray(1, "two"),
    ];

    private readonly ServiceProvider _http = new ServiceCollection().AddHttpClient().BuildServiceProvider();
    private readonly SchemaRepository _schemas;

    public FastSchemaTests() =>
        _schemas = new SchemaRepository(Options.Create(new SchemaOptions()), _http.GetRequiredService<IHttpClientFactory>(), NullLogger<SchemaRepository>.Instance);

    public static TheoryData<string> BundledSchemaUris()
    {
        var root = Path.Combine(AppContext.BaseDirectory, SchemaOptions.BundledFolder);
        var uris = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.yaml", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "latest.yaml").Order(StringComparer.Ordinal))
        {
            uris.Add("/" + Path.ChangeExtension(Path.GetRelativePath(root, file), null).Replace('\\', '/'));
        }

        return uris;
    }

    [Theory]
    [MemberData(nameof(BundledSchemaUris))]
    public async Task BundledSchema_ExamplesAndTheirMutations_FastValidOnlyWhereJsonSchemaNetValid_ExamplesFastValid(string uri)
    {
        var schema = await _schemas.GetAsync(uri, CancellationToken.None);
        Assert.NotNull(schema.Fast);
        var examples = schema.Document["examples"]?.AsArray() ?? [];
        var fastValid = 0;
        var slowInvalid = 0;
        var checkedInstances = 0;

        foreach (var example in examples)
        {
            var complete = Complete(example!);
            using (var document = JsonDocument.Parse(complete.ToJsonString()))
            {
                Assert.True(schema.Schema.Evaluate(document.RootElement, Check).IsValid, $"{uri}: example invalid: {complete.ToJsonString()}");
                Assert.True(schema.Fast.IsSurelyValid(document.RootElement), $"{uri}: example not fast-valid: {complete.ToJsonString()}");
            }

            foreach (var mutant in Mutations(complete))
            {
                using var document = JsonDocument.Parse(mutant);
                var fast = schema.Fast.IsSurelyValid(document.RootElement);
                var slow = schema.Schema.Evaluate(document.RootElement, Check).IsValid;
                Assert.False(fast && !slow, $"{uri}: fast twin says valid, JsonSchema.Net invalid: {mutant}");
                fastValid += fast ? 1 : 0;
                slowInvalid += slow ? 0 : 1;
                checkedInstances++;
            }
        }

        Assert.True(checkedInstances > 100, $"{uri}: only {checkedInstances} mutations");
        Assert.True(fastValid > 0 && slowInvalid > 0, $"{uri}: {fastValid} fast-valid and {slowInvalid} invalid of {checkedInstances}: the mutations do not exercise both verdicts");
    }

    [Theory]
    [InlineData("""{"type":"integer"}""", "1.0")]
    [InlineData("""{"type":"integer"}""", "1e2")]
    [InlineData("""{"type":"string","maxLength":3}""", "\"ab\\u0301c\"")]
    [InlineData("""{"type":"string","minLength":2}""", "\"😀\"")]
    [InlineData("""{"maximum":1}""", "1.00000000000000000001")]
    [InlineData("""{"exclusiveMaximum":1}""", "0.99999999999999999999")]
    [InlineData("""{"minimum":0}""", "1e400")]
    [InlineData("""{"enum":["a","b"]}""", "\"c\"")]
    [InlineData("""{"properties":{"a":{"type":"string"}},"additionalProperties":false}""", """{"a":"x","b":1}""")]
    [InlineData("""{"required":["a"]}""", """{"b":1}""")]
    [InlineData("""{"type":"string","format":"date-time"}""", "\"2026-06-14 12:30\"")]
    [InlineData("""{"items":{"type":"integer"},"maxItems":1}""", "[1,2]")]
    [InlineData("false", "{}")]
    public void UncertainOrInvalid_NotFastValid_JsonSchemaNetDecides(string schemaText, string instanceText)
    {
        using var schemaDocument = JsonDocument.Parse(schemaText);
        using var instance = JsonDocument.Parse(instanceText);
        var fast = FastSchema.TryCompile(schemaDocument.RootElement);

        Assert.NotNull(fast);
        Assert.False(fast.IsSurelyValid(instance.RootElement));
    }

    [Theory]
    [InlineData("""{"type":["integer","null"]}""", "null")]
    [InlineData("""{"type":"string","maxLength":4}""", "\"ünïc\"")]
    [InlineData("""{"minimum":0,"exclusiveMaximum":10}""", "9.5")]
    [InlineData("""{"properties":{"a":{"type":"string"}},"additionalProperties":{"type":"integer"}}""", """{"a":"x","b":1}""")]
    [InlineData("""{"type":"string","format":"uri"}""", "\"https://en.wikipedia.org/wiki/Sandbox\"")]
    [InlineData("""{"format":"date-time"}""", "1")]
    [InlineData("true", "[1]")]
    public void ClearlyValid_FastValid(string schemaText, string instanceText)
    {
        using var schemaDocument = JsonDocument.Parse(schemaText);
        using var instance = JsonDocument.Parse(instanceText);
        var fast = FastSchema.TryCompile(schemaDocument.RootElement);

        Assert.NotNull(fast);
        Assert.True(fast.IsSurelyValid(instance.RootElement));
        Assert.True(JsonSchema.Build(schemaDocument.RootElement, new BuildOptions { Dialect = Dialect.Draft07, SchemaRegistry = new SchemaRegistry() }).Evaluate(instance.RootElement, Check).IsValid);
    }

    [Theory]
    [InlineData("""{"$ref":"#/definitions/a","definitions":{"a":{}}}""")]
    [InlineData("""{"allOf":[{"type":"string"}]}""")]
    [InlineData("""{"pattern":"^a"}""")]
    [InlineData("""{"const":1}""")]
    [InlineData("""{"enum":[1,2]}""")]
    [InlineData("""{"patternProperties":{"^a":{}}}""")]
    [InlineData("""{"items":[{"type":"string"}]}""")]
    [InlineData("""{"properties":{"a":{"if":{"type":"string"}}}}""")]
    [InlineData("""{"type":"text"}""")]
    [InlineData("""{"x-unknown":true}""")]
    public void OtherKeyword_NotCompiled(string schemaText)
    {
        using var schemaDocument = JsonDocument.Parse(schemaText);

        Assert.Null(FastSchema.TryCompile(schemaDocument.RootElement));
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The example as the intake validates it: <c>meta.id</c> and <c>meta.dt</c> filled in where missing.</summary>
    private static JsonObject Complete(JsonNode example)
    {
        var complete = example.DeepClone().AsObject();
        if (complete["meta"] is JsonObject meta)
        {
            meta["id"] ??= "0d6a2c42-5b4e-4f4b-9a57-0d7f8f0c1a11";
            meta["dt"] ??= "2026-06-14T12:30:15.000Z";
        }

        return complete;
    }

    /// <summary>Every value of the instance (at any depth) removed and replaced by each of <see cref="Replacements"/>; every object given an extra property.</summary>
    private static IEnumerable<string> Mutations(JsonObject instance)
    {
        var paths = new List<List<object>>();
        Collect(instance, [], paths);
        foreach (var path in paths)
        {
            yield return Mutated(instance, path, remove: true, null);
            foreach (var replacement in Replacements)
            {
                yield return Mutated(instance, path, remove: false, replacement);
            }

            if (Find(instance, path) is JsonObject)
            {
                yield return Mutated(instance, [.. path, "unexpected_property"], remove: false, "surprise");
            }
        }
    }

    private static void Collect(JsonNode? node, List<object> path, List<List<object>> paths)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o)
                {
                    List<object> child = [.. path, name];
                    paths.Add(child);
                    Collect(value, child, paths);
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    List<object> child = [.. path, i];
                    paths.Add(child);
                    Collect(a[i], child, paths);
                }

                break;
        }
    }

    private static JsonNode? Find(JsonNode root, List<object> path) =>
        path.Aggregate<object, JsonNode?>(root, (node, step) => step is string name ? node?[name] : node?[(int)step]);

    private static string Mutated(JsonObject instance, List<object> path, bool remove, JsonNode? replacement)
    {
        var copy = instance.DeepClone();
        var parent = Find(copy, path[..^1])!;
        var value = replacement?.DeepClone();
        switch (path[^1], parent)
        {
            case (string name, JsonObject o) when remove:
                o.Remove(name);
                break;
            case (string name, JsonObject o):
                o[name] = value;
                break;
            case (int index, JsonArray a) when remove:
                a.RemoveAt(index);
                break;
            case (int index, JsonArray a):
                a[index] = value;
                break;
        }

        return copy.ToJsonString();
    }
}
