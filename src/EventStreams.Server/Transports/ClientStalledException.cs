namespace EventStreams.Server.Transports;

/// <summary>The client accepted nothing for <see cref="StalledWrites.Stall"/>.</summary>
internal sealed class ClientStalledException() : Exception("The client accepted no data for the stall time.");
