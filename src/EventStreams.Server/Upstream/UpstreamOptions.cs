using System.ComponentModel.DataAnnotations;

namespace EventStreams.Server.Upstream;

/// <summary>
/// The <c>Upstream</c> configuration section: with <see cref="Url"/> set, the server reads no Kafka and forwards the
/// stream, spec and info routes to an existing EventStreams (the public service, beta, an SSH tunnel).
/// </summary>
internal sealed class UpstreamOptions : IValidatableObject
{
    public const string Section = "Upstream";
    public const int DefaultConnectTimeoutSeconds = 10;
    public const int DefaultResponseTimeoutSeconds = 30;
    public const int DefaultIdleTimeoutSeconds = 0;
    public const int DefaultMaxConcurrentRequests = 10_000;

    /// <summary>The upstream's base URL, e.g. <c>https://stream.wikimedia.org</c>; empty = direct mode (Kafka).</summary>
    public string Url { get; set; } = "";

    /// <summary>Request headers sent upstream on every request; <c>User-Agent</c> here replaces the default one.</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The name sent as <c>Host</c>, used for TLS SNI and checked against the certificate (the internal host name when
    /// the URL is a tunnel's <c>https://localhost:4992</c>); empty = the URL's host.
    /// </summary>
    public string HostName { get; set; } = "";

    /// <summary>SHA-256 fingerprints (hex, colons allowed, or base64) of the upstream's certificate or of its public key (SPKI): trusted whatever the chain and name.</summary>
    public List<string> PinnedCertificates { get; } = [];

    /// <summary>Accept any certificate (self-signed, wrong name): only for a tunnel you trust; logged as a warning at start.</summary>
    public bool AllowInvalidCertificate { get; set; }

    /// <summary>Seconds to open a connection (TCP and TLS) to the upstream.</summary>
    [Range(1, 300)]
    public int ConnectTimeoutSeconds { get; set; } = DefaultConnectTimeoutSeconds;

    /// <summary>Seconds the upstream has to answer with its response headers; then 504.</summary>
    [Range(1, 3600)]
    public int ResponseTimeoutSeconds { get; set; } = DefaultResponseTimeoutSeconds;

    /// <summary>Seconds a started response may send nothing before it is cut (the client then reconnects); 0 = never.</summary>
    [Range(0, 86400)]
    public int IdleTimeoutSeconds { get; set; } = DefaultIdleTimeoutSeconds;

    /// <summary>Requests forwarded at once by this instance (each stream holds one for its lifetime); more get 503.</summary>
    [Range(1, 1_000_000)]
    public int MaxConcurrentRequests { get; set; } = DefaultMaxConcurrentRequests;

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    /// <summary>The validated URL without a trailing slash: YARP's destination prefix.</summary>
    public string DestinationPrefix => Url.TrimEnd('/');

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!System.Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != System.Uri.UriSchemeHttp && uri.Scheme != System.Uri.UriSchemeHttps)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            yield return new ValidationResult($"{Section}:{nameof(Url)} must be an http(s) URL without query, fragment or credentials, e.g. https://stream.wikimedia.org, not '{Url}'.", [nameof(Url)]);
        }

        if (HostName.Length > 0 && System.Uri.CheckHostName(HostName.Split(':')[0]) == UriHostNameType.Unknown)
        {
            yield return new ValidationResult($"{Section}:{nameof(HostName)} must be a host name (optionally with :port), not '{HostName}'.", [nameof(HostName)]);
        }

        foreach (var name in Headers.Keys)
        {
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                yield return new ValidationResult($"{Section}:Headers:Host is not used: set {Section}:{nameof(HostName)} (it also sets the TLS name).", [nameof(Headers)]);
            }
            else if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || c == ':'))
            {
                yield return new ValidationResult($"{Section}:Headers: '{name}' is not a valid header name.", [nameof(Headers)]);
            }
        }

        foreach (var pin in PinnedCertificates)
        {
            if (!CertificatePins.TryParse(pin, out _))
            {
                yield return new ValidationResult(
                    $"{Section}:{nameof(PinnedCertificates)}: '{pin}' is not a SHA-256 fingerprint (64 hex digits, colons allowed, or 44 characters of base64).",
                    [nameof(PinnedCertificates)]);
            }
        }

        if (AllowInvalidCertificate && PinnedCertificates.Count > 0)
        {
            yield return new ValidationResult($"{Section}:{nameof(AllowInvalidCertificate)} and {Section}:{nameof(PinnedCertificates)} contradict each other: pin the certificate, or allow any.", [nameof(AllowInvalidCertificate)]);
        }
    }
}
