using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ArkManager.Images.Docker;
using ArkManager.Images.Servers;
using ArkManager.Images.Tests.Infrastructure;
using Docker.DotNet;
using Docker.DotNet.Models;
using Xunit.Abstractions;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;
using Version = System.Version;

namespace ArkManager.Images.Tests.Updates;

/// <summary>
/// The "Fidelity" requirement end to end, through the public <see cref="ArkImageManager.UpdateImageAsync"/>: a RICH server
/// container made by the docker CLI from v1 (two internal networks with aliases and a static IP, a bind mount, a named and an anonymous
/// volume, env overrides, compose labels, a healthcheck, restart policy, resources, ulimits, caps, tmpfs, stop timeout/signal, hostname,
/// init, log options) is updated to v2 pushed under the same tag; the replacement must be the same server in every user setting and hold
/// the same bytes in every volume, and the old one must have been stopped with its own signal within its own timeout.
/// </summary>
[Trait("Category", "Integration")]
public sealed class UpdateFidelityTests : SandboxTestBase
{
    private static readonly Version Api = new(1, 41);
    private const string BindTarget = "/ark/ShooterGame/Saved/SavedArks";
    private const string NamedTarget = "/ark/ShooterGame/Saved/Config";
    private const string AnonymousTarget = "/ark/anon";
    private const string HealthCmd = "test -f /ark/ShooterGame/Saved/SavedArks/TheIsland.ark || test -f /ark/ready";

    private readonly ITestOutputHelper _output;

