using ArkManager.Images.Tests.Infrastructure;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;

namespace ArkManager.Images.Tests.Updates;

[Trait("Category", "Integration")]
public sealed class RollingUpdateTests : SandboxTestBase
{
    private static readonly TimeSpan Health = TimeSpan.FromSeconds(60);

    private async Task<(ArkImageManager Manager, string ImageA, string ImageB, string[] OnA, string OnB)> ThreeServersOnTwoImagesAsync(bool brokenFirst)
    {
        var imageA = PushFresh("v1");
        var imageB = PushFresh("v1");
        var manager = CreateManager(brokenFirst ? new[] { imageB, imageA } : new[] { imageA, imageB });
        await manager.PullImageAsync(imageA);
        await manager.PullImageAsync(imageB);
        var onA = new[] { UniqueName("ra"), UniqueName("rb") };
        var onB = UniqueName("rc");
        foreach (var (name, image) in onA.Select(n => (n, imageA)).Append((onB, imageB)))
        {
            TrackContainer(name);
            TrackContainer(name + "-ark-new");
            TrackContainer(name + "-ark-old");
            await manager.NewServerAsync(Spec(name, image, TempDir("saved"), "vol-" + name));
            await manager.StartServerAsync(name);
        }

        foreach (var name in onA.Append(onB))
        {
            await WaitForLogAsync(Sandbox, name, "advertising for join", TimeSpan.FromSeconds(20));
        }

        return (manager, imageA, imageB, onA, onB);
    }

    private static string RepoPath(string reference, string registry) => reference[(registry.Length + 1)..reference.LastIndexOf(':')];

    [Fact]
    public async Task Rolling_update_pulls_each_image_once_and_never_has_two_servers_down()
    {
        var (manager, imageA, imageB, onA, onB) = await ThreeServersOnTwoImagesAsync(brokenFirst: false);
        using var _ = manager;
        // New images nobody has locally (v1 plus a unique layer), so that the update's pull really downloads; the
        // local tags stay on the images the servers run.
        foreach (var image in new[] { imageA, imageB })
        {
            var oldId = Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image);
            Sandbox.PushUniqueImage(image);
            Sandbox.Docker("tag", oldId, image);
        }

        var countA = Sandbox.RequestsFor(Sandbox.RegistryLog, RepoPath(imageA, Sandbox.Registry)).Count;
        var countB = Sandbox.RequestsFor(Sandbox.RegistryLog, RepoPath(imageB, Sandbox.Registry)).Count;

        var result = await manager.UpdateAllImagesAsync(new UpdateOptions { HealthTimeout = Health, MaxParallel = 1 });

        Assert.True(result.Succeeded, result.Summary);
        Assert.Equal(3, result.Servers.Count);
        Assert.All(result.Servers, s => Assert.Equal(UpdateOutcome.Updated, s.Outcome));
        foreach (var (image, before) in new[] { (imageA, countA), (imageB, countB) })
        {
            // The waiting log reader, with the pull itself as the positive control: its GET of the manifest is seen.
            var during = Sandbox.WaitForRequests(Sandbox.RegistryLog, RepoPath(image, Sandbox.Registry), rs => rs.Skip(before).Any(r => r.Method == "GET" && r.IsManifest)).Skip(before).ToList();
            Assert.Single(during, r => r.Method == "GET" && r.IsManifest); // one pull: the new manifest fetched once
            Assert.Equal(2, during.Count(r => r.Method == "HEAD" && r.IsManifest)); // our one check, and the pull's own resolve of the tag
            Assert.Contains(during, r => r.Method == "GET" && r.IsBlob); // the pull really downloaded
        }

        // Down time of a server: from the start of its Stop to the end of its HealthGate. No two overlap.
        var windows = result.Servers.Select(s =>
        {
            var stop = s.Steps.Single(x => x.Step == UpdateStep.Stop);
            var gate = s.Steps.Single(x => x.Step == UpdateStep.HealthGate);
            return (s.Server, From: stop.StartedAt, To: gate.StartedAt + gate.Duration);
        }).OrderBy(w => w.From).ToList();
        for (var i = 1; i < windows.Count; i++)
        {
            Assert.True(windows[i].From >= windows[i - 1].To, $"{windows[i - 1].Server} and {windows[i].Server} were down at the same time");
        }

