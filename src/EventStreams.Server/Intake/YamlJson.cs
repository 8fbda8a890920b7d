using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EventStreams.Server.Intake;

/// <summary>
/// Reads a YAML (or JSON) document into a <see cref="JsonNode"/>, typing plain scalars as YAML 1.2's core schema does
/// (what js-yaml, and so EventGate, reads schemas with): <c>null</c>/<c>~</c>, booleans, integers, floats; everything
/// else, and every quoted scalar, is a string. Aliases are refused: a schema has no need for them, and they are how
/// a small document expands into a huge one.
/// </summary>
internal static partial class YamlJson
{
    private const int MaxDepth = 128;

    public static JsonNode? Parse(string text)
    {
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _))
        {
            return null;
        }

        parser.Consume<DocumentStart>();
        var node = Read(parser, 0);
        parser.Consume<DocumentEnd>();
        return node;
    }

    private static JsonNode? Read(IParser parser, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new YamlException(parser.Current!.Start, parser.Current.End, $"The document nests deeper than {MaxDepth} levels.");
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            return ToValue(scalar);
        }

        if (parser.TryConsume<SequenceStart>(out _))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                array.Add(Read(parser, depth + 1));
            }

            return array;
        }

        if (parser.TryConsume<MappingStart>(out _))
        {
            var map = new JsonObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.Consume<Scalar>().Value;
                map[key] = Read(parser, depth + 1);
            }

            return map;
        }

        var current = parser.Current!;
        throw new YamlException(current.Start, current.End, current is AnchorAlias ? "YAML aliases are not supported." : $"Unexpected {current.GetType().Name}.");
    }

    private static JsonValue? ToValue(Scalar scalar)
    {
        var text = scalar.Value;
        if (!scalar.IsPlainImplicit || scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(text))
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? JsonValue.Create(l)
                : decimal.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var m) ? JsonValue.Create(m)
                : JsonValue.Create(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