    public UpdateFidelityTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Update_recreates_a_rich_cli_made_server_faithfully_on_the_new_image_with_every_volume_byte()
    {
        var watch = Stopwatch.StartNew();
        var reference = PushFresh("v1");
        using var manager = CreateManager(reference);
        await manager.PullImageAsync(reference);

        var id = Guid.NewGuid().ToString("N")[..8];
        var name = "ark-fid-" + id;
        var namedVolume = name + "-config";
        var bindDir = TempDir("fidelity-bind");
        var networks = new List<string>();
        string? anonymousVolume = null;
        string? oldId = null;
        TrackImage(reference[..reference.LastIndexOf(':')] + ":" + "ark-rollback-" + name);

        using var client = new DockerClientBuilder().WithEndpoint(new Uri(Sandbox.DockerHost)).WithApiVersion(Api).Build();
        try
        {
            var (netA, subnetA) = CreateInternalNetwork("ark-fid-" + id + "-a");
            networks.Add(netA);
            var (netB, _) = CreateInternalNetwork("ark-fid-" + id + "-b");
            networks.Add(netB);
            var staticIp = subnetA + ".42";
            Sandbox.Docker("volume", "create", namedVolume);

            Sandbox.Docker(
                "create", "--name", name,
                "--network", netA, "--ip", staticIp, "--network-alias", "island-a", "--network-alias", "island-a2",
                "-v", bindDir + ":" + BindTarget,
                "-v", namedVolume + ":" + NamedTarget,
                "-v", AnonymousTarget,
                "-e", "ARK_STARTUP_DELAY=0.5", "-e", "ARK_SAVE_INTERVAL=3600", "-e", "ARK_SHUTDOWN_SAVE_SECONDS=3",
                "-e", "ARK_READY_FILE=/ark/ready", "-e", "SESSION_NAME=Fidelity island",
                "-l", ServerLabels.Server + "=" + name, "-l", ServerLabels.Image + "=" + reference,
                "-l", "com.docker.compose.project=ark", "-l", "com.docker.compose.service=island", "-l", "owner=fidelity-test",
                "--health-cmd", HealthCmd, "--health-interval", "1s",
                "--restart", "unless-stopped",
                "--memory", "256m",
                "--ulimit", "nofile=10000:20000",
                "--cap-add", "SYS_NICE",
                "--tmpfs", "/ark/tmp:size=16m",
                "--stop-timeout", "45", "--stop-signal", "SIGINT",
                "--hostname", "island-host",
                "--init",
                "--log-opt", "max-size=5m",
                reference);
            Sandbox.Docker("network", "connect", "--alias", "island-b", netB, name);
            Sandbox.Docker("start", name);
            var running = await WaitForContainerAsync(client, name, c => c.State?.Running == true && c.State.Health?.Status == "healthy", TimeSpan.FromSeconds(60));
            oldId = running.ID;

            // A distinct file in every volume, written by the running old server; their SHA-256 as seen inside it.
            var files = new Dictionary<string, (string Path, string Content)>
            {
                ["bind"] = (BindTarget + "/fidelity-bind.txt", "bind-" + Guid.NewGuid().ToString("N")),
                ["named"] = (NamedTarget + "/fidelity-named.txt", "named-" + Guid.NewGuid().ToString("N")),
                ["anonymous"] = (AnonymousTarget + "/fidelity-anonymous.txt", "anonymous-" + Guid.NewGuid().ToString("N")),
            };
            var hashes = new Dictionary<string, string>();
            foreach (var (kind, file) in files)
            {
                Sandbox.Docker("exec", name, "/bin/sh", "-c", $"echo '{file.Content}' > {file.Path}");
                hashes[kind] = Sha256In(name, file.Path);
                Assert.Equal(Sha256Hex(file.Content + "\n"), hashes[kind]);
            }

            Assert.Equal(hashes["bind"], Sha256Hex(File.ReadAllText(Path.Combine(bindDir, "fidelity-bind.txt"))));
            Assert.Equal(3, hashes.Values.Distinct().Count());

            // The snapshot of the old server, taken while it runs (addresses and MACs only show then), and the two images.
            var old = await client.Containers.InspectContainerAsync(name);
            anonymousVolume = old.Mounts.Single(m => m.Destination == AnonymousTarget).Name;
            Assert.Matches("^[0-9a-f]{64}$", anonymousVolume);
            var v1 = await client.Images.InspectImageAsync(old.Image);
            Assert.Equal("healthy", old.State!.Health!.Status);

            var server = Assert.Single(await manager.GetServersAsync(), s => s.Name == name);
            Assert.Equal(oldId, server.ContainerId);

            Sandbox.PushVariant("v2", reference);
            var since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds();
            var updateWatch = Stopwatch.StartNew();
            var result = await manager.UpdateImageAsync(reference, new UpdateOptions { HealthTimeout = TimeSpan.FromSeconds(90) });
            updateWatch.Stop();
            var until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds();
            _output.WriteLine($"update took {updateWatch.Elapsed.TotalSeconds:0.0} s: {result.Summary}");
            foreach (var line in Logs.Lines.Where(l => l.Contains(name, StringComparison.Ordinal)))
            {
                _output.WriteLine(line);
            }

            Assert.True(result.Succeeded, result.Summary + " | " + string.Join("; ", result.Servers.Select(s => s.Error)));
            Assert.True(result.Pulled);
            var updated = Assert.Single(result.Servers, s => s.Server == name);
            Assert.Equal(UpdateOutcome.Updated, updated.Outcome);
            Assert.Equal(v1.ID, updated.OldImageId);
            Assert.Equal(oldId, updated.OldContainerId);

            // A NEW container, on the v2 image, running and healthy, under the server's name.
            var fresh = await client.Containers.InspectContainerAsync(name);
            var v2 = await client.Images.InspectImageAsync(fresh.Image);
            Assert.NotEqual(oldId, fresh.ID);
            Assert.Equal(updated.ContainerId, fresh.ID);
            Assert.NotEqual(v1.ID, v2.ID);
            Assert.Equal(result.NewImageId, fresh.Image);
            Assert.Equal(Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", Sandbox.ImageV2), fresh.Image);
            Assert.Equal(reference, fresh.Config!.Image);
            Assert.True(fresh.State!.Running);
            Assert.Equal("healthy", fresh.State.Health!.Status);
            Assert.Contains("ARK_IMAGE_VARIANT=v2", fresh.Config.Env);
            await WaitForLogAsync(Sandbox, fresh.ID, "ARK stand-in v2 starting", TimeSpan.FromSeconds(10));
            await WaitForLogAsync(Sandbox, fresh.ID, "advertising for join", TimeSpan.FromSeconds(10));

            // Faithful: nothing differs but what comes from the images.
            var differences = RecreateComparer.Differences(old, fresh, v1, v2);
            foreach (var difference in differences)
            {
                _output.WriteLine("difference: " + difference);
            }

            Assert.True(differences.Count == 0, "The updated server differs from the old one:\n" + string.Join("\n", differences));

            // The key fields, explicitly.
            Assert.Equal("island-host", fresh.Config.Hostname);
            Assert.Equal(TimeSpan.FromSeconds(45), fresh.Config.StopTimeout);
            Assert.Equal("SIGINT", fresh.Config.StopSignal);
            Assert.Equal(new[] { "CMD-SHELL", HealthCmd }, fresh.Config.Healthcheck!.Test);
            Assert.Equal(TimeSpan.FromSeconds(1), fresh.Config.Healthcheck.Interval);
            foreach (var env in new[] { "ARK_STARTUP_DELAY=0.5", "ARK_SAVE_INTERVAL=3600", "ARK_SHUTDOWN_SAVE_SECONDS=3", "ARK_READY_FILE=/ark/ready", "SESSION_NAME=Fidelity island" })
            {
                Assert.Contains(env, fresh.Config.Env);
            }

            Assert.Equal("ark", fresh.Config.Labels["com.docker.compose.project"]);
            Assert.Equal("island", fresh.Config.Labels["com.docker.compose.service"]);
            Assert.Equal("fidelity-test", fresh.Config.Labels["owner"]);
            Assert.Equal(name, fresh.Config.Labels[ServerLabels.Server]);
            Assert.Equal(reference, fresh.Config.Labels[ServerLabels.Image]);
            Assert.Equal("v2", fresh.Config.Labels["org.opencontainers.image.version"]);

            var host = fresh.HostConfig!;
            Assert.Equal(RestartPolicyKind.UnlessStopped, host.RestartPolicy.Name);
            Assert.Equal(256L * 1024 * 1024, host.Memory);
            Assert.Equal(old.HostConfig!.MemorySwap, host.MemorySwap);
            var ulimit = Assert.Single(host.Ulimits);
            Assert.Equal(("nofile", 10000L, 20000L), (ulimit.Name, ulimit.Soft, ulimit.Hard));
            Assert.Equal(old.HostConfig.CapAdd, host.CapAdd);
            Assert.Contains(host.CapAdd, c => c.EndsWith("SYS_NICE", StringComparison.Ordinal));
            Assert.Equal("size=16m", host.Tmpfs!["/ark/tmp"]);
            Assert.True(host.Init);
            Assert.Equal("json-file", host.LogConfig.Type);
            Assert.Equal("5m", host.LogConfig.Config["max-size"]);

            Assert.Equal(3, fresh.Mounts.Count);
            var bind = fresh.Mounts.Single(m => m.Destination == BindTarget);
            Assert.Equal(("bind", bindDir, true), (bind.Type, bind.Source, bind.RW));
            var named = fresh.Mounts.Single(m => m.Destination == NamedTarget);
            Assert.Equal(("volume", namedVolume, true), (named.Type, named.Name, named.RW));
            var anonymous = fresh.Mounts.Single(m => m.Destination == AnonymousTarget);
            Assert.Equal(("volume", anonymousVolume, true), (anonymous.Type, anonymous.Name, anonymous.RW));

            var a = fresh.NetworkSettings!.Networks[netA];
            var b = fresh.NetworkSettings.Networks[netB];
            Assert.Equal(2, fresh.NetworkSettings.Networks.Count);
            Assert.Equal(old.NetworkSettings!.Networks[netA].NetworkID, a.NetworkID);
            Assert.Equal(old.NetworkSettings.Networks[netB].NetworkID, b.NetworkID);
            Assert.Contains("island-a", a.Aliases);
            Assert.Contains("island-a2", a.Aliases);
            Assert.Contains("island-b", b.Aliases);
            Assert.DoesNotContain(RecreateSpec.ShortId(oldId), a.Aliases.Concat(b.Aliases));
            Assert.Equal(staticIp, a.IPAMConfig!.IPv4Address);
            Assert.Equal(staticIp, a.IPAddress);
            Assert.False(string.IsNullOrEmpty(b.IPAddress));

            // Every volume's bytes, read through the NEW container (and the bind from the host).
            foreach (var (kind, file) in files)
            {
                Assert.Equal(hashes[kind], Sha256In(name, file.Path));
            }

            Assert.Equal(hashes["bind"], Sha256Hex(File.ReadAllText(Path.Combine(bindDir, "fidelity-bind.txt"))));

            // The old server stopped with SIGINT (its stop signal), saved, and exited 0 well within its 45 s: one kill, no SIGKILL.
            var save = File.ReadAllText(Path.Combine(bindDir, "TheIsland.ark"));
            Assert.Contains("FINAL-SAVE-MARKER", save);
            Assert.Contains("variant=v1", save);
            var events = Sandbox.Docker("events", "--since", since.ToString(CultureInfo.InvariantCulture), "--until", until.ToString(CultureInfo.InvariantCulture),
                    "--filter", "container=" + oldId, "--filter", "event=kill", "--filter", "event=die", "--filter", "event=destroy",
                    "--format", "{{.Action}}{{if eq .Action \"kill\"}} signal={{.Actor.Attributes.signal}}{{end}}{{if eq .Action \"die\"}} exitCode={{.Actor.Attributes.exitCode}}{{end}}")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            _output.WriteLine("old container events:\n" + string.Join("\n", events));
            Assert.Equal(new[] { "kill signal=2", "die exitCode=0", "destroy" }, events);
            var stop = updated.Steps.Single(s => s.Step == UpdateStep.Stop);
            _output.WriteLine($"stop step: {stop.Duration.TotalSeconds:0.0} s, {stop.Detail}");
            Assert.InRange(stop.Duration, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(45));
            Assert.Contains("signal SIGINT", stop.Detail);
            Assert.Contains("exit code 0", stop.Detail);

            // Nothing left behind: no temporary or aside container, the old container gone, its anonymous volume kept (in use).
            Assert.False(ContainerExists(Sandbox, name + "-ark-new"));
            Assert.False(ContainerExists(Sandbox, name + "-ark-old"));
            Assert.False(ContainerExists(Sandbox, oldId));
            Assert.Equal(anonymousVolume, Sandbox.Docker("volume", "inspect", "--format", "{{.Name}}", anonymousVolume!));

            var record = Assert.Single(await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name }));
            Assert.Equal(UpdateOutcome.Updated, record.Outcome);
            Assert.Equal("Update", record.Kind);
            Assert.Equal(v1.ID, record.OldImageId);
            Assert.Equal(v2.ID, record.NewImageId);
            Assert.Equal(oldId, record.OldContainerId);
            Assert.Equal(fresh.ID, record.NewContainerId);

            _output.WriteLine($"test body took {watch.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            // Containers first, without -v (the volumes are shared with the test and removed by name below).
            Sandbox.TryDocker("rm", "-f", name);
            Sandbox.TryDocker("rm", "-f", name + "-ark-new");
            Sandbox.TryDocker("rm", "-f", name + "-ark-old");
            if (oldId != null)
            {
                Sandbox.TryDocker("rm", "-f", oldId);
            }

            Sandbox.TryDocker("volume", "rm", namedVolume);
            if (anonymousVolume != null)
            {
                Sandbox.TryDocker("volume", "rm", anonymousVolume);
            }

            foreach (var network in networks)
            {
                Sandbox.TryDocker("network", "rm", network);
            }
        }
    }

    private string Sha256In(string container, string path) =>
        Sandbox.Docker("exec", container, "/bin/busybox", "sha256sum", path).Split(' ', 2)[0];

    private static string Sha256Hex(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

}
