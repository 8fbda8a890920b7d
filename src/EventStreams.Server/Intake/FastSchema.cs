using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Json.Schema;

namespace EventStreams.Server.Intake;

/// <summary>
/// A draft-07 schema compiled for the keywords event schemas use (<c>type</c>, <c>properties</c>, <c>required</c>,
/// <c>additionalProperties</c>, <c>items</c>, string <c>enum</c>s, lengths, bounds, <c>format</c>), the fast twin of
/// JsonSchema.Net's evaluation (about 35 CPU-µs and 45 KB per <c>recentchange</c> event; this, about 1 µs: the
/// <c>validation</c> bench mode). It only ever answers "valid for sure": whenever an instance fails a check, or a check
/// could be read two ways (a non-ASCII length, a number beyond exact comparison, a fraction where an integer is asked
/// for), it answers no, and the caller asks JsonSchema.Net, which alone decides invalid events and explains them. A
/// schema with any other keyword is not compiled (<see cref="TryCompile"/> returns null). <c>format</c> is checked by
/// JsonSchema.Net's own format objects, the ones its evaluation uses. <c>FastSchemaTests</c> holds the twins together.
/// </summary>
internal sealed class FastSchema
{
    /// <summary>Keywords that never make an instance invalid in draft-07 (annotations, and storage only a <c>$ref</c> would read).</summary>
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$comment", "title", "description", "default", "examples", "readOnly", "writeOnly", "definitions",
    };

    private static readonly FastSchema AcceptsAll = new();

    private TypeSet _types = TypeSet.Any;
    private bool _rejectsAll;
    private Dictionary<string, FastSchema>? _properties;
    private string[] _required = [];
    private FastSchema? _additionalProperties;
    private FastSchema? _items;
    private HashSet<string>? _enum;
    private int? _minLength;
    private int? _maxLength;
    private int? _minItems;
    private int? _maxItems;
    private decimal? _minimum;
    private decimal? _maximum;
    private decimal? _exclusiveMinimum;
    private decimal? _exclusiveMaximum;
    private Format? _format;

    [Flags]
    private enum TypeSet
    {
        Null = 1,
        Boolean = 2,
        Object = 4,
        Array = 8,
        Number = 16,
        Integer = 32,
        String = 64,
        Any = Null | Boolean | Object | Array | Number | Integer | String,
    }

    /// <summary>The compiled twin of a draft-07 schema, or null when the schema uses a keyword (or a form of one) it does not know.</summary>
    public static FastSchema? TryCompile(JsonElement schema)
    {
        switch (schema.ValueKind)
        {
            case JsonValueKind.True:
                return AcceptsAll;
            case JsonValueKind.False:
                return new FastSchema { _rejectsAll = true };
            case JsonValueKind.Object:
                break;
            default:
                return null;
        }

        var compiled = new FastSchema();
        foreach (var keyword in schema.EnumerateObject())
        {
            if (!Annotations.Contains(keyword.Name) && !compiled.TryAdd(keyword.Name, keyword.Value))
            {
                return null;
            }
        }

        return compiled;
    }

    /// <summary>True when <paramref name="instance"/> is valid for sure; false when it is not, or when JsonSchema.Net must say.</summary>
    public bool IsSurelyValid(JsonElement instance)
    {
        if (_rejectsAll || !HasType(instance))
        {
            return false;
        }

        var valid = instance.ValueKind switch
        {
            JsonValueKind.Object => ObjectIsValid(instance),
            JsonValueKind.Array => ArrayIsValid(instance),
            JsonValueKind.String => StringIsValid(instance),
            JsonValueKind.Number => NumberIsValid(instance),
            _ => _enum is null,
        };
        return valid && (_format is null || _format.Validate(instance, out _));
    }

    private bool TryAdd(string keyword, JsonElement value)
    {
        switch (keyword)
        {
            case "type":
                return TryTypes(value, out _types);
            case "properties":
                if (value.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }

                _properties = new Dictionary<string, FastSchema>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    if (TryCompile(property.Value) is not { } compiled)
                    {
                        return false;
                    }

                    _properties[property.Name] = compiled;
                }

                return true;
            case "required":
                return TryStrings(value, out _required!);
            case "additionalProperties":
                return (_additionalProperties = TryCompile(value)) is not null;
            case "items":
                return (_items = TryCompile(value)) is not null;
            case "enum":
                var known = TryStrings(value, out var values);
                _enum = known ? [.. values!] : null;
                return known;
            case "minLength":
                return TryCount(value, out _minLength);
            case "maxLength":
                return TryCount(value, out _maxLength);
            case "minItems":
                return TryCount(value, out _minItems);
            case "maxItems":
                return TryCount(value, out _maxItems);
            case "minimum":
                return TryBound(value, out _minimum);
            case "maximum":
                return TryBound(value, out _maximum);
            case "exclusiveMinimum":
                return TryBound(value, out _exclusiveMinimum);
            case "exclusiveMaximum":
                return TryBound(value, out _exclusiveMaximum);
            case "format":
                return value.ValueKind == JsonValueKind.String && (_format = FormatRegistry.Global.Get(value.GetString()!)) is not null;
            default:
                return false;
        }
    }

    private static bool TryTypes(JsonElement value, out TypeSet types)
    {
        types = 0;
        var names = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : [value];
        foreach (var name in names)
        {
            if (name.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            TypeSet type = name.GetString() switch
            {
                "null" => TypeSet.Null,
                "boolean" => TypeSet.Boolean,
                "object" => TypeSet.Object,
                "array" => TypeSet.Array,
                "number" => TypeSet.Number,
                "integer" => TypeSet.Integer,
                "string" => TypeSet.String,
                _ => 0,
            };
            if (type == 0)
            {
                return false;
            }

            types |= type;
        }

        return types != 0;
    }

    /// <summary>An array of strings (<c>required</c>, a string <c>enum</c>).</summary>
    private static bool TryStrings(JsonElement value, out string[]? strings)
    {
        strings = value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String)
            ? [.. value.EnumerateArray().Select(v => v.GetString()!)]
            : null;
        return strings is not null;
    }

    private static bool TryCount(JsonElement value, out int? count)
    {
        count = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= 0 ? n : null;
        return count is not null;
    }

    private static bool TryBound(JsonElement value, out decimal? bound)
    {
        bound = value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) ? d : null;
        return bound is not null;
    }

    private bool HasType(JsonElement instance) => instance.ValueKind switch
    {
        JsonValueKind.Null => _types.HasFlag(TypeSet.Null),
        JsonValueKind.True or JsonValueKind.False => _types.HasFlag(TypeSet.Boolean),
        JsonValueKind.Object => _types.HasFlag(TypeSet.Object),
        JsonValueKind.Array => _types.HasFlag(TypeSet.Array),
        JsonValueKind.String => _types.HasFlag(TypeSet.String),
        // An integer written without a fraction or exponent is an integer however it is read; 1.0 is left to JsonSchema.Net.
        JsonValueKind.Number => _types.HasFlag(TypeSet.Number) || (_types.HasFlag(TypeSet.Integer) && IsPlainInteger(instance)),
        _ => false,
    };

    private static bool IsPlainInteger(JsonElement number) => JsonMarshal.GetRawUtf8Value(number).IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0;

    private bool ObjectIsValid(JsonElement instance)
    {
        foreach (var name in _required)
        {
            if (!instance.TryGetProperty(name, out _))
            {
                return false;
            }
        }

        if (_properties is null && _additionalProperties is null)
        {
            return _enum is null;
        }

        foreach (var property in instance.EnumerateObject())
        {
            var schema = _properties is not null && _properties.TryGetValue(property.Name, out var declared) ? declared : _additionalProperties;
            if (schema is not null && !schema.IsSurelyValid(property.Value))
            {
                return false;
            }
        }

        return _enum is null;
    }

    private bool ArrayIsValid(JsonElement instance)
    {
        var length = instance.GetArrayLength();
        if (length < _minItems || length > _maxItems || _enum is not null)
        {
            return false;
        }

        if (_items is not null)
        {
            foreach (var item in instance.EnumerateArray())
            {
                if (!_items.IsSurelyValid(item))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private bool StringIsValid(JsonElement instance)
    {
        if (_minLength is not null || _maxLength is not null || _enum is not null)
        {
            var text = instance.GetString()!;
            if (_enum is not null && !_enum.Contains(text))
            {
                return false;
            }

            if ((_minLength is not null || _maxLength is not null) && !LengthIsValid(text))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The length within bounds whichever way it is counted: UTF-16 units, code points or text elements (all equal for ASCII).</summary>
    private bool LengthIsValid(string text)
    {
        if (Ascii.IsValid(text))
        {
            return WithinLength(text.Length);
        }

        return WithinLength(text.Length) && WithinLength(text.EnumerateRunes().Count()) && WithinLength(new StringInfo(text).LengthInTextElements);
    }

    private bool WithinLength(int length) => !(length < _minLength) && !(length > _maxLength);

    /// <summary>Within bounds both as a decimal and as a double (an implementation may compare either way).</summary>
    private bool NumberIsValid(JsonElement instance)
    {
        if (_enum is not null)
        {
            return false;
        }

        if (_minimum is null && _maximum is null && _exclusiveMinimum is null && _exclusiveMaximum is null)
        {
            return true;
        }

        if (!instance.TryGetDecimal(out var d) || !instance.TryGetDouble(out var x))
        {
            return false;
        }

        return Within(d, x, _minimum, (a, b) => a >= b, (a, b) => a >= b)
            && Within(d, x, _maximum, (a, b) => a <= b, (a, b) => a <= b)
            && Within(d, x, _exclusiveMinimum, (a, b) => a > b, (a, b) => a > b)
            && Within(d, x, _exclusiveMaximum, (a, b) => a < b, (a, b) => a < b);
    }

    private static bool Within(decimal d, double x, decimal? bound, Func<decimal, decimal, bool> asDecimal, Func<double, double, bool> asDouble) =>
        bound is not { } b || (asDecimal(d, b) && asDouble(x, (double)b));
}
