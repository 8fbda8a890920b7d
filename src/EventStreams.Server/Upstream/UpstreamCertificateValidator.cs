using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EventStreams.Server.Diagnostics;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Upstream;

/// <summary>
/// Decides whether to trust the upstream's TLS certificate: the system trust store by default; a pinned certificate or key
/// whatever its chain and name; anything when allow-invalid is on. Remembers the last refusal so that the client's 502
/// can say how to pin.
/// </summary>
internal sealed partial class UpstreamCertificateValidator
{
    private readonly IReadOnlyList<byte[]> _pins;
    private readonly bool _allowInvalid;
    private readonly ILogger<UpstreamCertificateValidator> _logger;
    private volatile string? _lastRefusal;

    public UpstreamCertificateValidator(IOptions<UpstreamOptions> options, ILogger<UpstreamCertificateValidator> logger)
    {
        _pins = [.. options.Value.PinnedCertificates.Select(p => CertificatePins.TryParse(p, out var hash) ? hash : [])];
        _allowInvalid = options.Value.AllowInvalidCertificate;
        _logger = logger;
    }

    /// <summary>Why the last certificate was refused, with the setting that would trust it; null before any refusal.</summary>
    public string? LastRefusal => _lastRefusal;

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_allowInvalid)
        {
            return true;
        }

        if (certificate is null)
        {
            Refuse("the upstream sent no TLS certificate");
            return false;
        }

        using var certificate2 = new X509Certificate2(certificate);
        var trusted = _pins.Count > 0 ? CertificatePins.Matches(_pins, certificate2) : errors == SslPolicyErrors.None;
        if (!trusted)
        {
            Refuse(CertificatePins.DescribeRefusal(certificate2, errors, pinned: _pins.Count > 0));
        }

        return trusted;
    }

    private void Refuse(string reason)
    {
        _lastRefusal = reason;
        LogRefused(_logger, reason);
    }

    [LoggerMessage(LogEventIds.UpstreamCertificateRefused, LogLevel.Error, "Upstream TLS: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
