using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace EventStreams.Server.Catalog;

/// <summary>The <c>StreamConfig</c> configuration section: where the stream catalogue comes from.</summary>
internal sealed class StreamConfigOptions
{
    public const string Section = "StreamConfig";
    public const string DemoConfigFile = "demo-streams.yaml";
    public const int DefaultReloadSeconds = 60;
    public const int DefaultMaxDocumentMegabytes = 16;

    /// <summary>Nesting beyond this is refused before deserializing (stream configs are a few levels deep).</summary>
    public const int MaxDepth = 64;

    /// <summary>A YAML/JSON file path or an http(s) URL (e.g. MediaWiki's <c>action=streamconfigs</c>). Empty with the embedded broker = the bundled demo config.</summary>
    public string Uri { get; set; } = "";

    /// <summary>Dot-separated path to the stream map inside the document; empty = <c>streams</c> if present, else the root.</summary>
    public string ObjectPath { get; set; } = "";

    /// <summary>Request headers for a URL source, e.g. <c>Host</c>.</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Expose only these streams; empty = all.</summary>
    public List<string> AllowedStreams { get; } = [];

    /// <summary>alias → stream name; each alias serves the same topics.</summary>
    public Dictionary<string, string> Aliases { get; } = new(StringComparer.Ordinal);

    /// <summary>Settings that fill in what a stream's config leaves out (e.g. <c>topic_prefixes</c>).</summary>
    public StreamSettings Defaults { get; set; } = new();

    /// <summary>stream name → settings that win over the fetched ones.</summary>
    public Dictionary<string, StreamSettings> Overrides { get; } = new(StringComparer.Ordinal);

    /// <summary>Seconds between reloads; 0 = load once.</summary>
    [Range(0, 86400)]
    public int ReloadSeconds { get; set; } = DefaultReloadSeconds;

    /// <summary>A fetched or read document larger than this fails the load (Wikimedia's full stream config is about 1 MB).</summary>
    [Range(1, 1024)]
    public int MaxDocumentMegabytes { get; set; } = DefaultMaxDocumentMegabytes;
}

/// <summary>The settings of one stream that matter here, in stream config's own key names.</summary>
internal sealed class StreamSettings
{
    [ConfigurationKeyName("topics")]
    public List<string>? Topics { get; set; }

    [ConfigurationKeyName("topic_prefixes")]
    public List<string>? TopicPrefixes { get; set; }

    [ConfigurationKeyName("topics_allowed")]
    public List<string>? TopicsAllowed { get; set; }

    [ConfigurationKeyName("description")]
    public string? Description { get; set; }

    [ConfigurationKeyName("schema_title")]
    public string? SchemaTitle { get; set; }

    [ConfigurationKeyName("destination_event_service")]
    public string? DestinationEventService { get; set; }

    /// <summary>Other names this stream answers to (the reference service's short names such as <c>recentchange</c>).</summary>
    [ConfigurationKeyName("stream_aliases")]
    public List<string>? StreamAliases { get; set; }

    /// <summary>Each value set here replaces the one in <paramref name="baseSettings"/>.</summary>
    public StreamSettings Over(StreamSettings baseSettings) => new()
    {
        Topics = Topics ?? baseSettings.Topics,
        TopicPrefixes = TopicPrefixes ?? baseSettings.TopicPrefixes,
        TopicsAllowed = TopicsAllowed ?? baseSettings.TopicsAllowed,
        Description = Description ?? baseSettings.Description,
        SchemaTitle = SchemaTitle ?? baseSettings.SchemaTitle,
        DestinationEventService = DestinationEventService ?? baseSettings.DestinationEventService,
        StreamAliases = StreamAliases ?? baseSettings.StreamAliases,
    };
}
