namespace EventStreams.Server.Hosting;

/// <summary>
/// The top-level <c>PathBase</c> setting (e.g. <c>/eventstreams</c>): the prefix this server is mounted under behind a
/// proxy that passes the full path on. Requests without it are still answered.
/// </summary>
internal static class PathBaseSetting
{
    public const string Key = "PathBase";

    /// <summary>The validated prefix, or null when none is set; a malformed one fails start with a message naming the key.</summary>
    public static PathString? Read(IConfiguration configuration)
    {
        var value = configuration[Key];
        if (string.IsNullOrWhiteSpace(value) || value == "/")
        {
            return null;
        }

        if (!value.StartsWith('/') || value.EndsWith('/') || value.Contains("//", StringComparison.Ordinal) || value.Any(c => c is '?' or '#' or '%' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new InvalidOperationException($"{Key} must be a path like /eventstreams (a leading '/', no trailing '/', no query), not '{value}'.");
        }

        return new PathString(value);
    }
}
