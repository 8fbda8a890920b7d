using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EventStreams.Server.Upstream;

namespace EventStreams.Server.Tests.Upstream;

public sealed class CertificatePinsTests
{
    private static X509Certificate2 Certificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=pins.test", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
    }

    [Fact]
    public void Matches_CertificateOrKeyHashInAnyNotation_Trusted()
    {
        using var certificate = Certificate();
        var certificateHex = Convert.ToHexString(SHA256.HashData(certificate.RawData));
        var keyBase64 = Convert.ToBase64String(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
        var colons = string.Join(':', certificateHex.ToLowerInvariant().Chunk(2).Select(c => new string(c)));

        foreach (var notation in new[] { certificateHex, colons, keyBase64 })
        {
            Assert.True(CertificatePins.TryParse(notation, out var pin), notation);
            Assert.True(CertificatePins.Matches([pin], certificate), notation);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AAAA")]
    public void TryParse_NotASha256_Rejected(string text) => Assert.False(CertificatePins.TryParse(text, out _));

    [Fact]
    public void DescribeRefusal_SaysHowToPinWithThisCertificatesHash()
    {
        using var certificate = Certificate();

        var message = CertificatePins.DescribeRefusal(certificate, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors, pinned: false);

        Assert.Contains("--Upstream:PinnedCertificates:0=" + Convert.ToHexString(SHA256.HashData(certificate.RawData)), message, StringComparison.Ordinal);
    }
}
