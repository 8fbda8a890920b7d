namespace EventStreams.Server.Intake;

/// <summary>A <c>$schema</c> that no base URI has, or whose document is not a usable schema; the event is invalid.</summary>
internal sealed class SchemaNotFoundException(string message, Exception? inner = null) : Exception(message, inner);
