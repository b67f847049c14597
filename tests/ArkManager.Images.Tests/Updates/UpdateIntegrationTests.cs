using System.Text.Json;
using ArkManager.Images.Tests.Infrastructure;
using ArkManager.Images.Tests.Integration;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;

namespace ArkManager.Images.Tests.Updates;

[Trait("Category", "Integration")]
public sealed class UpdateIntegrationTests : SandboxTestBase
{
    private static readonly TimeSpan Health = TimeSpan.FromSeconds(60);

    private async Task<(ArkImageManager Manager, string Image, string Name, string Bind, string Volume)> RunningServerAsync(double shutdownSeconds = 1, string? owner = null)
    {
        var image = PushFresh("v1");
        var manager = CreateManager(image);
        await manager.PullImageAsync(image);
        var name = UniqueName("upd");
        var bind = TempDir("saved");
        var volume = "vol-" + name;
        TrackContainer(name);
        TrackContainer(name + "-ark-new");
        TrackContainer(name + "-ark-old");
        SeedVolume(Sandbox, volume, "volume-data-" + name);
        await manager.NewServerAsync(Spec(name, image, bind, volume, shutdownSeconds, owner));
        await manager.StartServerAsync(name);
        await WaitForLogAsync(Sandbox, name, "advertising for join", TimeSpan.FromSeconds(20));
        return (manager, image, name, bind, volume);
    }

