namespace EventStreams.Server.Demo;

/// <summary>FNV-1a over a string: stable across processes, unlike <c>string.GetHashCode</c>.</summary>
internal static class DemoHash
{
    public static uint Of(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
