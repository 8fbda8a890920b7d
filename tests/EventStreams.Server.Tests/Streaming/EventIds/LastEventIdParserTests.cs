using EventStreams.Server.Streaming;
using EventStreams.Server.Streaming.EventIds;

namespace EventStreams.Server.Tests.Streaming.EventIds;

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
    [InlineData("[{\"topic\":\"t\",\"partition\":0,\"timestamp\":5,\"skip\":-1}]")]
    [InlineData("[{\"topic\":\"t\",\"partition\":0,\"timestamp\":5,\"skip\":\"2\"}]")]
    [InlineData("[\"\\ud800\"]")]
    [InlineData("[{\"topic\":\"a\\udc00b\",\"partition\":0,\"offset\":1}]")]
    public void Parse_Malformed_ThrowsInvalidLastEventId(string id)
    {
        var e = Assert.Throws<StreamRequestException>(() => LastEventIdParser.Parse(id, null));

        Assert.Equal("invalid_last_event_id", e.Type);
    }

    [Fact]
    public void Parse_TooManyElements_Throws()
    {
        var id = "[" + string.Join(',', Enumerable.Repeat("\"t\"", LastEventIdParser.MaxElements + 1)) + "]";

        Assert.Throws<StreamRequestException>(() => LastEventIdParser.Parse(id, null));
    }

    [Fact]
    public void Parse_TimestampWithSkip_KeepsTheSkip_AndOffsetWinsOverBoth()
    {
        var positions = LastEventIdParser.Parse("""[{"topic":"t","partition":0,"timestamp":5,"skip":3},{"topic":"t","partition":1,"offset":9,"timestamp":5,"skip":3}]""", null);

        Assert.Equal(new StartPosition("t", 0, null, 5, 3), positions[0]);
        Assert.Equal(new StartPosition("t", 1, 9, null, 0), positions[1]);
    }

    [Theory]
    [InlineData("[\"{0}\"]")]
    [InlineData("[{{\"topic\":\"a{0}\",\"partition\":0,\"offset\":1}}]")]
    public void Parse_LoneSurrogateInTheText_ThrowsInvalidLastEventId(string format)
    {
        // Built here: a lone surrogate does not survive xunit's serialisation of theory data.
        var id = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, (char)0xD800);

        Assert.Equal("invalid_last_event_id", Assert.Throws<StreamRequestException>(() => LastEventIdParser.Parse(id, null)).Type);
    }
}
