using System.Reflection;
using System.Runtime.InteropServices;

namespace EventStreams.Server.Kafka;

/// <summary>
/// Makes Confluent.Kafka (and our mock-cluster P/Invokes) load the librdkafka that ships in the
/// librdkafka.redist package. On Debian the package's plain <c>librdkafka.so</c> needs
/// <c>libsasl2.so.3</c>, which Debian lacks; the <c>centos8-</c> build beside it loads fine.
/// </summary>
internal static class LibrdkafkaLoader
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<Assembly> Registered = [];
    private static nint _handle;

    public static void EnsureRegistered()
    {
        Register(typeof(Confluent.Kafka.Library).Assembly);
        Register(typeof(LibrdkafkaLoader).Assembly);
    }

    private static void Register(Assembly assembly)
    {
        lock (Gate)
        {
            if (Registered.Add(assembly))
            {
                NativeLibrary.SetDllImportResolver(assembly, Resolve);
            }
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!name.Contains("rdkafka", StringComparison.Ordinal))
        {
            return 0;
        }

        lock (Gate)
        {
            if (_handle == 0)
            {
                _handle = LoadPackaged();
            }

            return _handle;
        }
    }

    private static nint LoadPackaged()
    {
        if (!OperatingSystem.IsLinux())
        {
            return NativeLibrary.Load("librdkafka", typeof(LibrdkafkaLoader).Assembly, null);
        }

        var arch = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var dir = Path.Combine(AppContext.BaseDirectory, "runtimes", arch, "native");
        foreach (var file in new[] { "centos8-librdkafka.so", "librdkafka.so" })
        {
            var path = Path.Combine(dir, file);
            if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException($"librdkafka was not found in {dir}; restore the librdkafka.redist package.");
    }
}
