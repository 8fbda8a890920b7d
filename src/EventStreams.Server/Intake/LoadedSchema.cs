using System.Text.Json.Nodes;
using Json.Schema;

namespace EventStreams.Server.Intake;

/// <summary>
/// A schema found for a <c>$schema</c> URI: where it was read, its <c>title</c>, the built validator and its fast twin
/// (null when the schema uses keywords the twin does not know), the document itself, and its <c>default</c>s (null when it has none).
/// </summary>
internal sealed record LoadedSchema(string Uri, string Location, string? Title, JsonSchema Schema, FastSchema? Fast, JsonObject Document, SchemaDefaults? Defaults);
