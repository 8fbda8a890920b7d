using EventStreams.Server.Api;
using EventStreams.Server.Streaming;

namespace EventStreams.Server.Tests.Streaming;

public sealed class LastEventIdParserTests
{
    [Fact]
    public void Parse_WmfShapes_AllUnderstood()
    {
        const string id = """[{"topic":"eqiad.rc","partition":0,"timestamp":1700000000001},{"topic":"codfw.rc","partition":0,"offset":-1},{"topic":"x","partition":3,"offset":42,"timestamp":5},"eqiad.other"]""";

        var positions = LastEventIdParser.Parse(id, since: 77);

        Assert.Equal(new StartPosition("eqiad.rc", 0, null, 1700000000001), positions[0]);
        Assert.Equal(new StartPosition("codfw.rc", 0, StartPosition.Latest, null), positions[1]);
        Assert.Equal(new StartPosition("x", 3, 42, null), positions[2]);
        Assert.Equal(new StartPosition("eqiad.other", null, null, 77), positions[3]);
    }

    [Fact]
    public void Parse_TopicElementWithoutSince_StartsAtLatest()
    {
        Assert.Equal(new StartPosition("t", null, StartPosition.Latest, null), LastEventIdParser.Parse("[\"t\"]", null)[0]);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("[null]")]
    [InlineData("[\"\"]")]
    [InlineData("[{\"partition\":0,\"offset\":1}]")]
    [InlineData("[{\"topic\":\"t\",\"partition\":0}]")]
    [InlineData("[{\"topic\":\"t\",\"partition\":1.5,\"offset\":1}]")]
    [InlineData("[{\"topic\":\"t\",\"partition\":0,\"offset\":-3}]")]
    [InlineData("[{\"topic\":\"t\",\"partition\":0,\"timestamp\":\"now\"}]")]
    [InlineData("[[[[[[1]]]]]]")]
    public void Parse_Malformed_ThrowsInvalidLastEventId(string id)
    {
        var e = Assert.Throws<ApiProblemException>(() => LastEventIdParser.Parse(id, null));

        Assert.Equal("invalid_last_event_id", e.Type);
    }

    [Fact]
    public void Parse_TooManyElements_Throws()
    {
        var id = "[" + string.Join(',', Enumerable.Repeat("\"t\"", LastEventIdParser.MaxElements + 1)) + "]";

        Assert.Throws<ApiProblemException>(() => LastEventIdParser.Parse(id, null));
    }
}
