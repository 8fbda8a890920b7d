using System.Text.RegularExpressions;

namespace EventStreams.Server.Tests.Architecture;

/// <summary>
/// The server's folders (= namespaces) and which uses which, read from the sources' <c>namespace</c> and
/// <c>using EventStreams.Server.*</c> lines (and fully qualified names): the graph docs/ARCHITECTURE.md states.
/// </summary>
public sealed partial class FolderGraphTests
{
    private static readonly Lazy<Dictionary<string, HashSet<string>>> Graph = new(Read);

    [Fact]
    public void Folders_HaveNoCycle()
    {
        var cycle = FindCycle(Graph.Value);

        Assert.True(cycle is null, $"folder cycle: {string.Join(" -> ", cycle ?? [])}");
    }

    /// <summary>The leaves every folder may use: the routes, the problem vocabulary, diagnostics (which uses only the routes).</summary>
    [Theory]
    [InlineData("Routes")]
    [InlineData("Problems")]
    [InlineData("Diagnostics", "Routes")]
    public void LeafFolder_UsesOnlyTheLeavesBelowIt(string leaf, params string[] below)
    {
        Assert.Contains(leaf, Graph.Value.Keys);
        Assert.Subset(new HashSet<string>(below), Graph.Value[leaf]);
    }

    [Fact]
    public void Kafka_UsesOnlyCatalogAndLeaves()
    {
        Assert.Subset(new HashSet<string>(["Catalog", "Diagnostics", "Problems", "Routes", "Transports/Compression"]), Graph.Value["Kafka"]);
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var path = new List<string>();
        List<string>? Visit(string folder)
        {
            state[folder] = 1;
            path.Add(folder);
            foreach (var next in graph.GetValueOrDefault(folder) ?? [])
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.SkipWhile(f => f != next), next];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[folder] = 2;
            return null;
        }

        return graph.Keys.Where(f => state.GetValueOrDefault(f) == 0).Select(Visit).FirstOrDefault(c => c is not null);
    }

    private static Dictionary<string, HashSet<string>> Read()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "EventStreams.sln")))
        {
            root = root.Parent;
        }

        var source = Path.Combine(root!.FullName, "src", "EventStreams.Server");
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            if (NamespaceLine().Match(text) is not { Success: true } ns || ns.Groups[1].Value.Length == 0)
            {
                continue;
            }

            var folder = ns.Groups[1].Value.Replace('.', '/');
            var uses = graph.TryGetValue(folder, out var known) ? known : graph[folder] = new(StringComparer.Ordinal);
            foreach (Match used in QualifiedName().Matches(text))
            {
                // The longest leading part that is a folder: EventStreams.Server.Streaming.EventIds.EventIdWriter → Streaming/EventIds.
                var segments = used.Groups[1].Value.Split('.');
                var target = Enumerable.Range(1, segments.Length).Reverse().Select(n => string.Join('/', segments.Take(n)))
                    .FirstOrDefault(candidate => Directory.Exists(Path.Combine(source, candidate)));
                if (target is not null && target != folder)
                {
                    uses.Add(target);
                }
            }
        }

        return graph;
    }

    [GeneratedRegex(@"^namespace EventStreams\.Server\.?([\w.]*);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"(?<!namespace )\bEventStreams\.Server\.([\w.]+)")]
    private static partial Regex QualifiedName();
}
