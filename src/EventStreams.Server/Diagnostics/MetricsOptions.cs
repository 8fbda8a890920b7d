using System.ComponentModel.DataAnnotations;

namespace EventStreams.Server.Diagnostics;

/// <summary>The <c>Metrics</c> configuration section.</summary>
internal sealed class MetricsOptions
{
    public const string Section = "Metrics";
    public const int DefaultMaxStreamCombinations = 100;

    /// <summary>Serve <c>/metrics</c> on this port only (not on the public one); 0 = on the public port.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>Distinct stream combinations counted under their own label; later ones count as <c>_other</c>.</summary>
    [Range(1, 10_000)]
    public int MaxStreamCombinations { get; set; } = DefaultMaxStreamCombinations;
}
