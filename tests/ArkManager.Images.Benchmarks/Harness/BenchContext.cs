using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ArkManager.Images.Benchmarks.Harness;

/// <summary>Sizes of one run: the full suite, or the smoke that only proves the harness still runs every row.</summary>
internal sealed record BenchSizes(string Name, int CheckImages, int PullMiB, int PullLayers, int VolumeMiB, int ColdStartPairs, int CheckPairs, int PullPairs, int BackupPairs, int UpdatePairs)
{
    public static BenchSizes Smoke { get; } = new("smoke", 3, 4, 2, 4, 1, 1, 1, 1, 1);

    public static BenchSizes Full(int pullMiB, int volumeMiB) => new("full", 100, pullMiB, 5, volumeMiB, 7, 5, 3, 3, 3);
}

/// <summary>Everything a scenario needs: the sandbox's endpoints, the module, pwsh, the docker CLI, a work directory.</summary>
internal sealed class BenchContext
{
    public BenchContext(string sandboxDir, string modulePath, string workDir, BenchSizes sizes)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(sandboxDir, "sandbox.json")))!;
        DockerHost = json["dockerHost"]!.GetValue<string>();
        Registry = json["registry"]!.GetValue<string>();
        ImageV1 = json["images"]!["v1"]!.GetValue<string>();
        ImageV2 = json["images"]!["v2"]!.GetValue<string>();
        ModulePath = Path.GetFullPath(modulePath);
        WorkDir = Path.GetFullPath(workDir);
        Sizes = sizes;
        Directory.CreateDirectory(WorkDir);
        PwshDll = FindPwsh();
    }

    public string DockerHost { get; }
    public string Registry { get; }
    public string ImageV1 { get; }
    public string ImageV2 { get; }
    public string ModulePath { get; }
    public string WorkDir { get; }
    public BenchSizes Sizes { get; }
    public string PwshDll { get; }
    public string Manifest => Path.Combine(ModulePath, "ArkManager.Images.psd1");

    public IPEndPoint RegistryEndPoint
    {
        get
        {
            var parts = Registry.Split(':');
            return new IPEndPoint(IPAddress.Parse(parts[0]), int.Parse(parts[1]));
        }
    }

    public string SocketPath => DockerHost.Substring("unix://".Length);

    public Dictionary<string, string> DockerEnv => new() { ["DOCKER_HOST"] = DockerHost, ["DOCKER_BUILDKIT"] = "0", ["DOCKER_CLI_HINTS"] = "false" };

    public ProcResult Docker(params string[] args) => Proc.Run("docker", args, DockerEnv);

    public string DockerOk(params string[] args) => Docker(args).EnsureSuccess("docker " + string.Join(' ', args)).Stdout.Trim();

    /// <summary>Runs pwsh (the repository's tool, through `dotnet pwsh.dll`, the same way for ours and the anchor).</summary>
    public ProcResult Pwsh(string command, IDictionary<string, string>? env = null)
    {
        var all = new Dictionary<string, string>(DockerEnv) { ["POWERSHELL_TELEMETRY_OPTOUT"] = "1", ["POWERSHELL_UPDATECHECK"] = "Off" };
        if (env != null)
        {
            foreach (var (k, v) in env)
            {
                all[k] = v;
            }
        }

        return Proc.Run("dotnet", new[] { PwshDll, "-NoProfile", "-NonInteractive", "-Command", command }, all);
    }

    /// <summary>Runs a pwsh script that prints one line `BENCH {json}`; returns that object.</summary>
    public JsonElement PwshBench(string command, IDictionary<string, string>? env = null)
    {
        var result = Pwsh(command, env);
        var line = result.Stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("BENCH ", StringComparison.Ordinal));
        if (result.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"pwsh scenario failed ({result.ExitCode}): {result.Stderr.Trim()} {Tail(result.Stdout)}");
        }

        return JsonDocument.Parse(line.Substring(6)).RootElement.Clone();
    }

    /// <summary>Writes a module configuration file (docker host, required images, a state directory of its own).</summary>
    public string WriteConfig(string name, IEnumerable<string> requiredImages, int? maxConcurrentChecks = null)
    {
        var path = Path.Combine(WorkDir, name + ".json");
        var config = new Dictionary<string, object>
        {
            ["dockerHost"] = DockerHost,
            ["requiredImages"] = requiredImages.ToArray(),
            ["stateDirectory"] = Path.Combine(WorkDir, "state-" + name),
        };
        if (maxConcurrentChecks is int m)
        {
            config["maxConcurrentChecks"] = m;
        }

        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    public static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

    private static string Tail(string s) => s.Length > 2000 ? s.Substring(s.Length - 2000) : s;

    private static string FindPwsh()
    {
        var result = Proc.Run("dotnet", new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", "Join-Path $PSHOME pwsh.dll" }, workingDirectory: RepoRoot());
        result.EnsureSuccess("dotnet pwsh");
        return result.Stdout.Trim();
    }

    public static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir != null && !File.Exists(Path.Combine(dir, "ArkManager.Images.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? Environment.CurrentDirectory;
    }
}
