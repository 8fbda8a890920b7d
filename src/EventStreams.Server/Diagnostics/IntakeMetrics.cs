using System.Globalization;
using Prometheus;

namespace EventStreams.Server.Diagnostics;

/// <summary>
/// The intake's Prometheus metrics, in the server's registry (<see cref="StreamMetrics.Registry"/>, served at
/// <c>/metrics</c>). Labels are bounded: <c>stream</c> is a declared stream or <see cref="OtherStream"/> (clients choose
/// <c>meta.stream</c>, so an undeclared name never becomes a series), <c>code</c> an HTTP status the route answered.
/// </summary>
internal sealed class IntakeMetrics
{
    /// <summary>The <c>stream</c> label of events whose <c>meta.stream</c> is missing or not a declared stream.</summary>
    public const string OtherStream = "_other";

    public const string Accepted = "accepted";
    public const string Invalid = "invalid";
    public const string Error = "error";

    /// <summary>From 50 µs (a small cached schema) to 2.5 s (a slow first schema fetch).</summary>
    private static readonly double[] ValidationBuckets = Histogram.ExponentialBuckets(0.00005, 2.5, 13);

    private readonly Func<string, bool> _isDeclared;
    private readonly Counter _events;
    private readonly Counter _requests;
    private readonly Histogram _validation;

    /// <param name="isDeclared">Whether a stream name is one the intake declares (else it counts as <see cref="OtherStream"/>).</param>
    public IntakeMetrics(StreamMetrics metrics, Func<string, bool> isDeclared)
    {
        _isDeclared = isDeclared;
        var factory = Metrics.WithCustomRegistry(metrics.Registry);
        _events = factory.CreateCounter("eventstreams_intake_events_total",
            "Events posted to the intake, per declared stream (others: _other) and result: accepted, invalid, error (producing failed).", "stream", "result");
        _requests = factory.CreateCounter("eventstreams_intake_requests_total", "POST /v1/events requests, per response status code.", "code");
        _validation = factory.CreateHistogram("eventstreams_intake_validation_seconds",
            "Time to validate one event, schema lookup included (cached after the first).", new HistogramConfiguration { Buckets = ValidationBuckets });
    }

    public void Event(string? stream, string result) => _events.WithLabels(StreamLabel(stream), result).Inc();

    public void Request(int statusCode) => _requests.WithLabels(statusCode.ToString(CultureInfo.InvariantCulture)).Inc();

    public void Validated(TimeSpan elapsed) => _validation.Observe(elapsed.TotalSeconds);

    private string StreamLabel(string? stream) => stream is not null && _isDeclared(stream) ? stream : OtherStream;
}
