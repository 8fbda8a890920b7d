namespace EventStreams.Server.Routes;

/// <summary>
/// Marks an endpoint whose requests last for hours (a stream): <c>Api/ApiMiddleware</c> runs it straight after routing,
/// so that an idle one holds none of the later middleware's per-request state. Its handler writes its own problems.
/// </summary>
internal sealed class LongLivedEndpoint
{
    public static readonly LongLivedEndpoint Instance = new();

    private LongLivedEndpoint()
    {
    }
}
