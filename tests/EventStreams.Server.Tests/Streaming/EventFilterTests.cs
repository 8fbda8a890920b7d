using EventStreams.Server.Kafka;
using System.Text;
using EventStreams.Server.Streaming;
using Microsoft.Extensions.Primitives;

namespace EventStreams.Server.Tests.Streaming;

public sealed class EventFilterTests
{
    private static readonly byte[] Edit = Encoding.UTF8.GetBytes("""{"type":"edit","bot":false,"namespace":0,"meta":{"domain":"en.wikipedia.org"}}""");

    [Theory]
    [InlineData("meta.domain=en.wikipedia.org", true)]
    [InlineData("meta.domain!=canary", true)]
    [InlineData("meta.domain=canary", false)]
    [InlineData("type!=edit", false)]
    [InlineData("bot=false", true)]
    [InlineData("namespace=0", true)]
    [InlineData("missing.field=x", false)]
    [InlineData("missing.field!=x", true)]
    public void Matches_SingleCondition(string filter, bool expected)
    {
        Assert.Equal(expected, EventFilter.Parse(new StringValues(filter))!.Matches(Edit));
    }

    [Fact]
    public void Matches_AllConditionsMustHold()
    {
        Assert.False(EventFilter.Parse(new StringValues(["type=edit", "bot=true"]))!.Matches(Edit));
        Assert.True(EventFilter.Parse(new StringValues(["type=edit", "bot=false"]))!.Matches(Edit));
    }

    [Theory]
    [InlineData("noequals")]
    [InlineData("=value")]
    [InlineData("a..b=c")]
    public void Parse_Malformed_ThrowsInvalidFilter(string filter)
    {
        Assert.Equal("invalid_filter", Assert.Throws<StreamRequestException>(() => EventFilter.Parse(new StringValues(filter))).Type);
    }

    [Fact]
    public void Parse_None_IsNull()
    {
        Assert.Null(EventFilter.Parse(StringValues.Empty));
    }

    [Fact]
    public void Matches_AnEventAsDeepAsTheEncoderAccepts_DoesNotThrow()
    {
        // The root object is one level; the deepest array the encoder accepts sits just inside its limit.
        var nested = new string('[', EventJson.MaxDepth - 1) + new string(']', EventJson.MaxDepth - 1);
        var encoded = EventEncoder.TryEncode("t", 0, 1, 0, default, System.Text.Encoding.UTF8.GetBytes($$"""{"type":"edit","deep":{{nested}}}"""));
        var tooDeep = EventEncoder.TryEncode("t", 0, 1, 0, default, System.Text.Encoding.UTF8.GetBytes($$"""{"deep":[{{nested}}]}"""));

        Assert.NotNull(encoded);
        Assert.Null(tooDeep);
        Assert.True(EventFilter.Parse(new StringValues("type=edit"))!.Matches(encoded));
    }

    [Fact]
    public void Parse_LoneSurrogate_ThrowsInvalidFilter()
    {
        Assert.Equal("invalid_filter", Assert.Throws<StreamRequestException>(() => EventFilter.Parse(new StringValues("type=" + (char)0xD800))).Type);
    }

    [Fact]
    public void Registry_SameFilterText_SharedInstance_EachEventJudgedOnce()
    {
        var registry = new FilterRegistry();
        var a = registry.Share(EventFilter.Parse(new StringValues(["type=edit", "meta.domain!=canary"])))!;
        var b = registry.Share(EventFilter.Parse(new StringValues(["type = edit", "meta.domain != canary"])))!;
        var other = registry.Share(EventFilter.Parse(new StringValues("type=log")))!;
        var events = Enumerable.Range(0, 10)
            .Select(i => EventEncoder.TryEncode("t", 0, i, 0, default, System.Text.Encoding.UTF8.GetBytes($$"""{"type":"{{(i % 2 == 0 ? "edit" : "log")}}"}"""))!)
            .ToList();

        // Three clients of the same filter read the same events.
        var verdicts = Enumerable.Range(0, 3).Select(_ => events.Count(a.Matches)).ToList();
        events.ForEach(e => b.Matches(e));

        Assert.Same(a, b);
        Assert.NotSame(a, other);
        Assert.Equal([5, 5, 5], verdicts);
        Assert.Equal(events.Count, a.Evaluations);
    }
}
