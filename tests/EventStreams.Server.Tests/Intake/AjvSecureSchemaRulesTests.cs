using System.Text.Json.Nodes;

namespace EventStreams.Server.Tests.Intake;

/// <summary>The secure-schema check finds each rule broken wherever the meta-schema looks, and passes what is secure.</summary>
public sealed class AjvSecureSchemaRulesTests
{
    [Theory]
    [InlineData("""{"type":"string","format":"uri"}""", "")]
    [InlineData("""{"properties":{"title_url":{"type":"string","format":"uri"}}}""", "/properties/title_url")]
    [InlineData("""{"properties":{"a":{"type":"object","properties":{"b":{"pattern":"^x"}}}}}""", "/properties/a/properties/b")]
    [InlineData("""{"items":{"type":"string","pattern":"^x"}}""", "/items")]
    [InlineData("""{"items":[{"type":"integer"},{"format":"date-time"}]}""", "/items/1")]
    [InlineData("""{"additionalProperties":{"format":"date-time"}}""", "/additionalProperties")]
    [InlineData("""{"definitions":{"d":{"format":"date-time"}}}""", "/definitions/d")]
    [InlineData("""{"allOf":[{"format":"date-time"}]}""", "/allOf/0")]
    [InlineData("""{"anyOf":[{"type":"integer"},{"pattern":"x"}]}""", "/anyOf/1")]
    [InlineData("""{"if":{"format":"email"}}""", "/if")]
    [InlineData("""{"type":"array","uniqueItems":true}""", "")]
    [InlineData("""{"type":["array","null"],"uniqueItems":true}""", "")]
    [InlineData("""{"patternProperties":{"^x":{}}}""", "")]
    [InlineData("""{"patternProperties":{"^x":{}},"propertyNames":{"pattern":"^x"}}""", "")]
    public void Violations_InsecureSchema_NamesThePlace(string schema, string at)
    {
        var violations = AjvSecureSchemaRules.Violations(JsonNode.Parse(schema));

        Assert.Contains(violations, v => v.StartsWith(at + ": ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"properties":{"format":{"type":"string"},"pattern":{"type":"string"}}}""")]
    [InlineData("""{"properties":{"u":{"type":"string","format":"uri","maxLength":8192}}}""")]
    [InlineData("""{"type":"array","uniqueItems":true,"maxItems":10,"items":{"type":"object"}}""")]
    [InlineData("""{"patternProperties":{"^x":{}},"propertyNames":{"maxLength":64}}""")]
    [InlineData("""{"examples":[{"format":"x"}],"default":{"pattern":"x"}}""")]
    public void Violations_SecureSchema_None(string schema)
    {
        Assert.Empty(AjvSecureSchemaRules.Violations(JsonNode.Parse(schema)));
    }
}
