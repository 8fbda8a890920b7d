using System.Text.Json;

namespace EventStreams.Server.Intake;

/// <summary>
/// An event that was not accepted: <c>invalid</c> (it failed validation: <see cref="Errors"/> say why) or <c>error</c>
/// (producing it failed). <see cref="Event"/> is the event as received (a clone that outlives the request body).
/// </summary>
internal sealed record EventFailure(string Status, JsonElement Event, string Message, IReadOnlyList<ValidationMessage> Errors, string? Stream, string? SchemaUri)
{
    public const string Invalid = "invalid";
    public const string Error = "error";

    /// <summary>EventGate's <c>errorsText</c>: every error, comma separated.</summary>
    public string ErrorsText => Errors.Count == 0 ? Message : string.Join(", ", Errors);
}
