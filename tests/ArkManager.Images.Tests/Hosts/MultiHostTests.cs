using ArkManager.Images.Tests.Faults;
using ArkManager.Images.Tests.Infrastructure;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;

namespace ArkManager.Images.Tests.Hosts;

/// <summary>A dockerd of this collection's own, the second host beside the sandbox engine (host "a").</summary>
[CollectionDefinition(Name)]
public sealed class MultiHostCollection : ICollectionFixture<SecondEngine>
{
    public const string Name = "multi-host engine";
}

/// <summary>
/// Two engines as two configured hosts: the sandbox engine ("a") and a dockerd of the tests' own ("b"). One manager
/// spans both; each image is checked once, pulled on each host, and every server is replaced; a host that goes away is
/// a per-host error while the other host is updated.
/// </summary>
[Collection(MultiHostCollection.Name)]
[Trait("Category", "Integration")]
public sealed class MultiHostTests : FaultTestBase
{
    private static readonly TimeSpan Health = TimeSpan.FromSeconds(60);
    private readonly SecondEngine _b;

    public MultiHostTests(SecondEngine b)
    {
        _b = b;
    }

    [Fact]
    public async Task Two_hosts_list_together_check_once_pull_on_each_and_update_every_server_with_history_per_host()
    {
        var image = PushFresh("v1");
        var state = TempDir("state-mh");
        using var manager = Fleet(image, state, _b.DockerHost);
        await manager.PullImageAsync(image);
        var (onA, onB) = (UniqueName("mha"), UniqueName("mhb"));
        await NewStartedAsync(manager, "a/" + onA, image);
        await NewStartedAsync(manager, "b/" + onB, image);

        var servers = await manager.GetServersAsync();
        Assert.Empty(((IHostResults)servers).HostErrors);
        Assert.Contains(servers, s => s.Name == onA && s.Host == "a" && s.QualifiedName == "a/" + onA);
        Assert.Contains(servers, s => s.Name == onB && s.Host == "b");
        Assert.Equal("b", (await manager.GetServerAsync(onB))!.Host); // found by its name alone: only b has it

        Sandbox.PushVariant("v2", image);
        var check = await manager.CheckImageUpdateAsync(image);
        Assert.True(check.UpdateAvailable, check.State + " " + check.Error);
        Assert.Equal(new[] { "a", "b" }, check.HostsBehind.OrderBy(h => h));
        var repo = image[(Sandbox.Registry.Length + 1)..image.LastIndexOf(':')];
        var before = Sandbox.RequestsFor(Sandbox.RegistryLog, repo).Count;
        var result = await manager.UpdateAllImagesAsync(new UpdateOptions { HealthTimeout = Health, MaxParallel = 1 });

        Assert.True(result.Succeeded, result.Summary);
        Assert.Equal(new[] { "a", "b" }, result.Images.Select(i => i.Host).OrderBy(h => h));
        Assert.All(result.Images, i => Assert.True(i.Pulled, i.Summary)); // each host pulled the new image itself
        Assert.Contains(result.Servers, s => s.Server == onA && s.Host == "a" && s.Outcome == UpdateOutcome.Updated);
        Assert.Contains(result.Servers, s => s.Server == onB && s.Host == "b" && s.Outcome == UpdateOutcome.Updated);
        var during = Sandbox.RequestsFor(Sandbox.RegistryLog, repo).Skip(before).Where(r => r.IsManifest).ToList();
        Assert.Single(during, r => r.Line.Contains("useragent=ArkManager.Images", StringComparison.Ordinal)); // one check for both hosts
        // Positive control: the same log saw both engines ask for the manifest (each pulled).
        Assert.True(during.Count(r => !r.Line.Contains("useragent=ArkManager.Images", StringComparison.Ordinal)) >= 2, string.Join("\n", during.Select(r => r.Line)));

        var v2OnA = Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image);
        Assert.Equal(v2OnA, ContainerField(Sandbox, onA, "{{.Image}}"));
        Assert.Equal(_b.Docker("image", "inspect", "--format", "{{.Id}}", image), _b.Docker("inspect", "--format", "{{.Image}}", onB));
        Assert.Equal(onB, _b.Docker("inspect", "--format", "{{.Name}}", onB).TrimStart('/')); // the name is kept