    [Fact]
    public async Task Update_recreates_on_the_new_image_after_the_pull_and_keeps_the_data()
    {
        // The stand-in needs 15 s for its final save: longer than Docker's default 10 s.
        var (manager, image, name, bind, volume) = await RunningServerAsync(shutdownSeconds: 15);
        using var _ = manager;
        var oldId = ContainerField(Sandbox, name, "{{.Id}}");
        var v1Id = ContainerField(Sandbox, name, "{{.Image}}");
        Sandbox.PushVariant("v2", image);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds();
        var phases = new List<UpdateProgress>();

        var result = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = Health }, new SyncProgress<UpdateProgress>(phases.Add));

        var until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds();
        Assert.True(result.Succeeded, result.Summary);
        Assert.True(result.Pulled);
        var server = Assert.Single(result.Servers);
        Assert.Equal(UpdateOutcome.Updated, server.Outcome);
        Assert.Equal(v1Id, server.OldImageId);
        Assert.Equal(result.NewImageId, server.NewImageId);
        Assert.NotEqual(v1Id, server.NewImageId);
        Assert.Equal(new[] { UpdateStep.Snapshot, UpdateStep.Create, UpdateStep.Stop, UpdateStep.RenameOld, UpdateStep.RenameNew, UpdateStep.Start, UpdateStep.HealthGate, UpdateStep.Commit },
            server.Steps.Select(s => s.Step));

        var newId = ContainerField(Sandbox, name, "{{.Id}}");
        Assert.NotEqual(oldId, newId);
        Assert.Equal(server.NewImageId, ContainerField(Sandbox, name, "{{.Image}}"));
        Assert.Equal("true", ContainerField(Sandbox, name, "{{.State.Running}}"));
        Assert.False(ContainerExists(Sandbox, oldId));
        Assert.False(ContainerExists(Sandbox, name + "-ark-new"));
        Assert.False(ContainerExists(Sandbox, name + "-ark-old"));

        // The final save of the old server completed: the stop honoured the 60 s StopTimeout.
        var save = File.ReadAllText(Path.Combine(bind, "TheIsland.ark"));
        Assert.Contains("FINAL-SAVE-MARKER", save);
        Assert.Contains("v1", save);
        var stopStep = server.Steps.Single(s => s.Step == UpdateStep.Stop);
        Assert.True(stopStep.Duration >= TimeSpan.FromSeconds(14), stopStep.Duration.ToString());
        Assert.Equal("volume-data-" + name, ReadVolume(Sandbox, volume));

        // Order on the daemon: pull before the old container stopped; the old one exists until the new one started.
        var events = Sandbox.Docker("events", "--since", since.ToString(), "--until", until.ToString(), "--format", "{{.Type}} {{.Action}} {{.Actor.ID}}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var pull = events.FindIndex(e => e.StartsWith("image pull", StringComparison.Ordinal));
        var oldStop = events.FindIndex(e => e.StartsWith("container kill " + oldId, StringComparison.Ordinal) || e.StartsWith("container die " + oldId, StringComparison.Ordinal));
        var newStart = events.FindIndex(e => e.StartsWith("container start " + newId, StringComparison.Ordinal));
        var oldDestroy = events.FindIndex(e => e.StartsWith("container destroy " + oldId, StringComparison.Ordinal));
        Assert.True(pull >= 0 && oldStop > pull, string.Join("\n", events));
        Assert.True(newStart >= 0 && oldDestroy > newStart, string.Join("\n", events));
        Assert.Contains(phases, p => p.Phase == "Pull");
        Assert.True(phases.FindIndex(p => p.Phase == "Pull") < phases.FindIndex(p => p.Step == UpdateStep.Stop));

        var history = await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name });
        var record = Assert.Single(history);
        Assert.Equal(UpdateOutcome.Updated, record.Outcome);
        Assert.Equal(v1Id, record.OldImageId);
        Assert.Equal(server.NewImageId, record.NewImageId);
        Assert.Equal(result.Check!.LocalDigest, record.OldDigest);
        Assert.Equal(result.Check.RemoteDigest, record.NewDigest);
        Assert.Equal(9 - 1, record.Steps.Count);

        // The run left a structured JSON-lines log in the state directory.
        var runLog = File.ReadAllLines(Path.Combine(manager.Options.StateDirectory!, "logs", "arkmanager.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).Where(l => l.GetProperty("operation").GetString() == "UpdateImage").ToList();
        Assert.Equal("run-start", runLog[0].GetProperty("kind").GetString());
        Assert.Equal("run-end", runLog[^1].GetProperty("kind").GetString());
        Assert.Contains(runLog, l => l.GetProperty("message").GetString()!.Contains("HealthGate done", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Broken_image_rolls_back_automatically_to_the_same_container()
    {
        var (manager, image, name, bind, volume) = await RunningServerAsync();
        using var _ = manager;
        var before = Sandbox.Docker("inspect", name);
        var oldId = ContainerField(Sandbox, name, "{{.Id}}");
        var v1Id = ContainerField(Sandbox, name, "{{.Image}}");
        Sandbox.PushVariant("broken", image);

        var result = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = Health });

        Assert.False(result.Succeeded);
        var server = Assert.Single(result.Servers);
        Assert.Equal(UpdateOutcome.RolledBack, server.Outcome);
        Assert.Contains("exit code 1", server.Error);
        Assert.Equal(oldId, ContainerField(Sandbox, name, "{{.Id}}"));
        Assert.Equal(v1Id, ContainerField(Sandbox, name, "{{.Image}}"));
        Assert.Equal("true", ContainerField(Sandbox, name, "{{.State.Running}}"));
        Assert.False(ContainerExists(Sandbox, name + "-ark-new"));
        Assert.Equal("volume-data-" + name, ReadVolume(Sandbox, volume));
        AssertSameConfig(before, Sandbox.Docker("inspect", name));
        Assert.Contains(server.Steps, s => s.Step == UpdateStep.HealthGate && s.Status == "Failed");
        Assert.Contains(server.Steps, s => s.Step == UpdateStep.Create && s.Status == "Undone");

        var record = Assert.Single(await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name }));
        Assert.Equal(UpdateOutcome.RolledBack, record.Outcome);
        Assert.Contains("health gate failed", record.Error);
    }

    [Fact]
    public async Task Manual_rollback_returns_to_the_previous_image_and_cleanup_keeps_what_matters()
    {
        var (manager, image, name, _, volume) = await RunningServerAsync();
        using var __ = manager;
        var v1Id = ContainerField(Sandbox, name, "{{.Image}}");
        Sandbox.PushVariant("v2", image);
        var update = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = Health });
        Assert.True(update.Succeeded, update.Summary);
        var v2Id = update.NewImageId!;

        // An unused older image of the same repository: the only one cleanup may remove.
        var repo = image[..image.LastIndexOf(':')];
        var stale = repo + ":stale";
        Sandbox.PushUniqueImage(stale);
        Sandbox.Docker("pull", "-q", stale);
        var staleId = Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", stale);

        var cleanup = await manager.RemoveOldImagesAsync(image, keep: 0);
        Assert.True(cleanup.Removed.Any(r => r.Id == staleId), string.Join("; ", cleanup.Kept.Select(k => k.Id[..19] + " " + k.Reason)) + " | stale " + staleId);
        Assert.Contains(cleanup.Kept, k => k.Id == v2Id);
        Assert.Contains(cleanup.Kept, k => k.Id == v1Id); // the rollback target (or, on a shared daemon, also in use elsewhere)
        Assert.False(Sandbox.ImageExists(stale));
        Assert.True(Sandbox.ImageExists(v1Id));

        var rollback = await manager.RollbackAsync(name, new RecreateOptions { HealthTimeout = Health });
        Assert.Equal(UpdateOutcome.Reverted, rollback.Outcome);
        Assert.True(rollback.Succeeded);
        Assert.Null(rollback.ToException());
        Assert.Equal(v1Id, ContainerField(Sandbox, name, "{{.Image}}"));
        Assert.Equal("true", ContainerField(Sandbox, name, "{{.State.Running}}"));
        Assert.Equal("volume-data-" + name, ReadVolume(Sandbox, volume));
        var server = await manager.GetServerAsync(name);
        Assert.Equal(image, server!.Image);

        // Now v2 is not used, but it is the rollback target of the rollback: still kept.
        var again = await manager.RemoveOldImagesAsync(image, keep: 0);
        Assert.DoesNotContain(again.Removed, r => r.Id == v1Id);
        Assert.DoesNotContain(again.Removed, r => r.Id == v2Id);

        var history = await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name });
        Assert.Equal(new[] { "Update", "Rollback" }, history.Select(h => h.Kind));
        Assert.Equal(new[] { UpdateOutcome.Updated, UpdateOutcome.Reverted }, history.Select(h => h.Outcome));

        // The rollback is not itself a rollback target: with one update in the history, a second rollback has nowhere to go.
        var none = await Assert.ThrowsAsync<NoRollbackTargetException>(() => manager.RollbackAsync(name, new RecreateOptions { HealthTimeout = Health }));
        Assert.Equal("NoRollbackTarget", none.ErrorId);
        Assert.Equal(v1Id, ContainerField(Sandbox, name, "{{.Image}}"));
    }

    [Fact]
    public async Task Two_concurrent_recreates_of_one_server_never_both_run()
    {
        var (manager, image, name, _, _) = await RunningServerAsync();
        using var _m = manager;
        using var second = CreateManagerSharingState(manager, image);
        var t1 = manager.RecreateContainerAsync(name, new RecreateOptions { Force = true, HealthTimeout = Health });
        await Task.Delay(200);
        var ex = await Assert.ThrowsAsync<ServerLockedException>(() => second.RecreateContainerAsync(name, new RecreateOptions { Force = true, HealthTimeout = Health }));
        Assert.Contains("pid " + Environment.ProcessId, ex.Message);
        Assert.Equal("ServerLocked", ex.ErrorId);
        var first = await t1;
        Assert.Equal(UpdateOutcome.Updated, first.Outcome);
        Assert.Single(await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name }));

        // With a lock timeout the second one waits for the first instead.
        var a = manager.RecreateContainerAsync(name, new RecreateOptions { Force = true, HealthTimeout = Health });
        await Task.Delay(200);
        var b = second.RecreateContainerAsync(name, new RecreateOptions { Force = true, HealthTimeout = Health, LockTimeout = TimeSpan.FromMinutes(2) });
        var results = await Task.WhenAll(a, b);
        Assert.All(results, r => Assert.Equal(UpdateOutcome.Updated, r.Outcome));
        var history = await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name });
        Assert.Equal(3, history.Count);
        Assert.True(history[1].StartedAt >= history[0].FinishedAt.AddMilliseconds(-5) || history[2].StartedAt >= history[1].FinishedAt.AddMilliseconds(-5));
    }

    [Fact]
    public async Task Affected_servers_and_containers_by_image_follow_the_tag()
    {
        var (manager, image, name, _, _) = await RunningServerAsync();
        using var _m = manager;
        var plain = UniqueName("plain");
        TrackContainer(plain);
        Sandbox.Docker("create", "--name", plain, "--network", "none", image);

        var affected = Assert.Single(await manager.GetAffectedServersAsync(image));
        Assert.Equal(name, affected.Name);
        Assert.True(affected.OnNewestImage);
        Assert.StartsWith("sha256:", affected.Digest);

        Sandbox.PushVariant("v2", image);
        await manager.PullImageAsync(image); // the tag moves locally; the server still runs v1

        var containers = await manager.GetContainersByImageAsync(image);
        Assert.Contains(containers, c => c.Name == name && c.IsServer && c.ServerName == name);
        Assert.Contains(containers, c => c.Name == plain && !c.IsServer);
        var stale = Assert.Single(await manager.GetAffectedServersAsync(image));
        Assert.False(stale.OnNewestImage);
        Assert.NotEqual(stale.ImageId, stale.NewestImageId);

        var plan = Assert.Single(await manager.PlanUpdateAsync(image));
        Assert.Equal(name, plan.Server);
        Assert.Contains(UpdateStep.HealthGate, plan.Steps);
        Assert.Equal(stale.ImageId, ContainerField(Sandbox, name, "{{.Image}}")); // planning changed nothing
    }

    [Fact]
    public async Task Owners_are_kept_apart()
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        await manager.PullImageAsync(image);
        var alice = UniqueName("alice");
        var bob = UniqueName("bob");
        foreach (var (n, o) in new[] { (alice, "alice"), (bob, "bob") })
        {
            TrackContainer(n);
            TrackContainer(n + "-ark-new");
            await manager.NewServerAsync(Spec(n, image, TempDir("saved"), "vol-" + n, owner: o));
            await manager.StartServerAsync(n);
        }

        Assert.Equal(new[] { alice }, (await manager.GetServersAsync("alice")).Select(s => s.Name));
        Assert.Equal(new[] { alice }, (await manager.GetAffectedServersAsync(image, "alice")).Select(s => s.Name));
        var bobImage = ContainerField(Sandbox, bob, "{{.Image}}");

        Sandbox.PushVariant("v2", image);
        var result = await manager.UpdateImageAsync(image, new UpdateOptions { Owner = "alice", HealthTimeout = Health });

        Assert.Equal(new[] { alice }, result.Servers.Select(s => s.Server));
        Assert.Equal(bobImage, ContainerField(Sandbox, bob, "{{.Image}}"));
        Assert.NotEqual(bobImage, ContainerField(Sandbox, alice, "{{.Image}}"));
        Assert.Equal("alice", ContainerField(Sandbox, alice, "{{index .Config.Labels \"io.arkmanager.owner\"}}"));
        await Assert.ThrowsAsync<ServerNotFoundException>(() => manager.RollbackAsync(bob, new RecreateOptions { Owner = "alice" }));
    }

    [Fact]
    public async Task A_recreate_and_a_rollback_keep_the_containers_own_name_when_it_differs_from_the_server_name()
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        await manager.PullImageAsync(image);
        var server = UniqueName("isl");
        var container = "ark-" + server + "-1";
        TrackContainer(container);
        TrackContainer(container + "-ark-new");
        TrackContainer(container + "-ark-old");
        Sandbox.Docker("run", "-d", "--name", container, "--network", "none", "-e", "ARK_STARTUP_DELAY=0.5", "-e", "ARK_SHUTDOWN_SAVE_SECONDS=1",
            "--label", ServerLabels.Server + "=" + server, "--label", ServerLabels.Image + "=" + image, "--stop-timeout", "30", image);
        Assert.Equal(container, (await manager.GetServerAsync(server))!.ContainerName);
        Sandbox.PushVariant("v2", image);

        var updated = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = Health });

        Assert.True(updated.Succeeded, updated.Summary);
        Assert.Equal(UpdateOutcome.Updated, Assert.Single(updated.Servers).Outcome);
        Assert.Equal(updated.Servers[0].ContainerId, ContainerField(Sandbox, container, "{{.Id}}"));
        Assert.Equal(container, (await manager.GetServerAsync(server))!.ContainerName);

        var rolledBack = await manager.RollbackAsync(server, new RecreateOptions { HealthTimeout = Health });

        Assert.True(rolledBack.Succeeded, rolledBack.Error);
        Assert.Equal(rolledBack.ContainerId, ContainerField(Sandbox, container, "{{.Id}}"));
        Assert.Equal(container, (await manager.GetServerAsync(server))!.ContainerName);
        Assert.Equal(updated.Servers[0].OldImageId, ContainerField(Sandbox, container, "{{.Image}}"));
    }

    [Fact]
    public async Task A_container_whose_server_label_is_not_a_valid_name_is_listed_as_invalid_and_never_touched()
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        await manager.PullImageAsync(image);
        var good = UniqueName("good");
        var hostile = UniqueName("hostile");
        TrackContainer(good);
        TrackContainer(hostile);
        TrackContainer(good + "-ark-new");
        Sandbox.Docker("create", "--name", good, "--network", "none", "--label", ServerLabels.Server + "=" + good, "--label", ServerLabels.Image + "=" + image, image);
        Sandbox.Docker("create", "--name", hostile, "--network", "none", "--label", ServerLabels.Server + "=../../../escape-" + hostile, "--label", ServerLabels.Image + "=" + image, image);
        var hostileId = ContainerField(Sandbox, hostile, "{{.Id}}");
        Sandbox.PushVariant("v2", image);

        var listed = Assert.Single(await manager.GetServersAsync(), s => s.ContainerId == hostileId);
        Assert.Contains("not a valid server name", listed.Problem);
        var result = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = Health });

        // Positive control: the valid server in the same run was recreated; the hostile one was not, and nothing was
        // written outside the state directory.
        Assert.Contains(result.Servers, r => r.Server == good && r.Outcome == UpdateOutcome.Updated);
        Assert.DoesNotContain(result.Servers, r => r.Server.Contains("escape", StringComparison.Ordinal));
        Assert.Equal(hostileId, ContainerField(Sandbox, hostile, "{{.Id}}"));
        var state = manager.Options.EffectiveStateDirectory;
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(Path.GetFullPath(state))!, "escape-*", SearchOption.AllDirectories));
        Assert.Throws<InvalidServerNameException>(() => { manager.GetServerAsync("../../../escape-" + hostile).GetAwaiter().GetResult(); });
    }

    [Fact]
    public async Task Registered_container_is_adopted_without_restart_and_labelled_at_its_first_recreate()
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        await manager.PullImageAsync(image);
        var container = UniqueName("compose");
        TrackContainer(container);
        TrackContainer(container + "-ark-new");
        Sandbox.Docker("run", "-d", "--name", container, "--network", "none", "-e", "ARK_STARTUP_DELAY=0.5", "-e", "ARK_SHUTDOWN_SAVE_SECONDS=1",
            "--label", "com.docker.compose.project=ark", "--label", "com.docker.compose.service=island", "--stop-timeout", "30", image);
        var startedAt = ContainerField(Sandbox, container, "{{.State.StartedAt}}");

        var registered = await manager.RegisterServerAsync(container, container, owner: "alice");

        Assert.True(registered.IsRegistered);
        Assert.Equal("alice", registered.Owner);
        Assert.Equal(startedAt, ContainerField(Sandbox, container, "{{.State.StartedAt}}")); // not restarted
        Assert.Contains(await manager.GetServersAsync(), s => s.Name == container);
        Assert.Contains(ContainerField(Sandbox, container, "{{index .Config.Labels \"io.arkmanager.server\"}}"), new[] { string.Empty, "<no value>" });

        var recreated = await manager.RecreateContainerAsync(container, new RecreateOptions { Force = true, HealthTimeout = Health });

        Assert.Equal(UpdateOutcome.Updated, recreated.Outcome);
        Assert.Equal(container, ContainerField(Sandbox, container, "{{index .Config.Labels \"io.arkmanager.server\"}}"));
        Assert.Equal("alice", ContainerField(Sandbox, container, "{{index .Config.Labels \"io.arkmanager.owner\"}}"));
        Assert.Equal("ark", ContainerField(Sandbox, container, "{{index .Config.Labels \"com.docker.compose.project\"}}"));
        Assert.Equal("island", ContainerField(Sandbox, container, "{{index .Config.Labels \"com.docker.compose.service\"}}"));
        Assert.False((await manager.GetServerAsync(container))!.IsRegistered);
    }

    [Fact]
    public async Task Offline_registry_still_allows_recreate_from_a_local_image()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var deadPort = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var image = $"127.0.0.1:{deadPort}/tbro98/offline-{Guid.NewGuid():N}"[..60] + ":latest";
        Sandbox.Docker("pull", "-q", Sandbox.ImageV1);
        Sandbox.Docker("tag", Sandbox.ImageV1, image);
        TrackImage(image);
        using var manager = CreateManager(image);
        var name = UniqueName("off");
        TrackContainer(name);
        TrackContainer(name + "-ark-new");
        await manager.NewServerAsync(Spec(name, image, TempDir("saved"), "vol-" + name));
        await manager.StartServerAsync(name);
        Sandbox.Docker("pull", "-q", Sandbox.ImageV2);
        Sandbox.Docker("tag", Sandbox.ImageV2, image); // a newer image arrived locally (e.g. docker load)

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var check = await manager.CheckImageUpdateAsync(image);
        Assert.Equal(ImageUpdateState.RegistryUnreachable, check.State);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));

        // Without Offline a failed check is a failed update: nothing is pulled or recreated, the error names the cause.
        var containerBefore = ContainerField(Sandbox, name, "{{.Id}}");
        var refused = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = Health });
        Assert.False(refused.Succeeded);
        Assert.Equal("RegistryUnreachable", refused.ErrorId);
        Assert.Equal("RegistryUnreachable", refused.ToException()!.ErrorId);
        Assert.Equal(UpdatePlanStatus.Blocked, Assert.Single(await manager.PlanUpdateAsync(image)).Status);
        Assert.Equal(UpdateOutcome.Skipped, Assert.Single(refused.Servers).Outcome);
        Assert.Equal(containerBefore, ContainerField(Sandbox, name, "{{.Id}}"));

        // Asked for explicitly, the newer local image is used and the result says the registry was not asked.
        var result = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = Health, Offline = true });
        Assert.True(result.Succeeded);
        Assert.False(result.Pulled);
        Assert.Null(result.Check);
        Assert.Equal(UpdateOutcome.Updated, Assert.Single(result.Servers).Outcome);
        Assert.NotEqual(containerBefore, ContainerField(Sandbox, name, "{{.Id}}"));
        Assert.Equal(Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", Sandbox.ImageV2), ContainerField(Sandbox, name, "{{.Image}}"));
        Assert.NotEmpty(await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name }));
    }

    private ArkImageManager CreateManagerSharingState(ArkImageManager manager, string image) =>
        new(manager.Options with { RequiredImages = new[] { image } });

    private static void AssertSameConfig(string beforeJson, string afterJson)
    {
        using var before = JsonDocument.Parse(beforeJson);
        using var after = JsonDocument.Parse(afterJson);
        var b = before.RootElement[0];
        var a = after.RootElement[0];
        foreach (var field in new[] { "Config", "HostConfig", "Name", "Image" })
        {
            Assert.Equal(b.GetProperty(field).GetRawText(), a.GetProperty(field).GetRawText());
        }

        // Docker lists mounts in no fixed order.
        static List<string> Mounts(JsonElement e) => e.GetProperty("Mounts").EnumerateArray().Select(m => m.GetRawText()).OrderBy(x => x, StringComparer.Ordinal).ToList();
        Assert.Equal(Mounts(b), Mounts(a));
    }
}
