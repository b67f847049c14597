using ArkManager.Images.Tests.Infrastructure;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;

namespace ArkManager.Images.Tests.Updates;

/// <summary>A digest that failed its health gate is not retried every night; the image a server runs keeps a tag.</summary>
[Trait("Category", "Integration")]
public sealed class QuarantineTests : SandboxTestBase
{
    private static readonly TimeSpan Health = TimeSpan.FromSeconds(60);

    private async Task<(ArkImageManager Manager, string Image, string Name)> RunningServerAsync()
    {
        var image = PushFresh("v1");
        var manager = CreateManager(image);
        await manager.PullImageAsync(image);
        var name = UniqueName("qua");
        TrackContainer(name);
        TrackContainer(name + "-ark-new");
        TrackContainer(name + "-ark-old");
        await manager.NewServerAsync(Spec(name, image, TempDir("saved"), "vol-" + name));
        await manager.StartServerAsync(name);
        await WaitForLogAsync(Sandbox, name, "advertising for join", TimeSpan.FromSeconds(20));
        return (manager, image, name);
    }

    /// <summary>The daemon's events for this repository's images and this server's containers between two times.</summary>
    private List<string> EventsOf(string image, string name, double since, double until)
    {
        var repository = image[..image.LastIndexOf(':')];
        return Sandbox.Docker("events", "--since", Stamp(since), "--until", Stamp(until), "--format", "{{.Type}} {{.Action}} {{.Actor.ID}} {{index .Actor.Attributes \"name\"}}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(e => (e.StartsWith("image ", StringComparison.Ordinal) && e.Contains(repository, StringComparison.Ordinal)) ||
                        (e.StartsWith("container ", StringComparison.Ordinal) && e.Contains(" " + name, StringComparison.Ordinal)))
            .ToList();
    }

