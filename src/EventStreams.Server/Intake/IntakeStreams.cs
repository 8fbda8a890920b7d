using EventStreams.Server.Catalog;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Intake;

/// <summary>
/// Which declared streams this intake takes events for, and where their validation errors go. Safe by default: with a
/// configured cluster the intake is off unless <c>Intake:Enabled=true</c>, and then takes only the streams whose
/// <c>destination_event_service</c> is <c>Intake:EventServiceName</c> (as each EventGate instance takes only its own).
/// </summary>
internal sealed class IntakeStreams(StreamCatalog catalog, IOptions<IntakeOptions> options, IOptions<KafkaOptions> kafka)
{
    /// <summary>Where validation errors of events for undeclared streams go when no <c>Intake:EventServiceName</c> is set: browser instrumentation's service.</summary>
    public const string FallbackEventService = "eventgate-analytics-external";

    public const string ErrorStreamSuffix = ".error.validation";

    public bool IsOn => options.Value.IsOn(kafka.Value.UsesEmbeddedBroker);

    /// <summary>A declared stream by its own name (aliases are for reading only).</summary>
    public StreamDefinition? Find(string name) =>
        catalog.TryGet(name, out var stream) && stream.AliasOf is null ? stream : null;

    public bool Accepts(StreamDefinition stream) => options.Value.EventServiceName is { Length: > 0 } service
        ? string.Equals(DestinationOf(stream), service, StringComparison.Ordinal)
        : kafka.Value.UsesEmbeddedBroker;

    public static string? DestinationOf(StreamDefinition stream) => stream.DestinationEventService;

    /// <summary>
    /// Where the validation error of an event meant for <paramref name="streamName"/> goes: like an EventGate instance,
    /// an intake with a service name writes every error to its own <c>&lt;service&gt;.error.validation</c>; without one,
    /// to the stream's <c>destination_event_service</c>'s (else <see cref="FallbackEventService"/>'s). Null when not declared.
    /// </summary>
    public StreamDefinition? ErrorStreamFor(string? streamName)
    {
        var service = options.Value.EventServiceName is { Length: > 0 } configured ? configured
            : (streamName is null ? null : Find(streamName) is { } stream ? DestinationOf(stream) : null) ?? FallbackEventService;
        return Find(service + ErrorStreamSuffix);
    }
}
