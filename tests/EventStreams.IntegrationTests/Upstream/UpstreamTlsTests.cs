using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventStreams.IntegrationTests.Upstream;

/// <summary>
/// An upstream with a self-signed certificate issued for another name, as an internal EventStreams behind an SSH tunnel:
/// refused by default with a message that says how to pin it; trusted when pinned; accepted with a warning when
/// certificate checks are explicitly off.
/// </summary>
public sealed class UpstreamTlsTests : IAsyncLifetime
{
    private const string InternalHost = "eventstreams.internal.test";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private X509Certificate2 _certificate = null!;
    private FakeReferenceUpstream _fake = null!;

    public async Task InitializeAsync()
    {
        _certificate = SelfSignedCertificate.Create(InternalHost);
        _fake = await FakeReferenceUpstream.StartAsync(_certificate);
    }

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        _certificate.Dispose();
    }

    [Fact]
    public async Task SelfSigned_NotPinned_Refused502WithTheSettingThatPinsIt()
    {
        await using var server = await UpstreamModeServer.StartAsync(_fake.HttpsAddress);
        using var http = server.CreateClient();

        using var response = await http.GetAsync("v2/stream/recentchange").WaitAsync(Wait);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var detail = problem.GetProperty("detail").GetString();
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_unreachable", problem.GetProperty("type").GetString());
        Assert.Contains($"--Upstream:PinnedCertificates:0={SelfSignedCertificate.CertificateSha256(_certificate)}", detail, StringComparison.Ordinal);
        Assert.Contains("RemoteCertificateChainErrors", detail, StringComparison.Ordinal);
        Assert.Empty(_fake.Received);
    }

    [Fact]
    public async Task SelfSigned_CertificatePinned_Streams()
    {
        var pin = string.Join(':', SelfSignedCertificate.CertificateSha256(_certificate).Chunk(2).Select(c => new string(c)));
        await using var server = await UpstreamModeServer.StartAsync(_fake.HttpsAddress, $"--Upstream:PinnedCertificates:0={pin}");
        using var http = server.CreateClient();

        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/recentchange");
        var first = await sse.NextEventAsync(Wait);

        Assert.Equal(FakeReferenceUpstream.Id(1), first.Id);
    }

    [Fact]
    public async Task SelfSigned_PublicKeyPinnedWithHostName_SendsThatNameAsHostAndTlsServerName()
    {
        await using var server = await UpstreamModeServer.StartAsync(_fake.HttpsAddress,
            $"--Upstream:PinnedCertificates:0={SelfSignedCertificate.PublicKeySha256Base64(_certificate)}",
            $"--Upstream:HostName={InternalHost}");
        using var http = server.CreateClient();

        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/recentchange");
        await sse.NextEventAsync(Wait);

        Assert.Equal(InternalHost, Assert.Single(_fake.Received).Host);
        Assert.Contains(InternalHost, _fake.Shared.ServerNames);
    }

    [Fact]
    public async Task SelfSigned_AllowInvalid_StreamsAndWarnsAtStart()
    {
        await using var server = await UpstreamModeServer.StartAsync(_fake.HttpsAddress, "--Upstream:AllowInvalidCertificate=true");
        using var http = server.CreateClient();

        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/recentchange");
        await sse.NextEventAsync(Wait);

        Assert.Contains(server.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("AllowInvalidCertificate is on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongPin_Refused502NamingThePinnedSetting()
    {
        await using var server = await UpstreamModeServer.StartAsync(_fake.HttpsAddress, $"--Upstream:PinnedCertificates:0={new string('a', 64)}");
        using var http = server.CreateClient();

        using var response = await http.GetAsync("v2/stream/recentchange").WaitAsync(Wait);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("matches none of Upstream:PinnedCertificates", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Upstream:PinnedCertificates:0=not-a-hash", "Upstream:PinnedCertificates")]
    [InlineData("--Upstream:AllowInvalidCertificate=true", "contradict")]
    [InlineData("--Upstream:Headers:Host=x", "Upstream:HostName")]
    public async Task BadTlsSettings_FailStartNamingTheKey(string setting, string message)
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            UpstreamModeServer.StartAsync(_fake.HttpsAddress, $"--Upstream:PinnedCertificates:1={new string('b', 64)}", setting));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
