using EventStreams.Server.Catalog;

namespace EventStreams.Server.Intake;

/// <summary>What validating one event gave: the bytes to produce to <see cref="Stream"/>'s topic, or the <see cref="Failure"/>.</summary>
internal sealed record ValidatedEvent(StreamDefinition? Stream, byte[]? Value, EventFailure? Failure);
