using System.ComponentModel.DataAnnotations;

namespace EventStreams.Server.Demo;

/// <summary>The <c>Demo</c> configuration section: live sample data on the embedded broker.</summary>
internal sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Produce demo events (only ever with the embedded broker).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Total demo events per second across all demo streams.</summary>
    [Range(0.1, 100000)]
    public double EventsPerSecond { get; set; } = 20;
}
