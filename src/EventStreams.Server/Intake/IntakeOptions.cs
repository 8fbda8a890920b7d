using System.ComponentModel.DataAnnotations;

namespace EventStreams.Server.Intake;

/// <summary>The <c>Intake</c> configuration section: the EventGate-compatible <c>POST /v1/events</c>.</summary>
internal sealed class IntakeOptions
{
    public const string Section = "Intake";

    public const int DefaultMaxBodyBytes = 4 * 1024 * 1024;
    public const int DefaultMaxEventsPerRequest = 10_000;
    public const int DefaultMaxDepth = 64;
    public const int DefaultProduceTimeoutSeconds = 10;
    public const int DefaultMaxHastyBatches = 64;

    /// <summary>
    /// Empty (the default): on with the embedded broker, off with a configured cluster. <c>true</c> turns it on against
    /// a real cluster too, for the streams whose <c>destination_event_service</c> is <see cref="EventServiceName"/>.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// The event service this intake stands in for (like one EventGate instance, e.g. <c>eventgate-analytics-external</c>):
    /// only streams whose <c>destination_event_service</c> equals it are accepted. Empty = every declared stream
    /// (allowed only with the embedded broker).
    /// </summary>
    public string EventServiceName { get; set; } = "";

    /// <summary>Largest request body accepted, as inflated when it is gzip or deflate; a larger one gets 413.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    /// <summary>Most events in one request (an array); more gets 413.</summary>
    [Range(1, 1_000_000)]
    public int MaxEventsPerRequest { get; set; } = DefaultMaxEventsPerRequest;

    /// <summary>Deepest JSON nesting accepted in a body; deeper is an unparseable body (400).</summary>
    [Range(2, 256)]
    public int MaxDepth { get; set; } = DefaultMaxDepth;

    /// <summary>How long producing one event may take before it counts as failed (500 when none was accepted).</summary>
    [Range(1, 300)]
    public int ProduceTimeoutSeconds { get; set; } = DefaultProduceTimeoutSeconds;

    /// <summary>
    /// Most <c>?hasty=true</c> requests being worked on after their 202; another hasty request waits for its answer
    /// until one is done, so hasty clients cannot pile up work (and bodies) without bound.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxHastyBatches { get; set; } = DefaultMaxHastyBatches;

    /// <summary>Whether the intake runs, given where Kafka is.</summary>
    public bool IsOn(bool embeddedBroker) => Enabled ?? embeddedBroker;
}