        var v2A = Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", imageA);
        Assert.All(onA, n => Assert.Equal(v2A, ContainerField(Sandbox, n, "{{.Image}}")));
        Assert.Equal(Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", imageB), ContainerField(Sandbox, onB, "{{.Image}}"));
    }

    [Fact]
    public async Task A_broken_image_stops_the_batch_with_that_server_rolled_back_and_the_others_untouched()
    {
        var (manager, imageA, imageB, onA, onB) = await ThreeServersOnTwoImagesAsync(brokenFirst: true);
        using var _ = manager;
        var v1 = ContainerField(Sandbox, onA[0], "{{.Image}}");
        var idsBefore = onA.Select(n => ContainerField(Sandbox, n, "{{.Id}}")).ToList();
        Sandbox.PushVariant("broken", imageB);
        Sandbox.PushVariant("v2", imageA);

        var result = await manager.UpdateAllImagesAsync(new UpdateOptions { HealthTimeout = Health });

        Assert.False(result.Succeeded);
        Assert.Equal(UpdateOutcome.RolledBack, result.Servers.Single(s => s.Server == onB).Outcome);
        Assert.All(result.Servers.Where(s => s.Server != onB), s => Assert.Equal(UpdateOutcome.Skipped, s.Outcome));
        Assert.Equal("true", ContainerField(Sandbox, onB, "{{.State.Running}}"));
        Assert.Equal(v1, ContainerField(Sandbox, onB, "{{.Image}}"));
        Assert.Equal(idsBefore, onA.Select(n => ContainerField(Sandbox, n, "{{.Id}}")));
        Assert.All(onA, n => Assert.Equal(v1, ContainerField(Sandbox, n, "{{.Image}}")));
        Assert.All(onA, n => Assert.Equal("true", ContainerField(Sandbox, n, "{{.State.Running}}")));

        // With ContinueOnError the others go on. (The broken digest is quarantined now: without Force the next run
        // would skip onB instead of trying it again, see QuarantineTests.)
        Assert.Equal(UpdatePlanStatus.Quarantined, (await manager.PlanAllAsync()).Single(i => i.Server == onB).Status);
        var again = await manager.UpdateAllImagesAsync(new UpdateOptions { HealthTimeout = Health, ContinueOnError = true, Force = true });
        Assert.False(again.Succeeded);
        Assert.Equal(UpdateOutcome.RolledBack, again.Servers.Single(s => s.Server == onB).Outcome);
        Assert.All(again.Servers.Where(s => s.Server != onB), s => Assert.Equal(UpdateOutcome.Updated, s.Outcome));
    }

    [Fact]
    public async Task Servers_of_one_cluster_are_updated_one_after_another_in_one_window()
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        await manager.PullImageAsync(image);
        var names = new[] { UniqueName("cl"), UniqueName("cl"), UniqueName("solo") };
        for (var i = 0; i < names.Length; i++)
        {
            TrackContainer(names[i]);
            TrackContainer(names[i] + "-ark-new");
            await manager.NewServerAsync(Spec(names[i], image, TempDir("saved"), "vol-" + names[i]) with { Cluster = i < 2 ? "cluster-" + names[0] : null });
            await manager.StartServerAsync(names[i]);
        }

        Assert.Equal("cluster-" + names[0], (await manager.GetServerAsync(names[1]))!.Cluster);
        Sandbox.PushVariant("v2", image);

        // Two windows may run at once: the cluster (two servers, in sequence) and the solo server.
        var result = await manager.UpdateAllImagesAsync(new UpdateOptions { HealthTimeout = Health, MaxParallel = 2 });

        Assert.True(result.Succeeded, result.Summary);
        var c0 = result.Servers.Single(s => s.Server == names[0]);
        var c1 = result.Servers.Single(s => s.Server == names[1]);
        var first = c0.Steps[0].StartedAt < c1.Steps[0].StartedAt ? c0 : c1;
        var second = first == c0 ? c1 : c0;
        var firstEnd = first.Steps[^1].StartedAt + first.Steps[^1].Duration;
        Assert.True(second.Steps[0].StartedAt >= firstEnd, "the cluster's servers overlapped");
    }
}
