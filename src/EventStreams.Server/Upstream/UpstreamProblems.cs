using EventStreams.Server.Problems;

namespace EventStreams.Server.Upstream;

/// <summary>The problem bodies a client gets when the upstream fails before its response started.</summary>
internal static class UpstreamProblems
{
    public static ApiProblemException Unreachable(string upstream, string reason) =>
        new(StatusCodes.Status502BadGateway, "upstream_unreachable", "Bad Gateway", $"The upstream {upstream} could not be reached: {reason}.");

    public static ApiProblemException Timeout(string upstream, string reason) =>
        new(StatusCodes.Status504GatewayTimeout, "upstream_timeout", "Gateway Timeout", $"The upstream {upstream} did not answer in time: {reason}.");

    /// <summary>The upstream answered, but with a server error (its status in the detail) or with something that is not what the route serves.</summary>
    public static ApiProblemException BadAnswer(string upstream, int upstreamStatus, string reason) =>
        new(upstreamStatus == StatusCodes.Status504GatewayTimeout ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
            "upstream_error",
            upstreamStatus == StatusCodes.Status504GatewayTimeout ? "Gateway Timeout" : "Bad Gateway",
            $"The upstream {upstream} answered HTTP {upstreamStatus}{(reason.Length > 0 ? ": " + reason : "")}.");

    public static ApiProblemException Busy(int limit) =>
        new(StatusCodes.Status503ServiceUnavailable, "upstream_busy", "Service Unavailable",
            $"This server forwards at most {limit} requests at once ({UpstreamOptions.Section}:{nameof(UpstreamOptions.MaxConcurrentRequests)}); try again later.");

    public static ApiProblemException MethodNotAllowed(string method) =>
        new(StatusCodes.Status405MethodNotAllowed, "method_not_allowed", "Method Not Allowed", $"{method} is not allowed here: use GET.");
}
