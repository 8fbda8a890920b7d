using EventStreams.Server.Streaming;

namespace EventStreams.Server.Tests.Streaming;

public sealed class AddedPartitionsTests
{
    [Theory]
    [InlineData(new int[0], 0)] // a topic the id does not name (created after it was written): all of it
    [InlineData(new[] { 0 }, 1)] // one partition known: partitions added after it
    [InlineData(new[] { 0, 1, 2 }, 3)]
    [InlineData(new[] { 0, 2 }, 3)] // partition 1 left out on purpose stays out
    [InlineData(new[] { 2 }, 3)]
    public void FirstUnknown_AfterTheHighestKnownPartitionOfTheTopic(int[] known, int first)
    {
        var partitions = known.Select(p => ("t", p)).Append(("other", 7));

        Assert.Equal(first, AddedPartitions.FirstUnknown("t", partitions));
    }
}
