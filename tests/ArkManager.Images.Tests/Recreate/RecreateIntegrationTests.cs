using System.Net;
using System.Net.Sockets;
using ArkManager.Images.Docker;
using ArkManager.Images.Servers;
using ArkManager.Images.Tests.Infrastructure;
using Docker.DotNet;
using Docker.DotNet.Models;
using Xunit.Abstractions;
using Version = System.Version;

namespace ArkManager.Images.Tests.Recreate;

/// <summary>
/// A rich server container made by the docker CLI from v1 is recreated on v2 from <see cref="RecreateSpec.Build"/>'s plan, on the
/// sandbox dockerd 20.10 (API 1.41), and the two inspects are compared field by field; the volumes' bytes must survive.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RecreateIntegrationTests : SandboxTestBase
{
    private static readonly Version Api = new(1, 41);
    private readonly ITestOutputHelper _output;

    public RecreateIntegrationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task A_rich_server_is_recreated_on_the_new_image_with_every_setting_and_the_same_volumes()
    {
        Sandbox.Docker("pull", "-q", Sandbox.ImageV1);
        Sandbox.Docker("pull", "-q", Sandbox.ImageV2);

        var id = Guid.NewGuid().ToString("N")[..8];
        var name = "ark-rx-" + id;
        var newName = name + "-ark-new";
        var namedVolume = name + "-saved";
        var bindDir = TempDir("recreate-bind");
        var networks = new List<string>();
        string? anonymousVolume = null;

        using var client = new DockerClientBuilder().WithEndpoint(new Uri(Sandbox.DockerHost)).WithApiVersion(Api).Build();
        try
        {
            var (netA, subnetA) = CreateInternalNetwork("ark-test-" + id + "-a");
            networks.Add(netA);
            var (netB, _) = CreateInternalNetwork("ark-test-" + id + "-b");
            networks.Add(netB);
            var staticIp = subnetA + ".50";
            Sandbox.Docker("volume", "create", namedVolume);
            var port = FreeUdpPort();

            Sandbox.Docker(
                "create", "--name", name,
                "--network", netA, "--ip", staticIp, "--network-alias", "island-a",
                "-v", bindDir + ":/ark/bind",
                "-v", namedVolume + ":/ark/ShooterGame/Saved",
                "-v", "/ark/anon",
                "-e", "ARK_SHUTDOWN_SAVE_SECONDS=0.5", "-e", "ARK_STARTUP_DELAY=0.2", "-e", "SESSION_NAME=Recreate island",
                "-l", "com.docker.compose.project=ark", "-l", "com.docker.compose.service=island", "-l", ServerLabels.Server + "=" + name, "-l", "owner=recreate-test",
                "--health-cmd", "test -f /ark/ShooterGame/Saved/SavedArks/TheIsland.ark", "--health-interval", "2s",
                "--restart", "unless-stopped",
                "--memory", "256m",
                "--ulimit", "nofile=10000:20000",
                "--cap-add", "SYS_NICE",
                "--tmpfs", "/ark/tmp:size=16m",
                "--stop-timeout", "45", "--stop-signal", "SIGINT",
                "--hostname", "island-host",
                "--init",
                "--log-opt", "max-size=5m",
                "-p", "127.0.0.1:" + port + ":7777/udp",
                Sandbox.ImageV1);
            Sandbox.Docker("network", "connect", "--alias", "island-b", netB, name);
            Sandbox.Docker("start", name);

            // Bytes in each volume, written by the old server container (the bind also from the host side).
            var tokens = new Dictionary<string, string>
            {
                ["/ark/bind"] = Guid.NewGuid().ToString("N"),
                ["/ark/ShooterGame/Saved"] = Guid.NewGuid().ToString("N"),
                ["/ark/anon"] = Guid.NewGuid().ToString("N"),
            };
            foreach (var pair in tokens)
            {
                Sandbox.Docker("exec", name, "sh", "-c", $"printf %s {pair.Value} > {pair.Key}/marker.txt");
            }

            Assert.Equal(tokens["/ark/bind"], File.ReadAllText(Path.Combine(bindDir, "marker.txt")));

            // The snapshot is taken while the old server runs (addresses and MACs are only shown then).
            var old = await client.Containers.InspectContainerAsync(name);
            anonymousVolume = old.Mounts.Single(m => m.Destination == "/ark/anon").Name;
            Assert.Matches("^[0-9a-f]{64}$", anonymousVolume);
            var v1 = await client.Images.InspectImageAsync(Sandbox.ImageV1);
            var v2 = await client.Images.InspectImageAsync(Sandbox.ImageV2);
            Assert.NotEqual(v1.ID, v2.ID);

            var plan = RecreateSpec.Build(old, v1, v2, Sandbox.ImageV2, newName, Api);
            foreach (var warning in plan.Warnings)
            {
                _output.WriteLine("warning: " + warning);
            }

            Assert.Empty(plan.Warnings);
            Assert.Equal(new[] { netA }, plan.Create.NetworkingConfig!.EndpointsConfig.Keys);
            Assert.Equal(netB, Assert.Single(plan.ConnectAfterCreate).NetworkName);

            var created = await client.Containers.CreateContainerAsync(plan.Create);
            foreach (var network in plan.ConnectAfterCreate)
            {
                await client.Networks.ConnectNetworkAsync(network.NetworkName, new NetworkConnectParameters { Container = created.ID, EndpointConfig = network.Settings });
            }

            // The static address and the host port are the old server's: stop it (its own stop timeout), then start the new one.
            await client.Containers.StopContainerAsync(name, new ContainerStopParameters { WaitBeforeKillSeconds = 45 });
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            var fresh = await WaitForContainerAsync(client, created.ID, c => c.State?.Running == true && c.State.Health?.Status == "healthy", TimeSpan.FromSeconds(60));

            var differences = RecreateComparer.Differences(old, fresh, v1, v2);
            foreach (var difference in differences)
            {
                _output.WriteLine(difference);
            }

            Assert.True(differences.Count == 0, "The recreated container differs:\n" + string.Join("\n", differences));

            // Without the images' allowance the only differences are the image-derived ones.
            var strict = RecreateComparer.Differences(old, fresh);
            Assert.Contains("Config.Env[ARK_IMAGE_VARIANT]: \"v1\" vs \"v2\"", strict);
            Assert.Contains("Config.Labels[org.opencontainers.image.version]: \"v1\" vs \"v2\"", strict);
            Assert.Equal(2, strict.Count);

            // The new image's defaults apply; the user's settings are the old ones.
            Assert.Equal(v2.ID, fresh.Image);
            Assert.Equal(Sandbox.ImageV2, fresh.Config!.Image);
            Assert.Contains("ARK_IMAGE_VARIANT=v2", fresh.Config.Env);
            Assert.Contains("SESSION_NAME=Recreate island", fresh.Config.Env);
            Assert.Contains("ARK_SHUTDOWN_SAVE_SECONDS=0.5", fresh.Config.Env);
            Assert.Equal("v2", fresh.Config.Labels["org.opencontainers.image.version"]);
            Assert.Equal("ark", fresh.Config.Labels["com.docker.compose.project"]);
            Assert.Equal("island", fresh.Config.Labels["com.docker.compose.service"]);
            Assert.Equal(name, fresh.Config.Labels[ServerLabels.Server]);
            Assert.Equal("recreate-test", fresh.Config.Labels["owner"]);
            Assert.Equal("island-host", fresh.Config.Hostname);
            Assert.Equal(TimeSpan.FromSeconds(45), fresh.Config.StopTimeout);
            Assert.Equal("SIGINT", fresh.Config.StopSignal);
            Assert.Equal(new[] { "CMD-SHELL", "test -f /ark/ShooterGame/Saved/SavedArks/TheIsland.ark" }, fresh.Config.Healthcheck!.Test);
            Assert.Equal(TimeSpan.FromSeconds(2), fresh.Config.Healthcheck.Interval);
            Assert.Contains("7777/udp", fresh.Config.ExposedPorts!.Keys);

            var host = fresh.HostConfig!;
            Assert.Equal(268435456, host.Memory);
            Assert.Equal(old.HostConfig!.MemorySwap, host.MemorySwap);
            Assert.Equal(RestartPolicyKind.UnlessStopped, host.RestartPolicy.Name);
            var ulimit = Assert.Single(host.Ulimits);
            Assert.Equal(("nofile", 10000L, 20000L), (ulimit.Name, ulimit.Soft, ulimit.Hard));
            Assert.Equal(old.HostConfig.CapAdd, host.CapAdd);
            Assert.Contains(host.CapAdd, c => c.EndsWith("SYS_NICE", StringComparison.Ordinal));
            Assert.Equal("size=16m", host.Tmpfs!["/ark/tmp"]);
            Assert.True(host.Init);
            Assert.Equal("json-file", host.LogConfig.Type);
            Assert.Equal("5m", host.LogConfig.Config["max-size"]);
            Assert.Equal(old.HostConfig.MaskedPaths, host.MaskedPaths);
            Assert.Equal(old.HostConfig.ReadonlyPaths, host.ReadonlyPaths);
            var binding = Assert.Single(host.PortBindings["7777/udp"]);
            Assert.Equal(("127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture)), (binding.HostIP, binding.HostPort));

            // Mounts: the bind, the named volume and THE SAME anonymous volume.
            Assert.Equal(bindDir, fresh.Mounts.Single(m => m.Destination == "/ark/bind").Source);
            Assert.Equal(namedVolume, fresh.Mounts.Single(m => m.Destination == "/ark/ShooterGame/Saved").Name);
            Assert.Equal(anonymousVolume, fresh.Mounts.Single(m => m.Destination == "/ark/anon").Name);
            Assert.Equal(3, fresh.Mounts.Count);

            // Networks: aliases, the static address on A, B connected before the first start.
            var a = fresh.NetworkSettings!.Networks[netA];
            var b = fresh.NetworkSettings.Networks[netB];
            Assert.Contains("island-a", a.Aliases);
            Assert.Contains("island-b", b.Aliases);
            Assert.DoesNotContain(RecreateSpec.ShortId(old.ID), a.Aliases.Concat(b.Aliases));
            Assert.Contains(RecreateSpec.ShortId(fresh.ID), a.Aliases);
            Assert.Equal(staticIp, a.IPAMConfig!.IPv4Address);
            Assert.Equal(staticIp, a.IPAddress);
            Assert.Equal(old.NetworkSettings!.Networks[netA].NetworkID, a.NetworkID);
            Assert.Equal(old.NetworkSettings.Networks[netB].NetworkID, b.NetworkID);
            Assert.False(string.IsNullOrEmpty(b.IPAddress));

            // The bytes each volume held are there, read by the new server container.
            foreach (var pair in tokens)
            {
                Assert.Equal(pair.Value, Sandbox.Docker("exec", newName, "cat", pair.Key + "/marker.txt"));
            }
        }
        finally
        {
            // Without -v: the volumes are the test's own and are removed by name below.
            Sandbox.TryDocker("rm", "-f", newName);
            Sandbox.TryDocker("rm", "-f", name);
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

    [Fact]
    public async Task The_anonymous_volume_of_an_image_VOLUME_is_reattached_by_name()
    {
        Sandbox.Docker("pull", "-q", Sandbox.ImageV1);
        Sandbox.Docker("pull", "-q", Sandbox.ImageV2);
        var id = Guid.NewGuid().ToString("N")[..8];
        var repository = "ark-rx-volume-" + id;
        var oldImage = BuildWithVolume(Sandbox.ImageV1, repository + ":v1");
        var newImage = BuildWithVolume(Sandbox.ImageV2, repository + ":v2");
        var name = "ark-rx-" + id;
        var newName = name + "-ark-new";
        string? oldVolume = null;

        using var client = new DockerClientBuilder().WithEndpoint(new Uri(Sandbox.DockerHost)).WithApiVersion(Api).Build();
        try
        {
            Sandbox.Docker("create", "--name", name, "--network", "none", "-e", "ARK_SHUTDOWN_SAVE_SECONDS=0.2", "-l", ServerLabels.Server + "=" + name, oldImage);
            Sandbox.Docker("start", name);
            var token = Guid.NewGuid().ToString("N");
            Sandbox.Docker("exec", name, "sh", "-c", $"printf %s {token} > /ark/ShooterGame/Saved/marker.txt");

            var old = await client.Containers.InspectContainerAsync(name);
            oldVolume = Assert.Single(old.Mounts).Name;
            Assert.Matches("^[0-9a-f]{64}$", oldVolume);
            var v1 = await client.Images.InspectImageAsync(oldImage);
            var v2 = await client.Images.InspectImageAsync(newImage);

            var plan = RecreateSpec.Build(old, v1, v2, newImage, newName, Api);
            Assert.Empty(plan.Warnings);
            Assert.Null(plan.Create.NetworkingConfig);
            Assert.Null(plan.Create.Volumes);
            var mount = Assert.Single(plan.Create.HostConfig!.Mounts!);
            Assert.Equal(("volume", oldVolume, "/ark/ShooterGame/Saved"), (mount.Type, mount.Source, mount.Target));

            var created = await client.Containers.CreateContainerAsync(plan.Create);
            await client.Containers.StopContainerAsync(name, new ContainerStopParameters { WaitBeforeKillSeconds = 30 });
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            var fresh = await WaitForContainerAsync(client, created.ID, c => c.State?.Running == true, TimeSpan.FromSeconds(30));

            var differences = RecreateComparer.Differences(old, fresh, v1, v2);
            Assert.True(differences.Count == 0, "The recreated container differs:\n" + string.Join("\n", differences));

            // The new image's VOLUME made no new anonymous volume: its destination holds the old one.
            Assert.Equal(oldVolume, Assert.Single(fresh.Mounts).Name);
            Assert.Equal(token, Sandbox.Docker("exec", newName, "cat", "/ark/ShooterGame/Saved/marker.txt"));
        }
        finally
        {
            Sandbox.TryDocker("rm", "-f", newName);
            Sandbox.TryDocker("rm", "-f", name);
            if (oldVolume != null)
            {
                Sandbox.TryDocker("volume", "rm", oldVolume);
            }
        }
    }

    /// <summary>A local image (never pushed) that adds <c>VOLUME /ark/ShooterGame/Saved</c> to a fixture variant; removed by the base class.</summary>
    private string BuildWithVolume(string from, string tag)
    {
        var dir = TempDir("recreate-volume-image");
        File.WriteAllText(Path.Combine(dir, "Dockerfile"), $"FROM {from}\nVOLUME /ark/ShooterGame/Saved\n");
        Sandbox.Docker("build", "-q", "-t", tag, dir);
        TrackImage(tag);
        return tag;
    }

    private static int FreeUdpPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }
}
