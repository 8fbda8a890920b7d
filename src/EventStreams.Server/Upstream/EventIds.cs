namespace EventStreams.Server.Upstream;

/// <summary>Stable log event ids of upstream mode (9xxx, apart from the rest of the server's).</summary>
internal static class EventIds
{
    public const int Forwarding = 9001;
    public const int AllowInvalidCertificate = 9002;
    public const int CertificateRefused = 9003;
    public const int ForwardFailed = 9004;
    public const int UpstreamAnsweredError = 9005;
}
