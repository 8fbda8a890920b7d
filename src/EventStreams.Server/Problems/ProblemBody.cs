namespace EventStreams.Server.Problems;

/// <summary>The JSON body of every error response (COMPATIBILITY.md).</summary>
internal sealed record ProblemBody(int Status, string Type, string Title, string Detail, string Method, string Uri);

[System.Text.Json.Serialization.JsonSerializable(typeof(ProblemBody))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class ProblemJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
