using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EventStreams.Server.Intake;

[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class IntakeJsonContext : JsonSerializerContext;
