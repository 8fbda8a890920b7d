using EventStreams.Server.Intake;
using YamlDotNet.Core;

namespace EventStreams.Server.Tests.Intake;

public sealed class YamlJsonTests
{
    [Fact]
    public void Parse_PlainScalars_TypedAsYamlCoreSchema()
    {
        var node = YamlJson.Parse("""
            i: 42
            neg: -7
            big: 12345678901234567890123
            f: 1.5
            t: true
            n: null
            tilde: ~
            s: hello
            quoted: "42"
            single: 'true'
            version: 1.0.0
            list: [1, two]
            map: {a: b}
            """)!.AsObject();

        Assert.Equal(42L, node["i"]!.GetValue<long>());
        Assert.Equal(-7L, node["neg"]!.GetValue<long>());
        Assert.Equal(12345678901234567890123m, node["big"]!.GetValue<decimal>());
        Assert.Equal(1.5, node["f"]!.GetValue<double>());
        Assert.True(node["t"]!.GetValue<bool>());
        Assert.Null(node["n"]);
        Assert.Null(node["tilde"]);
        Assert.Equal("hello", node["s"]!.GetValue<string>());
        Assert.Equal("42", node["quoted"]!.GetValue<string>());
        Assert.Equal("true", node["single"]!.GetValue<string>());
        Assert.Equal("1.0.0", node["version"]!.GetValue<string>());
        Assert.Equal("two", node["list"]![1]!.GetValue<string>());
        Assert.Equal("b", node["map"]!["a"]!.GetValue<string>());
    }

    [Fact]
    public void Parse_Alias_Refused()
    {
        Assert.Throws<YamlException>(() => YamlJson.Parse("a: &x [1, 2]\nb: *x\n"));
    }

    [Fact]
    public void Parse_DeeperThanTheLimit_Refused()
    {
        var deep = new string('[', 200) + new string(']', 200);

        Assert.Throws<YamlException>(() => YamlJson.Parse(deep));
    }
}
