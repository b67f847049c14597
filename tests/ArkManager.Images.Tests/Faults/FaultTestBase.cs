using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using ArkManager.Images.Tests.Infrastructure;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;

namespace ArkManager.Images.Tests.Faults;

/// <summary>A running stand-in server with a named volume (seeded with text and random bytes) and a bind mount, on any engine.</summary>
public sealed record FaultServer(string Name, string Image, string Bind, string Volume, string VolumeHash, string OldImageId);

/// <summary>Base of the fault suite: servers to break, volume hashes, runner processes and history checks.</summary>
public abstract class FaultTestBase : SandboxTestBase
{
    /// <summary>Runs the docker CLI against <paramref name="host"/>; throws with its output when it fails.</summary>
    public static string DockerOn(string host, params string[] args)
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-H");
        psi.ArgumentList.Add(host);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOCKER_BUILDKIT"] = "0";
        psi.Environment.Remove("DOCKER_TLS_VERIFY");
        psi.Environment.Remove("DOCKER_CERT_PATH");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(true);
            throw new TimeoutException("docker " + string.Join(' ', args) + " did not finish in 120 s");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker -H {host} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}{stdout.Result}");
        }

        return stdout.Result.Trim();
    }

    /// <summary>A digest of every path and every file's bytes in the volume (read by a throw-away container of <paramref name="helperImage"/>).</summary>
    public static string HashVolume(string host, string volume, string helperImage)
    {
        var listing = DockerOn(host, "run", "--rm", "--network", "none", "-v", volume + ":/v:ro", "--entrypoint", "/bin/sh", helperImage, "-c",
            "cd /v && busybox find . | busybox sort && busybox find . -type f | busybox sort | while read f; do busybox sha256sum \"$f\"; done");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(listing)));
    }

    /// <summary>Creates and starts a server on the sandbox engine through the library, with seeded data, and waits for its readiness line.</summary>
    protected async Task<FaultServer> StartServerAsync(ArkImageManager manager, string image, string prefix, string restartPolicy = "no", int extraBytes = 0)
    {
        await manager.PullImageAsync(image);
        var name = UniqueName(prefix);
        var bind = TempDir("saved");
        var volume = "vol-" + name;
        TrackContainer(name);
        TrackContainer(name + "-ark-new");
        TrackContainer(name + "-ark-old");
        TrackVolume(volume);
        SeedVolume(Sandbox, volume, "settings-" + name);
        Sandbox.Docker("run", "--rm", "--network", "none", "-v", volume + ":/v", "--entrypoint", "/bin/sh", Sandbox.ImageV1,
            "-c", $"busybox head -c {200000 + extraBytes} /dev/urandom > /v/blob.bin && busybox mkdir -p /v/sub && echo nested > /v/sub/n.txt");
        await manager.NewServerAsync(Spec(name, image, bind, volume) with { RestartPolicy = restartPolicy });
        await manager.StartServerAsync(name);
        await WaitForLogAsync(Sandbox, name, "advertising for join", TimeSpan.FromSeconds(30));
        File.WriteAllText(Path.Combine(bind, "Player.arkprofile"), "profile-" + name);
        var oldImageId = ContainerField(Sandbox, name, "{{.Image}}");
        return new FaultServer(name, image, bind, volume, HashVolume(Sandbox.DockerHost, volume, Sandbox.ImageV1), oldImageId);
    }

    private readonly List<string> _volumes = new();

    /// <summary>Runs a host command (mount, openssl, ...); throws with its output when it fails.</summary>
    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            throw new TimeoutException(file + " did not finish in 60 s");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}{stdout.Result}");
        }

        return stdout.Result + stderr.Result;
    }

    protected void TrackVolume(string volume) => _volumes.Add(volume);

    protected IEnumerable<string> RunnerArgs(ArkImageManager manager, string image, params string[] extra) =>
        new[] { Sandbox.DockerHost, manager.Options.StateDirectory!, image }.Concat(extra);

    /// <summary>The end state every fault must leave: running, same name, image old or new, nothing left aside, data byte-identical.</summary>
    protected void AssertServerIntact(FaultServer server, params string[] allowedImageIds)
    {
        Assert.Equal("true", ContainerField(Sandbox, server.Name, "{{.State.Running}}"));
        Assert.Equal("/" + server.Name, ContainerField(Sandbox, server.Name, "{{.Name}}"));
        Assert.Contains(ContainerField(Sandbox, server.Name, "{{.Image}}"), allowedImageIds);
        Assert.False(ContainerExists(Sandbox, server.Name + "-ark-new"), "the temporary container must be gone");
        Assert.False(ContainerExists(Sandbox, server.Name + "-ark-old"), "the aside container must be gone");
        Assert.Equal(server.VolumeHash, HashVolume(Sandbox.DockerHost, server.Volume, Sandbox.ImageV1));
        Assert.Equal("profile-" + server.Name, File.ReadAllText(Path.Combine(server.Bind, "Player.arkprofile")));
    }

    protected static async Task<IReadOnlyList<UpdateOutcome>> OutcomesAsync(ArkImageManager manager, string server) =>
        (await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = server })).Select(h => h.Outcome).ToList();

    protected static string Id(string test, params object[] parts) => test + "(" + string.Join(",", parts) + ")";

    protected static void Record(string test, params (string Kind, int Count)[] counts) =>
        FaultFigures.Record(test, counts.ToDictionary(c => c.Kind, c => c.Count));

    protected override void Cleanup()
    {
        foreach (var v in _volumes)
        {
            Sandbox.TryDocker("volume", "rm", "-f", v);
        }
    }
}