    /// <summary>Now as a Unix time with milliseconds (docker events takes fractions, so windows do not overlap).</summary>
    private static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private static string Stamp(double unix) => unix.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_rolled_back_digest_is_skipped_until_the_registry_offers_another_and_the_running_image_keeps_a_tag()
    {
        var (manager, image, name) = await RunningServerAsync();
        using var _ = manager;
        var repository = image[..image.LastIndexOf(':')];
        var oldId = ContainerField(Sandbox, name, "{{.Id}}");
        var v1Id = ContainerField(Sandbox, name, "{{.Image}}");
        Sandbox.PushVariant("broken", image);

        // Positive control: before the broken digest failed, the plan recreates the server.
        var planBefore = Assert.Single(await manager.PlanUpdateAsync(image));
        Assert.Equal(UpdatePlanStatus.Recreate, planBefore.Status);

        var since1 = Now() - 1;
        var first = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = Health });
        var events1 = EventsOf(image, name, since1, Now() + 1);
        Assert.False(first.Succeeded);
        Assert.True(first.Pulled);
        Assert.Equal(UpdateOutcome.RolledBack, Assert.Single(first.Servers).Outcome);
        Assert.Contains(events1, e => e.StartsWith("image pull", StringComparison.Ordinal));
        Assert.Contains(events1, e => e.StartsWith("container create", StringComparison.Ordinal));
        var brokenId = Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image);
        Assert.NotEqual(v1Id, brokenId); // :latest moved to the broken image ...

        // ... and the image the server runs again keeps a tag of its repository (never <none>).
        var tags = Sandbox.Docker("image", "inspect", "--format", "{{join .RepoTags \" \"}}", v1Id).Split(' ');
        Assert.Contains(repository + ":ark-rollback-" + name, tags);

        // The quarantine is an owner-only file in the state directory.
        var quarantineDir = Path.Combine(manager.Options.EffectiveStateDirectory, "quarantine");
        var file = Assert.Single(Directory.GetFiles(quarantineDir, "*.json"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        Assert.Contains(first.Check!.RemoteDigest!, File.ReadAllText(file));

        var plan = Assert.Single(await manager.PlanUpdateAsync(image));
        Assert.Equal(UpdatePlanStatus.Quarantined, plan.Status);
        Assert.StartsWith("quarantined since ", plan.Reason);
        Assert.Contains("(health gate: ", plan.Reason);
        Assert.Contains("exit code 1", plan.Reason);
        Assert.Contains("-Force", plan.Reason);

        var since2 = Now();
        var second = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = Health });
        var events2 = EventsOf(image, name, since2, Now() + 1);

        Assert.True(second.Succeeded, second.Summary); // not a new failure
        Assert.False(second.Pulled);
        var skipped = Assert.Single(second.Servers);
        Assert.Equal(UpdateOutcome.Skipped, skipped.Outcome);
        Assert.StartsWith("quarantined since ", skipped.Error);
        Assert.Equal(oldId, ContainerField(Sandbox, name, "{{.Id}}"));
        Assert.Equal(v1Id, ContainerField(Sandbox, name, "{{.Image}}"));
        Assert.Equal("true", ContainerField(Sandbox, name, "{{.State.Running}}"));
        Assert.DoesNotContain(events2, e => e.StartsWith("image pull", StringComparison.Ordinal));
        Assert.DoesNotContain(events2, e => e.StartsWith("container ", StringComparison.Ordinal));
        Assert.Single(await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name })); // only the rollback

        // A new digest under the tag lifts the quarantine for it: the next update recreates the server.
        Sandbox.PushVariant("v2", image);
        Assert.Equal(UpdatePlanStatus.Recreate, Assert.Single(await manager.PlanUpdateAsync(image)).Status);
        var third = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = Health });
        Assert.True(third.Succeeded, third.Summary);
        Assert.Equal(UpdateOutcome.Updated, Assert.Single(third.Servers).Outcome);
        Assert.Equal(third.NewImageId, ContainerField(Sandbox, name, "{{.Image}}"));
    }

    [Fact]
    public async Task Force_recreates_a_quarantined_digest_and_lifts_the_quarantine_when_it_passes()
    {
        var (manager, image, name) = await RunningServerAsync();
        using var _ = manager;
        var v1Id = ContainerField(Sandbox, name, "{{.Image}}");
        Sandbox.PushVariant("v2", image);

        // v2 is good, but a readiness line it never prints makes its health gate fail once: it is quarantined.
        var strict = new RecreateOptions { HealthTimeout = TimeSpan.FromSeconds(4), ReadinessPatterns = new[] { "a line the stand-in never prints" } };
        var failed = await manager.UpdateImageAsync(image, new UpdateOptions { Recreation = strict });
        Assert.Equal(UpdateOutcome.RolledBack, Assert.Single(failed.Servers).Outcome);
        Assert.Equal(v1Id, ContainerField(Sandbox, name, "{{.Image}}"));
        var quarantined = Assert.Single(await manager.PlanUpdateAsync(image));
        Assert.Equal(UpdatePlanStatus.Quarantined, quarantined.Status);
        Assert.Contains("no proof of health", quarantined.Reason);

        var forcedPlan = Assert.Single(await manager.PlanUpdateAsync(image, new UpdateOptions { Force = true }));
        Assert.Equal(UpdatePlanStatus.Recreate, forcedPlan.Status);
        Assert.Contains("-Force", forcedPlan.Reason);

        var forced = await manager.UpdateImageAsync(image, new UpdateOptions { Force = true, HealthTimeout = Health });

        Assert.True(forced.Succeeded, forced.Summary);
        Assert.Equal(UpdateOutcome.Updated, Assert.Single(forced.Servers).Outcome);
        Assert.Equal(forced.NewImageId, ContainerField(Sandbox, name, "{{.Image}}"));
        Assert.Empty(Directory.GetFiles(Path.Combine(manager.Options.EffectiveStateDirectory, "quarantine"), "*.json"));
        Assert.Equal(UpdatePlanStatus.AlreadyCurrent, Assert.Single(await manager.PlanUpdateAsync(image)).Status);
    }
}
