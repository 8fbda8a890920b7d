using System.Text.Json.Nodes;

namespace EventStreams.Server.Tests.Intake;

/// <summary>
/// The rules of AJV's secure-schema meta-schema (<c>ajv/lib/refs/json-schema-secure.json</c>), which EventGate checks every
/// schema against before it compiles it (<c>allowInsecureSchemas: false</c>), applied to every subschema as the meta-schema
/// reaches them: <c>pattern</c> or <c>format</c> needs <c>maxLength</c>; <c>uniqueItems</c> on objects or arrays needs
/// <c>maxItems</c>; <c>patternProperties</c> needs <c>propertyNames</c> with <c>maxLength</c>.
/// </summary>
internal static class AjvSecureSchemaRules
{
    private static readonly string[] SingleSchemas = ["additionalItems", "additionalProperties", "if", "then", "else", "not", "contains", "propertyNames"];
    private static readonly string[] SchemaArrays = ["allOf", "anyOf", "oneOf"];
    private static readonly string[] SchemaMaps = ["definitions", "properties", "patternProperties", "dependencies"];

    /// <summary>Each place the schema breaks a rule, as <c>JSON pointer: rule</c>; empty when it is secure.</summary>
    public static List<string> Violations(JsonNode? schema)
    {
        var violations = new List<string>();
        Check(schema, "", violations);
        return violations;
    }

    private static void Check(JsonNode? node, string at, List<string> violations)
    {
        if (node is not JsonObject schema)
        {
            return;
        }

        if ((schema.ContainsKey("pattern") || schema.ContainsKey("format")) && !schema.ContainsKey("maxLength"))
        {
            violations.Add($"{at}: pattern or format without maxLength (slow validation of large strings)");
        }

        if (schema["uniqueItems"] is JsonValue unique && unique.TryGetValue<bool>(out var isUnique) && isUnique
            && IsObjectOrArrayType(schema["type"]) && !schema.ContainsKey("maxItems"))
        {
            violations.Add($"{at}: uniqueItems of objects or arrays without maxItems (slow validation of large non-scalar arrays)");
        }

        if (schema.ContainsKey("patternProperties") && !(schema["propertyNames"] is JsonObject names && names.ContainsKey("maxLength")))
        {
            violations.Add($"{at}: patternProperties without propertyNames.maxLength (slow validation of large property names)");
        }

        foreach (var keyword in SingleSchemas)
        {
            Check(schema[keyword], $"{at}/{keyword}", violations);
        }

        foreach (var keyword in SchemaArrays.Append("items"))
        {
            if (schema[keyword] is JsonArray parts)
            {
                for (var i = 0; i < parts.Count; i++)
                {
                    Check(parts[i], $"{at}/{keyword}/{i}", violations);
                }
            }
        }

        Check(schema["items"] as JsonObject, $"{at}/items", violations);
        foreach (var keyword in SchemaMaps)
        {
            foreach (var (name, sub) in schema[keyword] as JsonObject ?? [])
            {
                Check(sub, $"{at}/{keyword}/{name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}", violations);
            }
        }
    }

    private static bool IsObjectOrArrayType(JsonNode? type) => type switch
    {
        JsonValue v => v.TryGetValue<string>(out var name) && name is "object" or "array",
        JsonArray types => types.Any(IsObjectOrArrayType),
        _ => false,
    };
}
