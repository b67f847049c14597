using ArkManager.Images.Docker;
using ArkManager.Images.Servers;
using Docker.DotNet.Models;
using Version = System.Version;

namespace ArkManager.Images.Tests.Recreate;

[Trait("Category", "Unit")]
public sealed class RecreateSpecTests
{
    private const string OldId = "0123456789ab0123456789ab0123456789ab0123456789ab0123456789abcdef";
    private const string AnonymousVolume = "a8a30bf5b4b2445ba461bacf7506af99e34482d4102f0c5eac4a47c6c7e19e49";
    private const string ImageVolume = "f00dbabe4b2445ba461bacf7506af99e34482d4102f0c5eac4a47c6c7e1900aa";
    private static readonly Version Api141 = new(1, 41);
    private static readonly Version Api144 = new(1, 44);

    private static ImageInspectResponse OldImage() => new()
    {
        ID = "sha256:old",
        Config = new DockerOCIImageConfig
        {
            Env = new List<string> { "PATH=/usr/local/bin:/bin", "ARK_IMAGE_VARIANT=v1", "MAP=TheIsland" },
            Entrypoint = new List<string> { "/ark/server" },
            Cmd = new List<string> { "--listen" },
            WorkingDir = "/ark",
            User = "ark",
            StopSignal = "SIGTERM",
            Labels = new Dictionary<string, string>
            {
                ["org.opencontainers.image.version"] = "v1",
                ["org.opencontainers.image.title"] = "ARK",
                ["com.docker.compose.project"] = "ark",
            },
            ExposedPorts = new Dictionary<string, EmptyStruct> { ["7777/udp"] = default },
            Volumes = new Dictionary<string, EmptyStruct> { ["/ark/ShooterGame/Saved"] = default },
            Healthcheck = new HealthcheckConfig { Test = new List<string> { "CMD", "/ark/health" }, Interval = TimeSpan.FromSeconds(30), Retries = 3 },
        },
    };

    private static ImageInspectResponse NewImage() => new()
    {
        ID = "sha256:new",
        Config = new DockerOCIImageConfig
        {
            Env = new List<string> { "PATH=/opt/ark/bin:/bin", "ARK_IMAGE_VARIANT=v2", "MAP=TheIsland" },
            Entrypoint = new List<string> { "/ark/server" },
            Cmd = new List<string> { "--listen" },
            WorkingDir = "/ark",
            User = "ark",
            StopSignal = "SIGTERM",
            Labels = new Dictionary<string, string> { ["org.opencontainers.image.version"] = "v2" },
            ExposedPorts = new Dictionary<string, EmptyStruct> { ["7777/udp"] = default },
            Volumes = new Dictionary<string, EmptyStruct> { ["/ark/ShooterGame/Saved"] = default },
        },
    };

