using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace EventStreams.Server.Catalog;

/// <summary>Turns a stream config document (YAML or JSON, EventStreamConfig's shape) into a catalogue.</summary>
internal static class StreamConfigParser
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();

    public static StreamCatalogSnapshot Parse(string text, string source, StreamConfigOptions options)
    {
        object? root;
        try
        {
            StreamConfigDepthGuard.Check(text, source, StreamConfigOptions.MaxDepth);
            root = Yaml.Deserialize<object?>(text);
        }
        catch (YamlException e)
        {
            throw new StreamConfigException($"Stream config {source} is not valid YAML or JSON (line {e.Start.Line}, column {e.Start.Column}): {e.InnerException?.Message ?? e.Message}", e);
        }

        var map = SelectStreamMap(root, source, options.ObjectPath);
        var streams = new Dictionary<string, StreamDefinition>(StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            var name = key?.ToString() ?? "";
            if (name.Length == 0 || name.StartsWith('/'))
            {
                continue;
            }

            if (options.AllowedStreams.Count > 0 && !options.AllowedStreams.Contains(name))
            {
                continue;
            }

            var fetched = ReadSettings(value, source, name);
            var settings = fetched.Over(options.Defaults);
            if (options.Overrides.TryGetValue(name, out var overrides))
            {
                settings = overrides.Over(settings);
            }

            var definition = Define(name, settings);
            if (definition is not null)
            {
                streams[name] = definition;
            }
        }

        AddStreamAliases(streams);
        foreach (var (alias, target) in options.Aliases)
        {
            if (streams.TryGetValue(target, out var stream) && stream.AliasOf is null)
            {
                streams[alias] = stream with { Name = alias, AliasOf = target, StreamAliases = null };
            }
        }

        if (streams.Count == 0)
        {
            throw new StreamConfigException($"Stream config {source} declares no stream that can be served (none with topics{(options.AllowedStreams.Count > 0 ? " among StreamConfig:AllowedStreams" : "")}).");
        }

        return new StreamCatalogSnapshot(streams, source);
    }

    private static StreamDefinition? Define(string name, StreamSettings settings)
    {
        var topics = settings.Topics
            ?? settings.TopicPrefixes?.Select(prefix => prefix + name).ToList()
            ?? [name];
        topics = topics.Where(t => !string.IsNullOrWhiteSpace(t)).Distinct(StringComparer.Ordinal).ToList();
        if (topics.Count == 0)
        {
            return null;
        }

        var allowed = new HashSet<string>(settings.TopicsAllowed ?? topics, StringComparer.Ordinal);
        var aliases = settings.StreamAliases?
            .Where(a => !string.IsNullOrWhiteSpace(a) && a != name && !a.StartsWith('/'))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new StreamDefinition(name, topics, allowed, settings.Description, settings.SchemaTitle,
            DestinationEventService: settings.DestinationEventService, StreamAliases: aliases is { Count: > 0 } ? aliases : null);
    }

    /// <summary>
    /// A stream's <c>stream_aliases</c> (from the document, the defaults or an override) become names serving the same
    /// topics, as the reference service does. An alias never hides a real stream; two streams claiming one alias: the
    /// first by name wins, so the result does not depend on the document's key order.
    /// </summary>
    private static void AddStreamAliases(Dictionary<string, StreamDefinition> streams)
    {
        foreach (var stream in streams.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList())
        {
            foreach (var alias in stream.StreamAliases ?? [])
            {
                streams.TryAdd(alias, stream with { Name = alias, AliasOf = stream.Name, StreamAliases = null });
            }
        }
    }

    private static Dictionary<object, object?> SelectStreamMap(object? root, string source, string objectPath)
    {
        if (root is not Dictionary<object, object?> node)
        {
            throw new StreamConfigException($"Stream config {source} must be a mapping of stream names to settings.");
        }

        if (string.IsNullOrEmpty(objectPath))
        {
            return node.TryGetValue("streams", out var streams) && streams is Dictionary<object, object?> inner ? inner : node;
        }

        foreach (var part in objectPath.Split('.'))
        {
            if (!node.TryGetValue(part, out var child) || child is not Dictionary<object, object?> next)
            {
                throw new StreamConfigException($"Stream config {source} has no mapping at StreamConfig:ObjectPath '{objectPath}' (missing '{part}').");
            }

            node = next;
        }

        return node;
    }

    private static StreamSettings ReadSettings(object? value, string source, string name)
    {
        if (value is null)
        {
            return new StreamSettings();
        }

        if (value is not Dictionary<object, object?> map)
        {
            throw new StreamConfigException($"Stream config {source}: the settings of stream '{name}' must be a mapping.");
        }

        return new StreamSettings
        {
            Topics = ReadList(map, "topics", source, name),
            TopicPrefixes = ReadList(map, "topic_prefixes", source, name),
            TopicsAllowed = ReadList(map, "topics_allowed", source, name),
            Description = ReadString(map, "description"),
            SchemaTitle = ReadString(map, "schema_title"),
            DestinationEventService = ReadString(map, "destination_event_service"),
            StreamAliases = ReadList(map, "stream_aliases", source, name),
        };
    }

    private static string? ReadString(Dictionary<object, object?> map, string key) =>
        map.TryGetValue(key, out var value) && value is string s ? s : null;

    private static List<string>? ReadList(Dictionary<object, object?> map, string key, string source, string name)
    {
        if (!map.TryGetValue(key, out var value) || value is null)
        {
            return null;
        }

        return value switch
        {
            List<object?> list => list.Select(item => item as string
                ?? throw new StreamConfigException($"Stream config {source}: '{key}' of stream '{name}' must list strings.")).ToList(),
            string single => [single],
            _ => throw new StreamConfigException($"Stream config {source}: '{key}' of stream '{name}' must be a list of strings."),
        };
    }
}
