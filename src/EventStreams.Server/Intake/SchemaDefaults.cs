using System.Text.Json;
using System.Text.RegularExpressions;

namespace EventStreams.Server.Intake;

/// <summary>
/// The <c>default</c>s of a schema, where AJV's <c>useDefaults</c> (EventGate's setting) applies them: a property of an
/// object that has none of that name gets its <c>default</c> from <c>properties</c>, at every level the event has an
/// object (nested ones too, and inside a default just filled in), through <c>items</c>, <c>additionalProperties</c>,
/// <c>patternProperties</c>, <c>allOf</c> and local <c>$ref</c>s. As in AJV, defaults under <c>anyOf</c>, <c>oneOf</c>,
/// <c>not</c> and <c>if</c> are never applied. Not applied here (AJV would): under <c>then</c>/<c>else</c>,
/// <c>dependencies</c>, tuple <c>items</c>, and below a <c>$ref</c> that recurses into itself. Only the parts of the
/// schema that lead to a default are kept; a schema without any is <c>null</c>.
/// </summary>
internal sealed class SchemaDefaults
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(100);

    private readonly List<(string Name, JsonElement Value)> _defaults = [];
    private readonly Dictionary<string, SchemaDefaults> _properties = new(StringComparer.Ordinal);
    private readonly List<(Func<string, bool> AppliesTo, SchemaDefaults Schema)> _otherProperties = [];

    /// <summary>Properties with a <c>default</c>, in the schema's order; the first of a name wins (as the first assignment does in AJV).</summary>
    public IReadOnlyList<(string Name, JsonElement Value)> Defaults => _defaults;

    /// <summary>What applies to each element of an array.</summary>
    public SchemaDefaults? Items { get; private set; }

    private bool IsEmpty => _defaults.Count == 0 && _properties.Count == 0 && _otherProperties.Count == 0 && Items is null;

    public static SchemaDefaults? From(JsonElement schema) => Compile(schema, schema, []);

    /// <summary>What applies to the property <paramref name="name"/> of an object this schema describes.</summary>
    public SchemaDefaults? ForProperty(string name)
    {
        if (_properties.TryGetValue(name, out var declared))
        {
            return declared;
        }

        foreach (var (appliesTo, schema) in _otherProperties)
        {
            if (appliesTo(name))
            {
                return schema;
            }
        }

        return null;
    }

    private static SchemaDefaults? Compile(JsonElement schema, JsonElement root, HashSet<string> refsInProgress)
    {
        var compiled = new SchemaDefaults();
        compiled.Include(schema, root, refsInProgress);
        return compiled.IsEmpty ? null : compiled;
    }

    private void Include(JsonElement schema, JsonElement root, HashSet<string> refsInProgress)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        // Draft-07: beside a $ref every other keyword is ignored.
        if (schema.TryGetProperty("$ref", out var reference))
        {
            if (reference.GetString() is { } r && Resolve(root, r) is { } target && refsInProgress.Add(r))
            {
                Include(target, root, refsInProgress);
                refsInProgress.Remove(r);
            }

            return;
        }

        var declared = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
            {
                declared.Add(property.Name);
                if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("default", out var value)
                    && !_defaults.Exists(d => d.Name == property.Name))
                {
                    _defaults.Add((property.Name, value.Clone()));
                }

                if (Compile(property.Value, root, refsInProgress) is { } child)
                {
                    _properties[property.Name] = _properties.TryGetValue(property.Name, out var existing) ? existing.Merge(child) : child;
                }
            }
        }

        var patterns = new List<Regex>();
        if (schema.TryGetProperty("patternProperties", out var patternProperties) && patternProperties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in patternProperties.EnumerateObject())
            {
                var pattern = new Regex(property.Name, RegexOptions.None, PatternTimeout);
                patterns.Add(pattern);
                if (Compile(property.Value, root, refsInProgress) is { } child)
                {
                    _otherProperties.Add((name => !declared.Contains(name) && pattern.IsMatch(name), child));
                }
            }
        }

        if (schema.TryGetProperty("additionalProperties", out var additional) && Compile(additional, root, refsInProgress) is { } other)
        {
            _otherProperties.Add((name => !declared.Contains(name) && !patterns.Exists(p => p.IsMatch(name)), other));
        }

        if (schema.TryGetProperty("items", out var items) && Compile(items, root, refsInProgress) is { } itemSchema)
        {
            Items = Items is null ? itemSchema : Items.Merge(itemSchema);
        }

        if (schema.TryGetProperty("allOf", out var allOf) && allOf.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in allOf.EnumerateArray())
            {
                Include(part, root, refsInProgress);
            }
        }
    }

    private SchemaDefaults Merge(SchemaDefaults other)
    {
        foreach (var d in other._defaults.Where(d => !_defaults.Exists(mine => mine.Name == d.Name)))
        {
            _defaults.Add(d);
        }

        foreach (var (name, schema) in other._properties)
        {
            _properties[name] = _properties.TryGetValue(name, out var existing) ? existing.Merge(schema) : schema;
        }

        _otherProperties.AddRange(other._otherProperties);
        Items = Items is null ? other.Items : other.Items is null ? Items : Items.Merge(other.Items);
        return this;
    }

    /// <summary>A local reference (<c>#</c>, <c>#/definitions/x</c>); others are not followed.</summary>
    private static JsonElement? Resolve(JsonElement root, string reference)
    {
        if (!reference.StartsWith('#'))
        {
            return null;
        }

        var target = root;
        foreach (var token in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Uri.UnescapeDataString(token).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (target.ValueKind != JsonValueKind.Object || !target.TryGetProperty(name, out target))
            {
                return null;
            }
        }

        return target;
    }
}