        var history = await manager.GetUpdateHistoryAsync();
        Assert.Contains(history, r => r.Server == onA && r.Host == "a" && r.Outcome == UpdateOutcome.Updated);
        Assert.Contains(history, r => r.Server == onB && r.Host == "b" && r.Outcome == UpdateOutcome.Updated);
        Assert.All(await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = "b/" + onB }), r => Assert.Equal("b", r.Host));
        Assert.True(Directory.Exists(Path.Combine(state, "hosts", "a")) && Directory.Exists(Path.Combine(state, "hosts", "b")), "each host keeps its own state");
    }

    [Fact]
    public async Task A_name_on_both_hosts_must_be_qualified_and_a_qualified_name_reaches_its_host()
    {
        var image = PushFresh("v1");
        using var manager = Fleet(image, TempDir("state-mh"), _b.DockerHost);
        await manager.PullImageAsync(image);
        var name = UniqueName("dup");
        await manager.NewServerAsync(Spec("a/" + name, image, TempDir("saved"), "vol-a-" + name));
        await manager.NewServerAsync(Spec("b/" + name, image, TempDir("saved"), "vol-b-" + name));
        TrackContainer(name);

        var ambiguous = await Assert.ThrowsAsync<AmbiguousServerNameException>(() => manager.StartServerAsync(name));
        Assert.Equal(new[] { "a", "b" }, ambiguous.Hosts.OrderBy(h => h));
        Assert.Equal("created", _b.Docker("inspect", "--format", "{{.State.Status}}", name)); // refused: nothing started

        var started = await manager.StartServerAsync("b/" + name);
        Assert.Equal("b", started.Host);
        Assert.Equal("running", _b.Docker("inspect", "--format", "{{.State.Status}}", name));
        Assert.Equal("created", ContainerField(Sandbox, name, "{{.State.Status}}")); // the other host's server untouched
        await Assert.ThrowsAsync<UnknownHostException>(() => manager.StartServerAsync("zz/" + name));
        await Assert.ThrowsAsync<UnknownHostException>(() => manager.NewServerAsync(Spec(name + "x", image, TempDir("saved"), "vol-x")));
        _b.Docker("rm", "-f", name);
    }

    [Fact]
    public async Task A_host_that_goes_away_is_a_per_host_error_and_the_other_host_is_still_updated()
    {
        var image = PushFresh("v1");
        using var manager = Fleet(image, TempDir("state-mh"), _b.DockerHost);
        await manager.PullImageAsync(image);
        var (onA, onB) = (UniqueName("mha"), UniqueName("mhb"));
        var volumeA = await NewStartedAsync(manager, "a/" + onA, image);
        await NewStartedAsync(manager, "b/" + onB, image);
        Assert.Equal(2, (await manager.GetServersAsync()).Count(s => s.Name == onA || s.Name == onB)); // both hosts answer before
        var hashA = HashVolume(Sandbox.DockerHost, volumeA, Sandbox.ImageV1);
        var v1OnB = _b.Docker("inspect", "--format", "{{.Image}}", onB);

        _b.Kill(); // half-way: host b is gone
        try
        {
            var servers = await manager.GetServersAsync();
            Assert.Contains(servers, s => s.Name == onA && s.Host == "a");
            var error = Assert.Single(((IHostResults)servers).HostErrors);
            Assert.Equal(("b", "DockerUnavailable"), (error.Host, error.ErrorId));

            Sandbox.PushVariant("v2", image);
            var result = await manager.UpdateAllImagesAsync(new UpdateOptions { HealthTimeout = Health, ContinueOnError = true });

            Assert.False(result.Succeeded, "a run with an unreachable host must not report success: " + result.Summary);
            Assert.Contains(result.Servers, s => s.Server == onA && s.Host == "a" && s.Outcome == UpdateOutcome.Updated);
            var onHostB = Assert.Single(result.Images, i => i.Host == "b");
            Assert.Equal("DockerUnavailable", onHostB.ErrorId);
            Assert.Equal(Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image), ContainerField(Sandbox, onA, "{{.Image}}"));
            Assert.Equal(hashA, HashVolume(Sandbox.DockerHost, volumeA, Sandbox.ImageV1));
            Assert.Equal(onA, ContainerField(Sandbox, onA, "{{.Name}}").TrimStart('/'));
        }
        finally
        {
            _b.Start();
        }

        // Host b is back: its server is still there, on the old image, under its name.
        var back = await manager.GetServerAsync("b/" + onB);
        Assert.NotNull(back);
        Assert.Equal(v1OnB, back!.ImageId);
    }

    [Fact]
    public async Task A_host_over_TLS_is_reached_with_its_own_certificates_and_a_wrong_CA_is_that_host_s_error_only()
    {
        var image = PushFresh("v1");
        HostResultList<ServerInfo> Listed(IReadOnlyList<ServerInfo> l) => Assert.IsType<HostResultList<ServerInfo>>(l);
        using (var good = new ArkFleetManager(TlsOptions(image, _b.ClientCertDirectory)))
        {
            var servers = Listed(await good.GetServersAsync());
            Assert.Empty(servers.HostErrors); // both hosts answered: b over tcp with TLS and client certificate
            var status = await good.GetHostStatusAsync();
            Assert.All(status, s => Assert.True(s.Reachable, s.Host + ": " + s.Error));
        }

        using var wrong = new ArkFleetManager(TlsOptions(image, _b.WrongCaDirectory));
        var listed = Listed(await wrong.GetServersAsync());
        var error = Assert.Single(listed.HostErrors);
        Assert.Equal(("b", "DockerUnavailable"), (error.Host, error.ErrorId)); // refused: the daemon's certificate is not of that CA
        Assert.Contains((await wrong.GetHostStatusAsync()), s => s.Host == "a" && s.Reachable);
    }

    private ArkManagerOptions TlsOptions(string image, string certPath) => new()
    {
        Hosts = new[]
        {
            new DockerHostOptions { Name = "a", DockerHost = Sandbox.DockerHost },
            new DockerHostOptions { Name = "b", DockerHost = _b.TlsHost, TlsVerify = true, CertPath = certPath },
        },
        RequiredImages = new[] { image },
        StateDirectory = TempDir("state-mh"),
        DockerConfigDirectory = TempDir("dockercfg-mh"),
    };

    private ArkFleetManager Fleet(string image, string state, string secondHost) =>
        (ArkFleetManager)ArkImageManager.Create(new ArkManagerOptions
        {
            Hosts = new[]
            {
                new DockerHostOptions { Name = "a", DockerHost = Sandbox.DockerHost },
                new DockerHostOptions { Name = "b", DockerHost = secondHost },
            },
            RequiredImages = new[] { image },
            StateDirectory = state,
            DockerConfigDirectory = TempDir("dockercfg-mh"),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        });

    private async Task<string> NewStartedAsync(IArkImageManager manager, string qualified, string image)
    {
        var name = qualified[(qualified.IndexOf('/') + 1)..];
        var volume = "vol-" + name;
        if (qualified.StartsWith("a/", StringComparison.Ordinal))
        {
            TrackContainer(name);
            TrackContainer(name + "-ark-new");
            TrackContainer(name + "-ark-old");
            TrackVolume(volume);
            SeedVolume(Sandbox, volume, "settings-" + name);
        }

        await manager.NewServerAsync(Spec(qualified, image, TempDir("saved"), volume));
        await manager.StartServerAsync(qualified);
        var docker = qualified.StartsWith("a/", StringComparison.Ordinal) ? Sandbox.DockerHost : _b.DockerHost;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!DockerOn(docker, "logs", name).Contains("advertising for join", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{qualified} did not start");
            await Task.Delay(250);
        }

        return volume;
    }
}