    /// <summary>A container as dockerd 20.10 shows one created from <see cref="OldImage"/> on two user networks, running.</summary>
    private static ContainerInspectResponse OldContainer(Action<ContainerInspectResponse>? change = null)
    {
        var c = new ContainerInspectResponse
        {
            ID = OldId,
            Name = "/island",
            Image = "sha256:old",
            State = new State { Running = true, Status = "running" },
            Config = new ContainerConfig
            {
                Hostname = OldId.Substring(0, 12),
                Image = "registry/ark:v1",
                Env = new List<string> { "PATH=/usr/local/bin:/bin", "ARK_IMAGE_VARIANT=v1", "MAP=Ragnarok", "SESSION=My island" },
                Entrypoint = new List<string> { "/ark/server" },
                Cmd = new List<string> { "--listen" },
                WorkingDir = "/ark",
                User = "ark",
                StopSignal = "SIGTERM",
                StopTimeout = TimeSpan.FromSeconds(300),
                Labels = new Dictionary<string, string>
                {
                    ["org.opencontainers.image.version"] = "v1",
                    ["org.opencontainers.image.title"] = "ARK",
                    ["com.docker.compose.project"] = "ark",
                    ["com.docker.compose.service"] = "island",
                    ["io.arkmanager.server"] = "island",
                    ["owner"] = "me",
                },
                ExposedPorts = new Dictionary<string, EmptyStruct> { ["7777/udp"] = default, ["27020/tcp"] = default },
                Volumes = new Dictionary<string, EmptyStruct> { ["/ark/ShooterGame/Saved"] = default, ["/ark/anon"] = default },
                Healthcheck = new HealthcheckConfig { Test = new List<string> { "CMD", "/ark/health" }, Interval = TimeSpan.FromSeconds(30), Retries = 3 },
            },
            HostConfig = new HostConfig
            {
                NetworkMode = "netA",
                Binds = new List<string> { "ark-cluster:/ark/cluster", "/srv/ark/config:/ark/config:ro" },
                Memory = 536870912,
                MemorySwap = 1073741824,
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
                PortBindings = new Dictionary<string, IList<PortBinding>>
                {
                    ["7777/udp"] = new List<PortBinding> { new() { HostIP = "0.0.0.0", HostPort = "7777" } },
                    ["27020/tcp"] = new List<PortBinding> { new() { HostIP = "127.0.0.1", HostPort = "" } },
                },
                Ulimits = new List<Ulimit> { new() { Name = "nofile", Soft = 10000, Hard = 20000 } },
                CapAdd = new List<string> { "CAP_SYS_NICE" },
                Tmpfs = new Dictionary<string, string> { ["/ark/tmp"] = "size=16m" },
                Init = true,
                ContainerIDFile = "/tmp/old.cid",
                LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = "5m" } },
                MaskedPaths = RecreateSpec.DefaultMaskedPathsCore.ToList(),
                ReadonlyPaths = RecreateSpec.DefaultReadonlyPaths.ToList(),
            },
            Mounts = new List<MountPoint>
            {
                new() { Type = "volume", Name = ImageVolume, Source = "/var/lib/docker/volumes/" + ImageVolume + "/_data", Destination = "/ark/ShooterGame/Saved", Driver = "local", RW = true },
                new() { Type = "volume", Name = AnonymousVolume, Source = "/var/lib/docker/volumes/" + AnonymousVolume + "/_data", Destination = "/ark/anon", Driver = "local", RW = false },
                new() { Type = "volume", Name = "ark-cluster", Source = "/var/lib/docker/volumes/ark-cluster/_data", Destination = "/ark/cluster", Driver = "local", Mode = "z", RW = true },
                new() { Type = "bind", Source = "/srv/ark/config", Destination = "/ark/config", RW = false, Propagation = "rprivate" },
            },
            NetworkSettings = new NetworkSettings
            {
                Networks = new Dictionary<string, EndpointSettings>
                {
                    ["netA"] = new()
                    {
                        NetworkID = "aaaaaaaaaaaa1111",
                        IPAMConfig = new EndpointIPAMConfig { IPv4Address = "10.231.17.50" },
                        Aliases = new List<string> { "island-a", OldId.Substring(0, 12) },
                        IPAddress = "10.231.17.50",
                        MacAddress = "02:42:0a:e7:11:32",
                        EndpointID = "endpoint-a",
                        Gateway = "10.231.17.1",
                    },
                    ["netB"] = new()
                    {
                        NetworkID = "bbbbbbbbbbbb2222",
                        IPAMConfig = new EndpointIPAMConfig(),
                        Aliases = new List<string> { "island-b", OldId.Substring(0, 12) },
                        IPAddress = "10.231.18.2",
                        MacAddress = "02:42:0a:e7:12:02",
                        DriverOpts = new Dictionary<string, string>(),
                    },
                },
            },
        };
        change?.Invoke(c);
        return c;
    }

    private static RecreatePlan Build(ContainerInspectResponse old, Version? api = null) =>
        RecreateSpec.Build(old, OldImage(), NewImage(), "registry/ark:v2", "island-ark-new", api ?? Api141);

    [Fact]
    public void Env_drops_what_the_old_image_set_and_keeps_user_overrides_and_additions()
    {
        var plan = Build(OldContainer());

        // PATH and ARK_IMAGE_VARIANT came from the old image: the new image's values must apply (stale PATH bug).
        Assert.Equal(new[] { "MAP=Ragnarok", "SESSION=My island" }, plan.Create.Env);
    }

    [Fact]
    public void Labels_drop_old_image_labels_but_keep_user_compose_and_arkmanager_labels()
    {
        var plan = Build(OldContainer());

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["com.docker.compose.project"] = "ark",
                ["com.docker.compose.service"] = "island",
                ["io.arkmanager.server"] = "island",
                ["owner"] = "me",
            },
            plan.Create.Labels);
        Assert.DoesNotContain("org.opencontainers.image.version", plan.Create.Labels.Keys);
    }

    [Fact]
    public void The_arkmanager_image_label_follows_the_new_reference()
    {
        var plan = Build(OldContainer(c => c.Config!.Labels[ServerLabels.Image] = "registry/ark:v1"));

        Assert.Equal("registry/ark:v2", plan.Create.Labels[ServerLabels.Image]);
    }

    [Fact]
    public void Default_hostname_is_dropped_and_user_hostname_kept()
    {
        Assert.Equal(string.Empty, Build(OldContainer()).Create.Hostname);
        Assert.Equal("island-host", Build(OldContainer(c => c.Config!.Hostname = "island-host")).Create.Hostname);
        Assert.Equal("example.org", Build(OldContainer(c => c.Config!.Domainname = "example.org")).Create.Domainname);
    }

    [Fact]
    public void Hostname_is_not_carried_with_host_networking()
    {
        var plan = Build(OldContainer(c =>
        {
            c.Config!.Hostname = "the-host-machine";
            c.HostConfig!.NetworkMode = "host";
            c.NetworkSettings!.Networks = new Dictionary<string, EndpointSettings> { ["host"] = new() };
        }));

        Assert.Equal(string.Empty, plan.Create.Hostname);
        Assert.Null(plan.Create.NetworkingConfig);
        Assert.Empty(plan.ConnectAfterCreate);
    }

    [Fact]
    public void Anonymous_and_image_volumes_are_reattached_by_name_and_binds_kept()
    {
        var plan = Build(OldContainer());
        var host = plan.Create.HostConfig!;

        Assert.Equal(new[] { "ark-cluster:/ark/cluster", "/srv/ark/config:/ark/config:ro" }, host.Binds);
        Assert.NotNull(host.Mounts);
        var anon = Assert.Single(host.Mounts!, m => m.Target == "/ark/anon");
        Assert.Equal("volume", anon.Type);
        Assert.Equal(AnonymousVolume, anon.Source);
        Assert.True(anon.ReadOnly);
        var image = Assert.Single(host.Mounts!, m => m.Target == "/ark/ShooterGame/Saved");
        Assert.Equal(ImageVolume, image.Source);
        Assert.False(image.ReadOnly);

        // Binds are not duplicated as mounts.
        Assert.DoesNotContain(host.Mounts!, m => m.Target == "/ark/cluster" || m.Target == "/ark/config");

        // The user's -v /ark/anon stays declared; the image's VOLUME comes back from the new image.
        Assert.Equal(new[] { "/ark/anon" }, plan.Create.Volumes.Keys);
    }

    [Fact]
    public void An_anonymous_mount_entry_gets_its_old_volume_as_source()
    {
        var plan = Build(OldContainer(c => c.HostConfig!.Mounts = new List<Mount> { new() { Type = "volume", Target = "/ark/anon", ReadOnly = true } }));

        var anon = Assert.Single(plan.Create.HostConfig!.Mounts!, m => m.Target == "/ark/anon");
        Assert.Equal(AnonymousVolume, anon.Source);
    }

    [Fact]
    public void The_old_inspect_is_not_mutated_or_shared()
    {
        var old = OldContainer(c => c.HostConfig!.Mounts = new List<Mount> { new() { Type = "volume", Target = "/ark/anon" } });
        var plan = Build(old);

        Assert.Null(old.HostConfig!.Mounts![0].Source);
        Assert.Equal("/tmp/old.cid", old.HostConfig.ContainerIDFile);
        Assert.NotSame(old.HostConfig, plan.Create.HostConfig);
        Assert.NotSame(old.HostConfig.Ulimits, plan.Create.HostConfig!.Ulimits);
    }

    [Fact]
    public void Host_config_is_carried_except_what_must_not_be()
    {
        var host = Build(OldContainer()).Create.HostConfig!;

        Assert.Equal(536870912, host.Memory);
        Assert.Equal(1073741824, host.MemorySwap);
        Assert.Equal(RestartPolicyKind.UnlessStopped, host.RestartPolicy.Name);
        var ulimit = Assert.Single(host.Ulimits);
        Assert.Equal(("nofile", 10000L, 20000L), (ulimit.Name, ulimit.Soft, ulimit.Hard));
        Assert.Equal(new[] { "CAP_SYS_NICE" }, host.CapAdd);
        Assert.Equal("size=16m", host.Tmpfs!["/ark/tmp"]);
        Assert.True(host.Init);
        Assert.Equal("5m", host.LogConfig.Config["max-size"]);
        Assert.Equal("netA", host.NetworkMode);
        Assert.Equal(string.Empty, host.ContainerIDFile);

        // The daemon's default masked/read-only paths are left to the daemon.
        Assert.Null(host.MaskedPaths);
        Assert.Null(host.ReadonlyPaths);
    }

    [Fact]
    public void Custom_or_unconfined_masked_paths_are_carried()
    {
        var unconfined = Build(OldContainer(c => { c.HostConfig!.MaskedPaths = new List<string>(); c.HostConfig.ReadonlyPaths = new List<string>(); })).Create.HostConfig!;
        Assert.NotNull(unconfined.MaskedPaths);
        Assert.Empty(unconfined.MaskedPaths);
        Assert.NotNull(unconfined.ReadonlyPaths);
        Assert.Empty(unconfined.ReadonlyPaths);

        var custom = Build(OldContainer(c => c.HostConfig!.MaskedPaths = new List<string> { "/proc/kcore" })).Create.HostConfig!;
        Assert.Equal(new[] { "/proc/kcore" }, custom.MaskedPaths);

        var later = RecreateSpec.DefaultMaskedPathsCore.Concat(RecreateSpec.DefaultMaskedPathsLater).Reverse().ToList();
        Assert.True(RecreateSpec.IsDaemonDefaultMaskedPaths(later));
    }

    [Fact]
    public void Short_id_alias_and_daemon_added_hostname_alias_are_dropped()
    {
        var plan = Build(OldContainer(c =>
        {
            c.Config!.Hostname = "island-host";
            c.NetworkSettings!.Networks["netA"].Aliases = new List<string> { "island-a", OldId.Substring(0, 12), "island-host", "island" };
        }));

        var netA = plan.Create.NetworkingConfig!.EndpointsConfig["netA"];
        Assert.Equal(new[] { "island-a", "island" }, netA.Aliases);
        Assert.Equal("10.231.17.50", netA.IPAMConfig!.IPv4Address);
        Assert.Equal(string.Empty, netA.IPAddress);
        Assert.Equal(string.Empty, netA.NetworkID);
        Assert.Equal(string.Empty, netA.EndpointID);
    }

    [Fact]
    public void Below_api_1_44_one_endpoint_is_created_and_the_others_connected_after()
    {
        var plan = Build(OldContainer(), Api141);

        Assert.Equal(new[] { "netA" }, plan.Create.NetworkingConfig!.EndpointsConfig.Keys);
        var after = Assert.Single(plan.ConnectAfterCreate);
        Assert.Equal("netB", after.NetworkName);
        Assert.Equal(new[] { "island-b" }, after.Settings.Aliases);
        Assert.Null(after.Settings.IPAMConfig);
    }

    [Fact]
    public void From_api_1_44_all_endpoints_are_in_the_create()
    {
        var plan = Build(OldContainer(), Api144);

        Assert.Equal(new[] { "netA", "netB" }, plan.Create.NetworkingConfig!.EndpointsConfig.Keys.OrderBy(k => k));
        Assert.Empty(plan.ConnectAfterCreate);
    }

    [Fact]
    public void The_network_mode_endpoint_is_found_by_network_id()
    {
        var plan = Build(OldContainer(c => c.HostConfig!.NetworkMode = "bbbbbbbbbbbb"), Api141);

        Assert.Equal(new[] { "netB" }, plan.Create.NetworkingConfig!.EndpointsConfig.Keys);
        Assert.Equal("netA", Assert.Single(plan.ConnectAfterCreate).NetworkName);
    }

    [Fact]
    public void Generated_mac_is_dropped_and_user_mac_kept_from_api_1_44_or_warned_below()
    {
        Assert.Equal(string.Empty, Build(OldContainer(), Api144).Create.NetworkingConfig!.EndpointsConfig["netA"].MacAddress);

        var userMac = OldContainer(c => c.NetworkSettings!.Networks["netA"].MacAddress = "02:11:22:33:44:55");
        Assert.Equal("02:11:22:33:44:55", Build(userMac, Api144).Create.NetworkingConfig!.EndpointsConfig["netA"].MacAddress);

        var old = Build(userMac, Api141);
        Assert.Equal(string.Empty, old.Create.NetworkingConfig!.EndpointsConfig["netA"].MacAddress);
        Assert.Contains(old.Warnings, w => w.Contains("02:11:22:33:44:55", StringComparison.Ordinal));

        Assert.True(RecreateSpec.IsGeneratedMac("02:42:0A:E7:11:32", "10.231.17.50"));
        Assert.False(RecreateSpec.IsGeneratedMac("02:42:0a:e7:11:33", "10.231.17.50"));
        Assert.True(RecreateSpec.IsGeneratedMac("02:42:ac:11:00:02", null));
    }

    [Fact]
    public void Image_command_is_not_carried_and_user_command_is()
    {
        var plan = Build(OldContainer());
        Assert.Null(plan.Create.Cmd);
        Assert.Null(plan.Create.Entrypoint);
        Assert.Equal(string.Empty, plan.Create.WorkingDir);
        Assert.Equal(string.Empty, plan.Create.User);
        Assert.Null(plan.Create.StopSignal);
        Assert.Null(plan.Create.Healthcheck);

        var user = Build(OldContainer(c =>
        {
            c.Config!.Cmd = new List<string> { "--listen", "--map", "Ragnarok" };
            c.Config.User = "root";
            c.Config.WorkingDir = "/ark/ShooterGame";
            c.Config.StopSignal = "SIGINT";
        }));
        Assert.Equal(new[] { "--listen", "--map", "Ragnarok" }, user.Create.Cmd);
        Assert.Null(user.Create.Entrypoint);
        Assert.Equal("root", user.Create.User);
        Assert.Equal("/ark/ShooterGame", user.Create.WorkingDir);
        Assert.Equal("SIGINT", user.Create.StopSignal);
        Assert.Equal(TimeSpan.FromSeconds(300), user.Create.StopTimeout);
    }

    [Fact]
    public void A_user_entrypoint_carries_the_command_as_is_and_a_cleared_one_stays_cleared()
    {
        var custom = Build(OldContainer(c => c.Config!.Entrypoint = new List<string> { "/bin/sh", "-c" }));
        Assert.Equal(new[] { "/bin/sh", "-c" }, custom.Create.Entrypoint);
        Assert.Equal(new[] { "--listen" }, custom.Create.Cmd);

        var cleared = Build(OldContainer(c => { c.Config!.Entrypoint = null!; c.Config.Cmd = new List<string> { "/bin/sleep", "1" }; }));
        Assert.Equal(new[] { string.Empty }, cleared.Create.Entrypoint);
        Assert.Equal(new[] { "/bin/sleep", "1" }, cleared.Create.Cmd);
    }

    [Fact]
    public void Healthcheck_carries_only_the_fields_that_differ_from_the_image()
    {
        var plan = Build(OldContainer(c => c.Config!.Healthcheck!.Interval = TimeSpan.FromSeconds(2)));

        var health = plan.Create.Healthcheck!;
        Assert.Null(health.Test);
        Assert.Equal(TimeSpan.FromSeconds(2), health.Interval);
        Assert.Null(health.Retries);
    }

    [Fact]
    public void Exposed_ports_drop_the_image_ones_and_random_host_ports_are_warned()
    {
        var plan = Build(OldContainer());

        Assert.Equal(new[] { "27020/tcp" }, plan.Create.ExposedPorts!.Keys);
        Assert.Equal("7777", plan.Create.HostConfig!.PortBindings["7777/udp"][0].HostPort);
        Assert.Equal(string.Empty, plan.Create.HostConfig.PortBindings["27020/tcp"][0].HostPort);
        var warning = Assert.Single(plan.Warnings);
        Assert.Contains("27020/tcp", warning, StringComparison.Ordinal);
        Assert.Contains("random host port", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_published_port_stays_exposed_when_the_new_image_stops_exposing_it()
    {
        var next = NewImage();
        next.Config!.ExposedPorts = null;
        var plan = RecreateSpec.Build(OldContainer(), OldImage(), next, "registry/ark:v2", "island-ark-new", Api141);

        Assert.Equal(new[] { "27020/tcp", "7777/udp" }, plan.Create.ExposedPorts!.Keys.OrderBy(k => k, StringComparer.Ordinal));
    }

    [Fact]
    public void Auto_remove_is_carried_with_a_warning()
    {
        var plan = Build(OldContainer(c => c.HostConfig!.AutoRemove = true));

        Assert.True(plan.Create.HostConfig!.AutoRemove);
        Assert.Contains(plan.Warnings, w => w.Contains("AutoRemove", StringComparison.Ordinal));
    }

    [Fact]
    public void Legacy_links_are_rewritten_to_the_create_form()
    {
        Assert.Equal("db:database", RecreateSpec.NormaliseLegacyLink("/db:/island/database"));
        Assert.Equal("db:db", RecreateSpec.NormaliseLegacyLink("db:db"));
    }

    [Fact]
    public void Name_image_and_stop_timeout_are_set()
    {
        var plan = Build(OldContainer());

        Assert.Equal("island-ark-new", plan.Create.Name);
        Assert.Equal("registry/ark:v2", plan.Create.Image);
        Assert.Equal(TimeSpan.FromSeconds(300), plan.Create.StopTimeout);
    }

    [Fact]
    public void Comparer_accepts_image_derived_differences_only()
    {
        var a = OldContainer();
        var b = OldContainer(c =>
        {
            c.ID = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
            c.Config!.Hostname = "fedcba987654";
            c.NetworkSettings!.Networks["netA"].Aliases = new List<string> { "fedcba987654", "island-a" };
            c.NetworkSettings.Networks["netB"].Aliases = new List<string> { "island-b", "fedcba987654" };
            c.NetworkSettings.Networks["netB"].IPAMConfig = null;
            c.Mounts.Single(m => m.Name == AnonymousVolume).Mode = "z";
            c.Config.Env = new List<string> { "PATH=/opt/ark/bin:/bin", "ARK_IMAGE_VARIANT=v2", "MAP=Ragnarok", "SESSION=My island" };
            c.Config.Labels["org.opencontainers.image.version"] = "v2";
            c.Config.Labels.Remove("org.opencontainers.image.title");
        });

        Assert.Empty(RecreateComparer.Differences(a, b, OldImage(), NewImage()));
        Assert.NotEmpty(RecreateComparer.Differences(a, b));

        b.HostConfig!.Memory = 0;
        b.Config!.Env.Remove("SESSION=My island");
        var diffs = RecreateComparer.Differences(a, b, OldImage(), NewImage());
        Assert.Contains("HostConfig.Memory: 536870912 vs 0", diffs);
        Assert.Contains(diffs, d => d.StartsWith("Config.Env[SESSION]", StringComparison.Ordinal));
    }
}
