using System.Globalization;

namespace EventStreams.Server.Streaming;

/// <summary>Parses <c>?since=</c> (and <c>/v2/retention</c>'s <c>?at=</c>): epoch milliseconds or an ISO-8601 date-time.</summary>
internal static class SinceParser
{
    private const int MaxLength = 64;

    // Up to 9999-12-31: later is not a time anyone means.
    private const long MaxEpochMilliseconds = 253_402_300_799_999;

    public static long? Parse(string? since, string parameter = "since")
    {
        if (since is null)
        {
            return null;
        }

        var text = since.Trim();
        if (text.Length == 0 || text.Length > MaxLength)
        {
            throw Invalid(since, parameter);
        }

        if (text.All(char.IsAsciiDigit))
        {
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= MaxEpochMilliseconds
                ? ms
                : throw Invalid(since, parameter);
        }

        if (text.Length >= 10 && char.IsAsciiDigit(text[0])
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time.ToUnixTimeMilliseconds() is var ms and >= 0 ? ms : throw Invalid(since, parameter);
        }

        throw Invalid(since, parameter);
    }

    private static StreamRequestException Invalid(string since, string parameter) => StreamRequestException.InvalidSince(
        $"Invalid {parameter} parameter '{(since.Length > MaxLength ? since[..MaxLength] + "…" : since)}': use epoch milliseconds or an ISO-8601 date-time such as 2024-06-14T00:00:00Z.");
}
