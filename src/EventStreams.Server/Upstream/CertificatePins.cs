using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EventStreams.Server.Upstream;

/// <summary>SHA-256 pins of a certificate (its DER bytes) or of its public key (SubjectPublicKeyInfo), as <c>openssl</c> prints them.</summary>
internal static class CertificatePins
{
    private const int Sha256Bytes = 32;

    public static bool TryParse(string text, out byte[] hash)
    {
        hash = [];
        var trimmed = text.Trim();
        var hex = trimmed.Replace(":", "", StringComparison.Ordinal);
        if (hex.Length == Sha256Bytes * 2 && hex.All(Uri.IsHexDigit))
        {
            hash = Convert.FromHexString(hex);
            return true;
        }

        var buffer = new byte[Sha256Bytes + 3];
        if (Convert.TryFromBase64String(trimmed, buffer, out var written) && written == Sha256Bytes)
        {
            hash = buffer[..Sha256Bytes];
            return true;
        }

        return false;
    }

    public static byte[] CertificateHash(X509Certificate2 certificate) => SHA256.HashData(certificate.RawData);

    public static byte[] PublicKeyHash(X509Certificate2 certificate) => SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo());

    public static bool Matches(IReadOnlyList<byte[]> pins, X509Certificate2 certificate)
    {
        var certificateHash = CertificateHash(certificate);
        var publicKeyHash = PublicKeyHash(certificate);
        return pins.Any(pin => CryptographicOperations.FixedTimeEquals(pin, certificateHash) || CryptographicOperations.FixedTimeEquals(pin, publicKeyHash));
    }

    /// <summary>Why a certificate was refused and how to trust it: the setting to add, with this certificate's own fingerprint.</summary>
    public static string DescribeRefusal(X509Certificate2 certificate, SslPolicyErrors errors, bool pinned) =>
        $"the upstream's TLS certificate (subject '{certificate.Subject}', issuer '{certificate.Issuer}') was refused: " +
        (pinned ? "it matches none of Upstream:PinnedCertificates" : $"{errors}") +
        $". If you trust it (e.g. behind an SSH tunnel), pin it: --{UpstreamOptions.Section}:{nameof(UpstreamOptions.PinnedCertificates)}:0={Convert.ToHexString(CertificateHash(certificate))}" +
        $" (or its key: {Convert.ToHexString(PublicKeyHash(certificate))}); for a tunnel to a host with another name, {UpstreamOptions.Section}:{nameof(UpstreamOptions.HostName)} sets the expected name";
}
