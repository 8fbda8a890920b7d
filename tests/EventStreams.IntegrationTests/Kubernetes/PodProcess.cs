using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using EventStreams.TestSupport;

namespace EventStreams.IntegrationTests.Kubernetes;

/// <summary>
/// The published server (<c>dotnet publish</c> output, as the Dockerfile copies it to /app) run the way the rendered
/// Deployment runs its container, as far as this machine can without a container engine: the image's environment
/// (the Dockerfile's runtime ENV) plus the container's, the user of the pod's <c>runAsUser</c>, the whole file tree
/// read-only (a private mount namespace with <c>/</c> remounted read-only, like <c>readOnlyRootFilesystem</c>), a
/// fresh tmpfs for the pod's writable <c>/tmp</c> emptyDir (as <c>TMPDIR</c>: the path itself cannot be mounted over
/// here without hiding the published files), and the ConfigMap files at a folder of their own. Container ports are
/// mapped to free ports on 127.0.0.1.
/// Needs root (to make the mount namespace and change user), as CI and these machines run.
/// </summary>
public sealed class PodProcess : IAsyncDisposable
{
    private readonly ChildProcess _child;

    private PodProcess(ChildProcess child, IReadOnlyDictionary<int, int> ports)
    {
        _child = child;
        Ports = ports;
    }

    /// <summary>Container port → the port on 127.0.0.1 it listens on here.</summary>
    public IReadOnlyDictionary<int, int> Ports { get; }

    public int Pid => _child.Process.Id;

    public bool HasExited => _child.Process.HasExited;

    public string Output => _child.Output;

    public static PodProcess Start(RenderedOverlay overlay, string publishedDir, string workDir)
    {
        Assert.True(Environment.UserName == "root", "Running the published server as the pod's user in a read-only file tree needs root (CI runs as root).");
        var ports = overlay.Container["ports"]!.AsArray().ToDictionary(p => (int)p!["containerPort"]!, _ => FreePort());
        var scratch = Directory.CreateDirectory(Path.Combine(workDir, "tmp-emptydir")).FullName;
        var configMaps = MountConfigMaps(overlay, workDir);
        var env = new Dictionary<string, string>(DockerfileRuntime.Read().Env, StringComparer.Ordinal);
        foreach (var variable in overlay.Env)
        {
            env[(string)variable["name"]!] = Remap((string?)variable["value"] ?? "", ports, configMaps);
        }

        env["ASPNETCORE_URLS"] = Remap(env["ASPNETCORE_URLS"], ports, configMaps).Replace("+", "127.0.0.1", StringComparison.Ordinal);
        env["TMPDIR"] = scratch;
        env["HOME"] = scratch;
        env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        var user = (int)overlay.PodSpec["securityContext"]!["runAsUser"]!;
        var group = (int)overlay.PodSpec["securityContext"]!["runAsGroup"]!;
        var script = string.Join(" && ",
            "mount --make-rprivate /",
            "mount --bind / /",
            "mount -o remount,bind,ro /",
            $"mount -t tmpfs -o size=64m,uid={user},gid={group},mode=0700 tmpfs '{scratch}'",
            $"cd '{publishedDir}'",
            $"exec setpriv --reuid={user} --regid={group} --clear-groups env -i {string.Join(' ', env.Select(e => $"'{e.Key}={e.Value}'"))} dotnet EventStreams.Server.dll");
        return new PodProcess(ChildProcess.Start(new ProcessStartInfo("unshare", ["--mount", "sh", "-c", script])), ports);
    }

    /// <summary>GETs a path on a container port with the probe's timeout; the status, or null when there was no answer.</summary>
    public async Task<HttpStatusCode?> GetAsync(int containerPort, string path, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = timeout };
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{Ports[containerPort]}{path}"));
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync() => _child.DisposeAsync();

    /// <summary>Writes each mounted ConfigMap's files to a folder; mount path → that folder.</summary>
    private static Dictionary<string, string> MountConfigMaps(RenderedOverlay overlay, string workDir)
    {
        var mounts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var volume in overlay.PodSpec["volumes"]!.AsArray().Where(v => v!["configMap"] is not null))
        {
            var name = (string)volume!["configMap"]!["name"]!;
            var data = overlay.Objects.Single(o => (string)o["kind"]! == "ConfigMap" && (string)o["metadata"]!["name"]! == name)["data"]!.AsObject();
            var folder = Directory.CreateDirectory(Path.Combine(workDir, name)).FullName;
            foreach (var (file, content) in data)
            {
                File.WriteAllText(Path.Combine(folder, file), (string)content!);
            }

            var mountPath = (string)overlay.Container["volumeMounts"]!.AsArray().Single(m => (string)m!["name"]! == (string)volume["name"]!)!["mountPath"]!;
            mounts[mountPath] = folder;
        }

        return mounts;
    }

    /// <summary>A value as it must read here: container ports and mount paths replaced by their local counterparts.</summary>
    private static string Remap(string value, IReadOnlyDictionary<int, int> ports, IReadOnlyDictionary<string, string> mounts)
    {
        foreach (var (containerPort, local) in ports)
        {
            value = value == containerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) ? local.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : value.Replace($":{containerPort}", $":{local}", StringComparison.Ordinal);
        }

        foreach (var (mountPath, folder) in mounts)
        {
            value = value.StartsWith(mountPath + "/", StringComparison.Ordinal) ? folder + value[mountPath.Length..] : value;
        }

        return value;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
