using System.ComponentModel.DataAnnotations;

namespace EventStreams.Server.Api;

/// <summary>The <c>Info</c> configuration section: what <c>/_info</c> and the OpenAPI document say about this service.</summary>
internal sealed class InfoOptions : IValidatableObject
{
    public const string Section = "Info";
    public const string DefaultName = "eventstreams";
    public const string DefaultDescription = "Streams Kafka events to browsers and HTTP clients as Server-Sent Events (wire-compatible with Wikimedia EventStreams).";

    /// <summary>Where <c>/_info/home</c> redirects; by default this server's own API documentation.</summary>
    public const string DefaultHome = "/?doc";

    /// <summary>What the environment is called when nothing says otherwise and the embedded demo broker runs.</summary>
    public const string LocalDemoEnvironment = "local demo";

    public const int MaxEnvironmentLength = 40;

    public string Description { get; set; } = DefaultDescription;

    /// <summary>An absolute http(s) URL, or a path on this server starting with <c>/</c>.</summary>
    public string Home { get; set; } = DefaultHome;

    /// <summary>
    /// Which events these are (<c>production</c>, <c>beta</c>, <c>local demo</c>...), shown by the UI in its header, title
    /// and exported files so that one environment's events are not taken for another's. Empty = derived from the mode
    /// (see <c>Hosting/EnvironmentDefault</c>).
    /// </summary>
    public string Environment { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var relative = Home.StartsWith('/') && !Home.StartsWith("//", StringComparison.Ordinal);
        var absolute = Uri.TryCreate(Home, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
        if (!relative && !absolute)
        {
            yield return new ValidationResult($"{Section}:{nameof(Home)} must be an http(s) URL or a path starting with '/', not '{Home}'.", [nameof(Home)]);
        }

        if (Environment.Length > MaxEnvironmentLength || Environment.Any(char.IsControl))
        {
            yield return new ValidationResult($"{Section}:{nameof(Environment)} must be at most {MaxEnvironmentLength} printable characters.", [nameof(Environment)]);
        }
    }
}
