using EventStreams.Server.Streaming;

namespace EventStreams.Server.Tests.Streaming;

public sealed class SinceParserTests
{
    [Theory]
    [InlineData("1700000000000", 1700000000000L)]
    [InlineData("0", 0L)]
    [InlineData("2024-06-14T00:00:00Z", 1718323200000L)]
    [InlineData("2024-06-14T02:00:00+02:00", 1718323200000L)]
    [InlineData("2024-06-14T00:00:00.5Z", 1718323200500L)]
    [InlineData("2024-06-14", 1718323200000L)]
    public void Parse_Valid_ReturnsEpochMilliseconds(string since, long expected)
    {
        Assert.Equal(expected, SinceParser.Parse(since));
    }

    [Fact]
    public void Parse_Absent_ReturnsNull()
    {
        Assert.Null(SinceParser.Parse(null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("-1")]
    [InlineData("1e12")]
    [InlineData("99999999999999999999")]
    [InlineData("2024-02-30T00:00:00Z")]
    [InlineData("Fri, 14 Jun 2024")]
    public void Parse_Invalid_ThrowsInvalidTimestamp(string since)
    {
        var e = Assert.Throws<StreamRequestException>(() => SinceParser.Parse(since));

        Assert.Equal("invalid_timestamp", e.Type);
        Assert.Equal(400, e.Status);
    }
}
