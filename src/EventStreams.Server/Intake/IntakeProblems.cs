using EventStreams.Server.Problems;

namespace EventStreams.Server.Intake;

/// <summary>The intake's request errors, as the JSON problem bodies every route uses.</summary>
internal static class IntakeProblems
{
    public static ApiProblemException EmptyBody() =>
        new(400, "empty_body", "Empty Body", "Must provide JSON encoded events in request body.");

    public static ApiProblemException InvalidJson(string reason) =>
        new(400, "invalid_json", "Invalid JSON", $"The request body is not JSON (one event or an array of events): {reason}");

    public static ApiProblemException TooLarge(int maxBytes) =>
        new(413, "payload_too_large", "Payload Too Large", $"The request body is larger than {maxBytes} bytes (Intake:MaxBodyBytes).");

    public static ApiProblemException TooManyEvents(int count, int max) =>
        new(413, "too_many_events", "Too Many Events", $"The request has {count} events; at most {max} are accepted at once (Intake:MaxEventsPerRequest).");

    public static ApiProblemException UnsupportedMediaType(string? contentType) =>
        new(415, "unsupported_media_type", "Unsupported Media Type", $"Content-Type {contentType} is not accepted: send application/json or text/plain.");

    public static ApiProblemException UnsupportedEncoding(string encoding) =>
        new(415, "unsupported_content_encoding", "Unsupported Content Encoding", $"Content-Encoding {encoding} is not accepted: send gzip, deflate or identity.");

    public static ApiProblemException InvalidEncoding(string encoding, string reason) =>
        new(400, "invalid_content_encoding", "Invalid Content Encoding", $"The request body is not valid {encoding} data: {reason}");

    public static ApiProblemException Disabled() =>
        new(404, "intake_disabled", "Intake Disabled", "This server does not take events: the intake is off with a configured Kafka cluster unless Intake:Enabled=true.");
}
