using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ArkManager.Images.Tests.Infrastructure;

/// <summary>
/// The sandbox engine started by tests/sandbox/sandbox.sh: a real dockerd on a private socket and real registries on
/// loopback. Its endpoints are read from sandbox.json (ARKMANAGER_SANDBOX_DIR, default /tmp/arkmgr-sandbox); nothing
/// here hard-codes a socket path or a port.
/// </summary>
public sealed class Sandbox
{
    private static readonly Lazy<Sandbox> Lazy = new(Load);

    private Sandbox(JsonElement root, string directory)
    {
        Directory = directory;
        DockerHost = root.GetProperty("dockerHost").GetString()!;
        Registry = root.GetProperty("registry").GetString()!;
        RegistryLog = root.GetProperty("registryLog").GetString()!;
        AuthRegistry = root.GetProperty("authRegistry").GetString()!;
        AuthRegistryLog = root.GetProperty("authRegistryLog").GetString()!;
        TokenRealm = root.GetProperty("tokenRealm").GetString()!;
        TokenPort = root.GetProperty("tokenPort").GetInt32();
        TokenService = root.GetProperty("tokenService").GetString()!;
        TokenIssuer = root.GetProperty("tokenIssuer").GetString()!;
        TokenCert = root.GetProperty("tokenCert").GetString()!;
        TokenKey = root.GetProperty("tokenKey").GetString()!;
        FixtureBuildDir = root.GetProperty("fixtureBuildDir").GetString()!;
        var images = root.GetProperty("images");
        ImageV1 = images.GetProperty("v1").GetString()!;
        ImageV2 = images.GetProperty("v2").GetString()!;
        ImageBroken = images.GetProperty("broken").GetString()!;
        ImageHang = images.GetProperty("hang").GetString()!;
        ImageUnhealthy = images.GetProperty("unhealthy").GetString()!;
        ImageLatest = images.GetProperty("latest").GetString()!;
    }

    public static Sandbox Current => Lazy.Value;

    public string Directory { get; }
    public string DockerHost { get; }
    public string Registry { get; }
    public string RegistryLog { get; }
    public string AuthRegistry { get; }
    public string AuthRegistryLog { get; }
    public string TokenRealm { get; }
    public int TokenPort { get; }
    public string TokenService { get; }
    public string TokenIssuer { get; }
    public string TokenCert { get; }
    public string TokenKey { get; }
    public string FixtureBuildDir { get; }
    public string ImageV1 { get; }
    public string ImageV2 { get; }
    public string ImageBroken { get; }
    /// <summary>A stand-in that never prints its readiness line.</summary>
    public string ImageHang { get; }
    /// <summary>A stand-in whose image healthcheck always fails.</summary>
    public string ImageUnhealthy { get; }
    public string ImageLatest { get; }

