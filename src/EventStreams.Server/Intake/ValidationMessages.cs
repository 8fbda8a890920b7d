using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace EventStreams.Server.Intake;

/// <summary>Turns JsonSchema.Net's results into EventGate-style messages, one per failing location (a missing property is its own location).</summary>
internal static class ValidationMessages
{
    /// <summary>A response echoes at most this many messages per event; an event failing everywhere would otherwise grow it without bound.</summary>
    public const int MaxPerEvent = 50;

    public static IReadOnlyList<ValidationMessage> From(EvaluationResults results, JsonElement instance, JsonObject schemaDocument)
    {
        var messages = new List<ValidationMessage>();
        foreach (var detail in (results.Details ?? []).Prepend(results))
        {
            if (detail.Errors is null)
            {
                continue;
            }

            var location = detail.InstanceLocation.ToString();
            var evaluationPath = detail.EvaluationPath.ToString();
            foreach (var (keyword, message) in detail.Errors)
            {
                if (messages.Count >= MaxPerEvent)
                {
                    return messages;
                }

                if (keyword == "required" && MissingProperties(schemaDocument, evaluationPath, instance, location) is { Count: > 0 } missing)
                {
                    foreach (var name in missing)
                    {
                        var path = location + "/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
                        messages.Add(new ValidationMessage(keyword, ToDotted(path), path, $"#{evaluationPath}/required", "is a required property"));
                    }

                    continue;
                }

                messages.Add(new ValidationMessage(keyword, ToDotted(location), location, $"#{evaluationPath}/{keyword}", LowerFirst(message)));
            }
        }

        return messages;
    }

    /// <summary><c>/event/items/0</c> → <c>.event.items[0]</c> (AJV's <c>dataPath</c>).</summary>
    public static string ToDotted(string pointer)
    {
        var builder = new StringBuilder();
        foreach (var segment in Segments(pointer))
        {
            if (segment.Length > 0 && segment.All(char.IsAsciiDigit))
            {
                builder.Append('[').Append(segment).Append(']');
            }
            else
            {
                builder.Append('.').Append(segment);
            }
        }

        return builder.ToString();
    }

    /// <summary>The library's messages start a sentence ("Value is ..."); after a path they read as one: <c>'.tick' value is ...</c>.</summary>
    private static string LowerFirst(string message) =>
        message.Length > 1 && char.IsUpper(message[0]) && !char.IsUpper(message[1]) ? char.ToLowerInvariant(message[0]) + message[1..] : message;

    /// <summary><c>.meta.stream</c> → <c>/meta/stream</c>, for the paths written by hand.</summary>
    public static string ToPointer(string dotted) => dotted.Replace('.', '/');

    private static IEnumerable<string> Segments(string pointer) =>
        pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));

    private static List<string> MissingProperties(JsonObject schemaDocument, string evaluationPath, JsonElement instance, string location)
    {
        JsonNode? schemaNode = schemaDocument;
        foreach (var segment in Segments(evaluationPath))
        {
            schemaNode = schemaNode switch
            {
                JsonObject o => o[segment],
                JsonArray a when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
        }

        var target = instance;
        foreach (var segment in Segments(location))
        {
            if (target.ValueKind == JsonValueKind.Object && target.TryGetProperty(segment, out var child))
            {
                target = child;
            }
            else if (target.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < target.GetArrayLength())
            {
                target = target[i];
            }
            else
            {
                return [];
            }
        }

        if ((schemaNode as JsonObject)?["required"] is not JsonArray required || target.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        return required.Select(r => r?.GetValue<string>()).OfType<string>().Where(name => !target.TryGetProperty(name, out _)).ToList();
    }
}
