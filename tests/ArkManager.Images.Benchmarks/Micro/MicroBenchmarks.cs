using System.Text;
using ArkManager.Images.Backups;
using ArkManager.Images.Backups.Tar;
using ArkManager.Images.Configuration;
using ArkManager.Images.Docker;
using BenchmarkDotNet.Attributes;
using Docker.DotNet.Models;
using Version = System.Version;

namespace ArkManager.Images.Benchmarks.Micro;

/// <summary>Tar writer and reader throughput: 64 entries of 1 MiB.</summary>
[MemoryDiagnoser]
public class TarBenchmarks
{
    private const int Entries = 64;
    private readonly byte[] _data = new byte[1 << 20];
    private byte[] _archive = Array.Empty<byte>();
    private readonly byte[] _buffer = new byte[1 << 20];

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_data);
        var stream = new MemoryStream();
        WriteAsync(stream).GetAwaiter().GetResult();
        _archive = stream.ToArray();
    }

    [Benchmark(Description = "TarWriter: 64 × 1 MiB")]
    public Task Write() => WriteAsync(Stream.Null);

    [Benchmark(Description = "TarReader: 64 × 1 MiB")]
    public async Task<long> Read()
    {
        var reader = new TarReader(new MemoryStream(_archive, false));
        long total = 0;
        while (await reader.GetNextEntryAsync(CancellationToken.None) != null)
        {
            int n;
            while ((n = await reader.ReadDataAsync(_buffer, 0, _buffer.Length, CancellationToken.None)) > 0)
            {
                total += n;
            }
        }

        return total;
    }

    private async Task WriteAsync(Stream output)
    {
        var writer = new TarWriter(output);
        for (var i = 0; i < Entries; i++)
        {
            await writer.WriteEntryAsync(new TarEntry { Name = $"vol/save{i:000}.ark", Type = TarEntryType.RegularFile, Mode = 0x1A4, ModTime = 1_700_000_000, Size = _data.Length }, new MemoryStream(_data, false), CancellationToken.None);
        }

        await writer.FinishAsync(CancellationToken.None);
    }
}

/// <summary>SHA-256 pass-through hashing of 64 MiB.</summary>
[MemoryDiagnoser]
public class HashingBenchmarks
{
    private readonly byte[] _chunk = new byte[1 << 20];

    [GlobalSetup]
    public void Setup() => new Random(2).NextBytes(_chunk);

    [Benchmark(Description = "HashingStream: write 64 MiB")]
    public async Task<string> Hash()
    {
        using var hashing = new HashingStream(Stream.Null, leaveOpen: true);
        for (var i = 0; i < 64; i++)
        {
            await hashing.WriteAsync(_chunk, 0, _chunk.Length, CancellationToken.None);
        }

        return hashing.Finish();
    }
}

/// <summary>The recreate-spec builder on a rich server container.</summary>
[MemoryDiagnoser]
public class RecreateSpecBenchmarks
{
    private ContainerInspectResponse _old = null!;
    private ImageInspectResponse _oldImage = null!;
    private ImageInspectResponse _newImage = null!;

    [GlobalSetup]
    public void Setup()
    {
        _oldImage = Image("sha256:old", "v1");
        _newImage = Image("sha256:new", "v2");
        _old = new ContainerInspectResponse
        {
            ID = new string('a', 64),
            Name = "/island",
            Image = "sha256:old",
            State = new State { Running = true, Status = "running" },
            Config = new ContainerConfig
            {
                Hostname = "aaaaaaaaaaaa",
                Image = "registry/ark:v1",
                Env = new List<string> { "PATH=/bin", "ARK_IMAGE_VARIANT=v1", "MAP=Ragnarok", "SESSION=My island" },
                Entrypoint = new List<string> { "/ark/server" },
                StopSignal = "SIGTERM",
                StopTimeout = TimeSpan.FromSeconds(300),
                Labels = new Dictionary<string, string> { ["org.opencontainers.image.version"] = "v1", ["io.arkmanager.server"] = "island" },
                ExposedPorts = new Dictionary<string, EmptyStruct> { ["7777/udp"] = default, ["27020/tcp"] = default },
                Volumes = new Dictionary<string, EmptyStruct> { ["/ark/ShooterGame/Saved"] = default },
            },
            HostConfig = new HostConfig
            {
                NetworkMode = "netA",
                Binds = new List<string> { "ark-cluster:/ark/cluster", "/srv/ark/config:/ark/config:ro" },
                Memory = 536870912,
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
                PortBindings = new Dictionary<string, IList<PortBinding>> { ["7777/udp"] = new List<PortBinding> { new() { HostIP = "0.0.0.0", HostPort = "7777" } } },
                LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = "5m" } },
                MaskedPaths = RecreateSpec.DefaultMaskedPathsCore.ToList(),
                ReadonlyPaths = RecreateSpec.DefaultReadonlyPaths.ToList(),
            },
            Mounts = new List<MountPoint>
            {
                new() { Type = "volume", Name = "saved", Source = "/var/lib/docker/volumes/saved/_data", Destination = "/ark/ShooterGame/Saved", Driver = "local", RW = true },
                new() { Type = "volume", Name = "ark-cluster", Source = "/var/lib/docker/volumes/ark-cluster/_data", Destination = "/ark/cluster", Driver = "local", RW = true },
                new() { Type = "bind", Source = "/srv/ark/config", Destination = "/ark/config", RW = false, Propagation = "rprivate" },
            },
            NetworkSettings = new NetworkSettings
            {
                Networks = new Dictionary<string, EndpointSettings>
                {
                    ["netA"] = new() { NetworkID = "n1", IPAMConfig = new EndpointIPAMConfig { IPv4Address = "10.231.17.50" }, Aliases = new List<string> { "island-a" }, IPAddress = "10.231.17.50" },
                },
            },
        };
    }

    [Benchmark(Description = "RecreateSpec.Build")]
    public object Build() => RecreateSpec.Build(_old, _oldImage, _newImage, "registry/ark:v2", "island-ark-new", new Version(1, 41));

    private static ImageInspectResponse Image(string id, string variant) => new()
    {
        ID = id,
        Config = new DockerOCIImageConfig
        {
            Env = new List<string> { "PATH=/bin", "ARK_IMAGE_VARIANT=" + variant },
            Entrypoint = new List<string> { "/ark/server" },
            StopSignal = "SIGTERM",
            Labels = new Dictionary<string, string> { ["org.opencontainers.image.version"] = variant },
            ExposedPorts = new Dictionary<string, EmptyStruct> { ["7777/udp"] = default },
            Volumes = new Dictionary<string, EmptyStruct> { ["/ark/ShooterGame/Saved"] = default },
        },
    };
}

/// <summary>The configuration file parser on a typical file.</summary>
[MemoryDiagnoser]
public class ConfigBenchmarks
{
    private readonly byte[] _file = Encoding.UTF8.GetBytes(@"{
  // the host's ARK servers
  ""requiredImages"": [""tbro98/ase-server:latest"", ""registry.example.com/ark/ase:v2"", ""127.0.0.1:5000/ark/asa:latest""],
  ""dockerHost"": ""unix:///var/run/docker.sock"",
  ""insecureRegistries"": [""127.0.0.1:5000""],
  ""stateDirectory"": ""/var/lib/arkmanager"",
  ""connectTimeoutSeconds"": 5,
  ""registryTimeoutSeconds"": 15,
  ""maxConcurrentChecks"": 8,
}");

    [Benchmark(Description = "ConfigFileReader.Parse")]
    public ArkManagerOptions Parse() => ConfigFileReader.Parse("/etc/arkmanager/config.json", _file);
}
