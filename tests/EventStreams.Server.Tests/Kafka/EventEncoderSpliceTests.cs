using EventStreams.Server.Kafka;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventStreams.Server.Streaming;

namespace EventStreams.Server.Tests.Kafka;

/// <summary>The splicing fast path must produce the same JSON as the rewriting path, or decline.</summary>
public sealed class EventEncoderSpliceTests
{
    [Theory]
    [InlineData("""{"$schema":"/x/1.0.0","meta":{"stream":"rc","dt":"2024-01-01T00:00:00Z"},"title":"Zürich <b>","n":1.50}""")]
    [InlineData("""{"a":1}""")]
    [InlineData("""{}""")]
    [InlineData("""{"meta":{}}""")]
    [InlineData("""{"meta":{},"b":[1,{"meta":{"topic":"inner"}}]}""")]
    [InlineData("""  { "a" : { "meta" : 1 } , "meta" : { "x" : [ ] } }  """)]
    [InlineData("""{"t\u0069tle":"\u00e9\n","m\u0065ta":{"s":"\"}"}}""")]
    public void TrySplice_SameJsonAsRewrite(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);

        var spliced = EventEncoder.TrySplice("eqiad.rc", 3, 4711, [], bytes);
        var rewritten = EventEncoder.Rewrite("eqiad.rc", 3, 4711, [], bytes);

        Assert.NotNull(spliced);
        Assert.NotNull(rewritten);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(spliced), JsonNode.Parse(rewritten)), Encoding.UTF8.GetString(spliced));
    }

    [Theory]
    [InlineData("""{"meta":{"topic":"x"}}""")]
    [InlineData("""{"meta":{"offset":1}}""")]
    [InlineData("""{"meta":{"partition":1}}""")]
    [InlineData("""{"meta":{"key":1}}""")]
    [InlineData("""{"meta":1}""")]
    [InlineData("""{"meta":{},"meta":{}}""")]
    [InlineData("{\n\"a\":1}")]
    [InlineData("""{"a":1} x""")]
    [InlineData("""{"a":}""")]
    [InlineData("""[1]""")]
    public void TrySplice_DeclinesWhatTheRewriteMustHandle(string value)
    {
        Assert.Null(EventEncoder.TrySplice("eqiad.rc", 3, 4711, [], Encoding.UTF8.GetBytes(value)));
    }

    [Fact]
    public void TrySplice_WithKey_Declines()
    {
        Assert.Null(EventEncoder.TrySplice("eqiad.rc", 3, 4711, "k"u8, "{}"u8));
    }

    [Fact]
    public void TrySplice_KeepsProducedBytes()
    {
        var spliced = EventEncoder.TrySplice("eqiad.rc", 3, 4711, [], """{"a":"\u00e9","meta":{"s":1},"z":2}"""u8);

        Assert.Equal("""{"a":"\u00e9","meta":{"s":1,"topic":"eqiad.rc","partition":3,"offset":4711},"z":2}""", Encoding.UTF8.GetString(spliced!));
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(spliced!).RootElement.ValueKind);
    }
}
