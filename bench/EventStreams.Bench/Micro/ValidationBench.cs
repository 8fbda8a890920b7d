using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EventStreams.Server.Intake;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;

namespace EventStreams.Bench.Micro;

/// <summary>
/// The <c>validation</c> mode (issue 14 item 6): what one <c>mediawiki/recentchange</c> event costs to validate, step by
/// step and with the alternatives, one thread, warm, in CPU-µs per event. Steps: the whole <see cref="EventValidator"/>,
/// the rewrite that fills <c>meta.dt</c> and the schema's defaults, parsing the result, and JsonSchema.Net's evaluation
/// with each output format and without format validation (that last one is not what the intake may do: draft-07
/// formats are part of its semantics); then NJsonSchema on the same events (Newtonsoft parse included, as it would be).
/// Usage: <c>validation [events=20000]</c>.
/// </summary>
internal static class ValidationBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var app = IntakeBench.CreateApp();
        await app.StartAsync();
        try
        {
            var validator = app.Services.GetRequiredService<EventValidator>();
            var schemas = app.Services.GetRequiredService<SchemaRepository>();
            var schema = await schemas.GetAsync("/mediawiki/recentchange/1.0.0", CancellationToken.None);
            var texts = Enumerable.Range(0, count).Select(_ => IntakeBench.Event(Guid.NewGuid().ToString())).ToArray();
            var documents = texts.Select(t => JsonDocument.Parse(t)).ToArray();
            var now = DateTimeOffset.UtcNow;
            var filled = documents.Select(d => EventRewriter.Complete(d.RootElement, schema.Defaults, null, now)).ToArray();
            var filledDocuments = filled.Select(f => JsonDocument.Parse(f)).ToArray();
            var schemaJson = JsonSerializer.Serialize(schema.Document);
            var njs = await NJsonSchema.JsonSchema.FromJsonAsync(schemaJson.Replace("\"$schema\":\"https://json-schema.org/draft-07/schema#\",", "", StringComparison.Ordinal));
            var filledTexts = filled.Select(f => System.Text.Encoding.UTF8.GetString(f)).ToArray();

            Console.WriteLine($"validation micro-benchmark: {count:N0} mediawiki/recentchange events (meta.id given, meta.dt filled), one thread, warm (two passes first); CPU-µs per event");
            Console.WriteLine("| step | CPU-µs/event | allocated B/event | valid |");
            Console.WriteLine("|---|---|---|---|");
            await MeasureAsync("EventValidator.ValidateAsync (rewrite, parse, then the schema's FastSchema twin where it compiles, else Evaluate Flag + formats)", count, async i => (await validator.ValidateAsync(documents[i].RootElement, CancellationToken.None)).Failure is null);
            await MeasureAsync("EventRewriter.Complete (meta.dt and defaults)", count, i => ValueTask.FromResult(EventRewriter.Complete(documents[i].RootElement, schema.Defaults, null, now).Length > 0));
            await MeasureAsync("JsonDocument.Parse of the completed event", count, i =>
            {
                using var d = JsonDocument.Parse(filled[i]);
                return ValueTask.FromResult(d.RootElement.ValueKind == JsonValueKind.Object);
            });
            foreach (var (name, options) in new[]
            {
                ("Evaluate, OutputFormat.Flag, formats required (today)", new EvaluationOptions { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true }),
                ("Evaluate, OutputFormat.Flag, formats required, IgnoreAllAnnotations", IgnoringAnnotations(new EvaluationOptions { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true })),
                ("Evaluate, OutputFormat.List, formats required", new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true }),
                ("Evaluate, OutputFormat.Hierarchical, formats required", new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical, RequireFormatValidation = true }),
                ("Evaluate, OutputFormat.Flag, formats NOT checked (not allowed: changes semantics)", new EvaluationOptions { OutputFormat = OutputFormat.Flag, RequireFormatValidation = false }),
            })
            {
                await MeasureAsync(name, count, i => ValueTask.FromResult(schema.Schema.Evaluate(filledDocuments[i].RootElement, options).IsValid));
            }

            var fast = FastSchema.TryCompile(JsonSerializer.SerializeToElement(schema.Document)) ?? throw new InvalidOperationException("recentchange has a keyword FastSchema does not know");
            await MeasureAsync("FastSchema.IsSurelyValid (the compiled twin)", count, i => ValueTask.FromResult(fast.IsSurelyValid(filledDocuments[i].RootElement)));
            await MeasureAsync("NJsonSchema 11.6.2 Validate(string) (Newtonsoft parse + validate)", count, i => ValueTask.FromResult(njs.Validate(filledTexts[i]).Count == 0));
            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static EvaluationOptions IgnoringAnnotations(EvaluationOptions options)
    {
        options.IgnoreAllAnnotations();
        return options;
    }

    private static async Task MeasureAsync(string name, int count, Func<int, ValueTask<bool>> step)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < count; i++)
            {
                await step(i);
            }
        }

        var valid = 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < count; i++)
        {
            valid += await step(i) ? 1 : 0;
        }

        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {used.TotalMicroseconds / count:F1} | {bytes / count:N0} | {valid:N0} of {count:N0} |"));
    }
}