    /// <summary>A repository name no other test uses, in the sandbox registry (e.g. 127.0.0.1:5000/tbro98/t-ab12cd).</summary>
    public string UniqueRepository(string prefix = "t") =>
        $"{Registry}/tbro98/{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    /// <summary>Runs the docker CLI against the sandbox daemon; throws with its output when it fails.</summary>
    public string Docker(params string[] args)
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-H");
        psi.ArgumentList.Add(DockerHost);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOCKER_BUILDKIT"] = "0";
        psi.Environment["DOCKER_CLI_HINTS"] = "false";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(300_000))
        {
            p.Kill(true);
            throw new TimeoutException("docker " + string.Join(' ', args) + " did not finish in 300 s");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}{stdout.Result}");
        }

        return stdout.Result.Trim();
    }

    /// <summary>Copies a fixture variant (v1, v2, broken, hang, unhealthy) to another repository:tag in the registry (pull, tag, push, untag), leaving the daemon as it was.</summary>
    public void PushVariant(string variant, string target)
    {
        var source = variant switch
        {
            "v1" => ImageV1,
            "v2" => ImageV2,
            "broken" => ImageBroken,
            "hang" => ImageHang,
            "unhealthy" => ImageUnhealthy,
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        lock (PushLock)
        {
            PushVariantLocked(source, target);
        }
    }

    private static readonly object PushLock = new();

    // The fixture tags (v1, v2, broken) stay pulled locally: tests running in parallel share them.
    private void PushVariantLocked(string source, string target)
    {
        var previousTargetId = ImageExists(target) ? Docker("image", "inspect", "--format", "{{.Id}}", target) : null;
        Docker("pull", "-q", source);
        Docker("tag", source, target);
        Docker("push", target);
        if (previousTargetId is null)
        {
            Docker("rmi", target);
        }
        else
        {
            // Put the local tag back where it was: only the registry changed, as when someone else publishes.
            Docker("tag", previousTargetId, target);
        }
    }

    /// <summary>Builds v1 plus a layer of unique random bytes and pushes it as <paramref name="target"/>; nothing stays local.</summary>
    public void PushUniqueImage(string target)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("ark-unique-").FullName;
        try
        {
            lock (PushLock)
            {
                Docker("pull", "-q", ImageV1);
            }

            File.WriteAllBytes(Path.Combine(dir, "unique.bin"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(256 * 1024));
            File.WriteAllText(Path.Combine(dir, "Dockerfile"), $"FROM {ImageV1}\nCOPY unique.bin /unique.bin\n");
            Docker("build", "-q", "-t", target, dir);
            Docker("push", target);
            Docker("rmi", target);
        }
        finally
        {
            System.IO.Directory.Delete(dir, true);
        }
    }

    public bool ImageExists(string reference)
    {
        try
        {
            Docker("image", "inspect", "--format", "{{.Id}}", reference);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public void TryDocker(params string[] args)
    {
        try
        {
            Docker(args);
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>The registry log lines (method and URI) that mention <paramref name="repository"/> (path part, e.g. tbro98/t-ab12cd).</summary>
    public static IReadOnlyList<RegistryRequest> RequestsFor(string logPath, string repositoryPath)
    {
        var result = new List<RegistryRequest>();
        if (!File.Exists(logPath))
        {
            return result;
        }

        using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var pattern = new Regex("http\\.request\\.method=(?<m>[A-Z]+).*?http\\.request\\.uri=\"?(?<u>[^\"\\s]+)\"?");
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            if (!line.Contains("/v2/" + repositoryPath + "/", StringComparison.Ordinal))
            {
                continue;
            }

            var m = pattern.Match(line);
            if (m.Success)
            {
                result.Add(new RegistryRequest(m.Groups["m"].Value, m.Groups["u"].Value, line));
            }
        }

        return result;
    }

    /// <summary>
    /// The registry log's requests for <paramref name="repositoryPath"/> once they satisfy <paramref name="until"/>:
    /// the waiting log reader. The registry writes its log after each answer, so a test waits for a request it knows
    /// was sent (its positive control: e.g. a real pull) before it reads what happened in the window before it.
    /// Throws when the log has not shown it within <paramref name="timeout"/> (default 30 s).
    /// </summary>
    public static IReadOnlyList<RegistryRequest> WaitForRequests(string logPath, string repositoryPath, Func<IReadOnlyList<RegistryRequest>, bool> until, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var requests = RequestsFor(logPath, repositoryPath);
            if (until(requests))
            {
                return requests;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The registry log {logPath} did not show the awaited request for {repositoryPath}; it has {requests.Count}: "
                    + string.Join(", ", requests.TakeLast(10).Select(r => r.Method + " " + r.Uri)));
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>The manifest digest (sha256:…) of <paramref name="localImage"/> as the registry holds it (from the daemon's RepoDigests of a pushed or pulled image).</summary>
    public string RepoDigestOf(string localImage) =>
        Docker("image", "inspect", "--format", "{{range .RepoDigests}}{{.}} {{end}}", localImage).Split(' ', StringSplitOptions.RemoveEmptyEntries)[0].Split('@')[1];

    private static Sandbox Load()
    {
        var dir = Environment.GetEnvironmentVariable("ARKMANAGER_SANDBOX_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            dir = "/tmp/arkmgr-sandbox";
        }

        var file = Path.Combine(dir, "sandbox.json");
        if (!File.Exists(file))
        {
            throw new InvalidOperationException(
                $"The sandbox engine is not running ({file} is missing). Start it with: dotnet cake --target=Sandbox (or bash tests/sandbox/sandbox.sh start).");
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        return new Sandbox(doc.RootElement.Clone(), dir);
    }
}

public sealed record RegistryRequest(string Method, string Uri, string Line)
{
    public bool IsManifest => Uri.Contains("/manifests/", StringComparison.Ordinal);
    public bool IsBlob => Uri.Contains("/blobs/", StringComparison.Ordinal);
}
