namespace EventStreams.TestSupport;

/// <summary>The repository's root: the nearest folder above the test binaries that holds EventStreams.sln.</summary>
public static class RepoRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "EventStreams.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No EventStreams.sln above {AppContext.BaseDirectory}.");
    });

    public static string Path => Root.Value;
}
