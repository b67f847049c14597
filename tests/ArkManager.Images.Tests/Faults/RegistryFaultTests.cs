using System.Diagnostics;
using ArkManager.Images.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// Registry faults injected by a <see cref="FaultFront"/> on 127.0.0.1 before the sandbox registry: each check ends in a
/// per-image error state within the registry timeout, each update reports the registry's ErrorId and touches no
/// container, a truncated blob leaves the old image and the server as they were (the same pull through a healthy front
/// succeeds).
/// </summary>
[Trait("Category", "Integration")]
public sealed class RegistryFaultTests : SandboxTestBase
{
    private static readonly TimeSpan RegistryTimeout = TimeSpan.FromSeconds(3);

    private ArkImageManager Manager(FaultFront front, string image) =>
        new(new ArkManagerOptions
        {
            DockerHost = Sandbox.DockerHost,
            RequiredImages = new[] { image },
            StateDirectory = TempDir("state"),
            DockerConfigDirectory = TempDir("dockercfg"),
            InsecureRegistries = new[] { front.Host },
            RegistryTimeout = RegistryTimeout,
        }, LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug)));

    /// <summary>A server running an image pulled through the (healthy) front; the registry then holds a newer digest.</summary>
    private async Task<(ArkImageManager Manager, string Image, string Name, string Volume)> ServerBehindFrontAsync(FaultFront front)
    {
        var direct = Sandbox.UniqueRepository("f") + ":latest";
        Sandbox.PushUniqueImage(direct);
        var image = front.Host + direct[direct.IndexOf('/', StringComparison.Ordinal)..];
        TrackImage(direct);
        TrackImage(image);
        var manager = Manager(front, image);
        await manager.PullImageAsync(image);
        var name = UniqueName("flt");
        var volume = "vol-" + name;
        TrackContainer(name);
        TrackContainer(name + "-ark-new");
        TrackContainer(name + "-ark-old");
        SeedVolume(Sandbox, volume, "volume-data-" + name);
        await manager.NewServerAsync(Spec(name, image, TempDir("saved"), volume));
        await manager.StartServerAsync(name);
        Sandbox.PushUniqueImage(direct); // a newer digest under the same tag
        return (manager, image, name, volume);
    }

    private string Fingerprint(string name) =>
        ContainerField(Sandbox, name, "{{.Id}} {{.Image}} {{.State.Running}} {{.State.StartedAt}} {{.RestartCount}}");

    public static TheoryData<FaultKind, ImageUpdateState, string> Faults => new()
    {
        { FaultKind.Http500, ImageUpdateState.Error, "RegistryCheckFailed" },
        { FaultKind.Http401, ImageUpdateState.AuthenticationFailed, "RegistryAuthenticationFailed" },
        { FaultKind.Http429, ImageUpdateState.RateLimited, "RegistryRateLimited" },
        { FaultKind.Stall, ImageUpdateState.RegistryUnreachable, "RegistryUnreachable" },
        { FaultKind.Reset, ImageUpdateState.RegistryUnreachable, "RegistryUnreachable" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_faulty_registry_is_a_per_image_error_and_a_failed_update_that_touches_no_container(FaultKind kind, ImageUpdateState expectedState, string expectedErrorId)
    {
        using var front = new FaultFront(Sandbox.Registry);
        var (manager, image, name, volume) = await ServerBehindFrontAsync(front);
        using var _ = manager;
        var before = Fingerprint(name);
        var imageBefore = Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image);

        // Positive control in the same window: through the healthy front the check sees the newer digest.
        var healthy = await manager.CheckImageUpdateAsync(image);
        Assert.Equal(ImageUpdateState.UpdateAvailable, healthy.State);

        front.Set(kind, retryAfterSeconds: 60);
        var stopwatch = Stopwatch.StartNew();
        var check = await manager.CheckImageUpdateAsync(image);
        var checkSeconds = stopwatch.Elapsed.TotalSeconds;
        Assert.Equal(expectedState, check.State);
        Assert.False(check.UpdateAvailable);
        Assert.False(string.IsNullOrWhiteSpace(check.Error));
        Assert.True(checkSeconds < RegistryTimeout.TotalSeconds * 3, $"the check took {checkSeconds:0.0} s");

        var update = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = TimeSpan.FromSeconds(30) });
        Assert.False(update.Succeeded, update.Summary);
        Assert.Equal(expectedErrorId, update.ErrorId);
        Assert.False(update.Pulled);
        var thrown = update.ToException();
        var ark = Assert.IsAssignableFrom<ArkManagerException>(thrown);
        Assert.Equal(expectedErrorId, ark.ErrorId);
        Assert.All(update.Servers, s => Assert.NotEqual(UpdateOutcome.Updated, s.Outcome));

        Assert.Equal(before, Fingerprint(name));
        Assert.Equal(imageBefore, Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image));
        Assert.Equal("volume-data-" + name, ReadVolume(Sandbox, volume));
        Assert.Empty(await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name }));
        var running = Fingerprint(name).Contains(" true ", StringComparison.Ordinal) ? 1 : 0;
        Assert.Equal(1, running);

        ReliabilityFigures.Record("registryFaults", kind.ToString(), new Dictionary<string, object>
        {
            ["faultsInjected"] = front.FaultsInjected,
            ["checkState"] = check.State.ToString(),
            ["checkSeconds"] = Math.Round(checkSeconds, 2),
            ["registryTimeoutSeconds"] = RegistryTimeout.TotalSeconds,
            ["updateSucceeded"] = update.Succeeded,
            ["errorId"] = update.ErrorId ?? string.Empty,
            ["serversLeftRunning"] = running,
            ["serversTotal"] = 1,
            ["volumesByteIdentical"] = true,
            ["containersLost"] = 0,
        });
    }

    [Fact]
    public async Task A_short_429_is_retried_once_after_its_Retry_After()
    {
        using var front = new FaultFront(Sandbox.Registry);
        var (manager, image, name, _) = await ServerBehindFrontAsync(front);
        using var __ = manager;
        var repository = image[(image.IndexOf('/', StringComparison.Ordinal) + 1)..image.LastIndexOf(':')];
        var headsBefore = front.Count("HEAD", repository + "/manifests/");

        front.Set(FaultKind.Http429, retryAfterSeconds: 1, budget: 1);
        var stopwatch = Stopwatch.StartNew();
        var check = await manager.CheckImageUpdateAsync(image);

        Assert.Equal(ImageUpdateState.UpdateAvailable, check.State);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(0.9), stopwatch.Elapsed.ToString());
        Assert.Equal(2, front.Count("HEAD", repository + "/manifests/") - headsBefore);
        Assert.Equal(1, front.FaultsInjected);
        Assert.Contains(Logs.Lines, l => l.Contains("HTTP 429", StringComparison.Ordinal) && l.Contains("retrying once", StringComparison.Ordinal));

        // Two 429 in a row: retried once, then reported (no third request).
        front.Set(FaultKind.Http429, retryAfterSeconds: 1, budget: 2);
        var heads = front.Count("HEAD", repository + "/manifests/");
        var twice = await manager.CheckImageUpdateAsync(image);
        Assert.Equal(ImageUpdateState.RateLimited, twice.State);
        Assert.Equal(2, front.Count("HEAD", repository + "/manifests/") - heads);

        // A long Retry-After is not honoured: one request, reported at once.
        front.Set(FaultKind.Http429, retryAfterSeconds: 3600);
        heads = front.Count("HEAD", repository + "/manifests/");
        stopwatch.Restart();
        var longWait = await manager.CheckImageUpdateAsync(image);
        Assert.Equal(ImageUpdateState.RateLimited, longWait.State);
        Assert.Contains("3600 s", longWait.Error);
        Assert.Equal(1, front.Count("HEAD", repository + "/manifests/") - heads);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), stopwatch.Elapsed.ToString());
        Assert.Equal("true", ContainerField(Sandbox, name, "{{.State.Running}}"));

        ReliabilityFigures.Record("registryFaults", "Http429ShortRetryAfter", new Dictionary<string, object>
        {
            ["faultsInjected"] = front.FaultsInjected,
            ["outcome"] = "1 s Retry-After: retried once -> UpdateAvailable; 429 twice -> RateLimited after 2 HEAD; 3600 s -> RateLimited after 1 HEAD",
            ["serversLeftRunning"] = 1,
            ["serversTotal"] = 1,
            ["containersLost"] = 0,
        });
    }

    [Fact]
    public async Task A_truncated_blob_fails_the_pull_and_leaves_the_old_image_and_the_server_untouched()
    {
        using var front = new FaultFront(Sandbox.Registry);
        var (manager, image, name, volume) = await ServerBehindFrontAsync(front);
        using var _ = manager;
        var before = Fingerprint(name);
        var imageBefore = Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image);

        front.Set(FaultKind.TruncateBlob);
        var failed = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = TimeSpan.FromSeconds(60) });

        Assert.False(failed.Succeeded, failed.Summary);
        Assert.Equal("ImagePullFailed", failed.ErrorId);
        Assert.True(front.FaultsInjected >= 1);
        Assert.Equal(before, Fingerprint(name));
        Assert.Equal(imageBefore, Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image));
        Assert.Equal("volume-data-" + name, ReadVolume(Sandbox, volume));
        Assert.Empty(await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name }));
        var truncations = front.FaultsInjected;

        // Positive control: the same update through the healthy front pulls and recreates.
        front.Set(FaultKind.Pass);
        var ok = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = TimeSpan.FromSeconds(60) });
        Assert.True(ok.Succeeded, ok.Summary);
        Assert.True(ok.Pulled);
        Assert.NotEqual(imageBefore, Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image));
        Assert.Equal(UpdateOutcome.Updated, Assert.Single(ok.Servers).Outcome);
        Assert.Equal("true", ContainerField(Sandbox, name, "{{.State.Running}}"));
        Assert.Equal("volume-data-" + name, ReadVolume(Sandbox, volume));

        ReliabilityFigures.Record("registryFaults", "TruncatedBlob", new Dictionary<string, object>
        {
            ["faultsInjected"] = truncations,
            ["outcome"] = "pull failed (ImagePullFailed), old image and container unchanged; healthy front: pulled and updated",
            ["errorId"] = failed.ErrorId ?? string.Empty,
            ["serversLeftRunning"] = 1,
            ["serversTotal"] = 1,
            ["volumesByteIdentical"] = true,
            ["containersLost"] = 0,
        });
    }
}
