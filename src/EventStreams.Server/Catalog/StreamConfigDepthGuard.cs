using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EventStreams.Server.Catalog;

/// <summary>
/// Walks a stream config document's parse events (YamlDotNet's parser keeps its own stack, it does not recurse)
/// and rejects one nested deeper than the limit, before the recursive deserializer sees it: a document nested
/// 10,000 levels would otherwise overflow the stack and end the process on a reload.
/// </summary>
internal static class StreamConfigDepthGuard
{
    public static void Check(string text, string source, int maxDepth)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    if (++depth > maxDepth)
                    {
                        var at = parser.Current.Start;
                        throw new StreamConfigException($"Stream config {source} is nested deeper than {maxDepth} levels (line {at.Line}, column {at.Column}).");
                    }

                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }
    }
}
