using System.Text.RegularExpressions;

namespace EventStreams.IntegrationTests.Kubernetes;

/// <summary>The final (runtime) stage of the repository's Dockerfile: what the image sets that the manifests rely on.</summary>
public sealed partial class DockerfileRuntime
{
    /// <summary><c>APP_UID</c> of the .NET runtime images (mcr.microsoft.com/dotnet/aspnet), the user <c>USER $APP_UID</c> names.</summary>
    public const int DotnetImageAppUid = 1654;

    private DockerfileRuntime(IReadOnlyList<string> instructions) => Instructions = instructions;

    /// <summary>The runtime stage's instructions, continuation lines joined, comments dropped.</summary>
    public IReadOnlyList<string> Instructions { get; }

    public IReadOnlyDictionary<string, string> Env => Instructions
        .Where(i => i.StartsWith("ENV ", StringComparison.Ordinal))
        .SelectMany(i => EnvPair().Matches(i[4..]))
        .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);

    public string Argument(string instruction) =>
        Instructions.Last(i => i.StartsWith(instruction + " ", StringComparison.Ordinal))[(instruction.Length + 1)..].Trim();

    public static DockerfileRuntime Read()
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot.Path, "Dockerfile")).Replace("\\\n", " ", StringComparison.Ordinal);
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var stage = lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal));
        return new DockerfileRuntime(lines[stage..]);
    }

    [GeneratedRegex("""([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)""")]
    private static partial Regex EnvPair();
}
