using System.Text.Json;
using ArkManager.Images.Tests.Infrastructure;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// On a dockerd of the tests' own: dockerd is SIGKILLed during an update at each step (the step then meets a dead
/// engine), restarted (without live-restore it stops every container), and the next library call that touches the
/// server ends with it running (old or new image) under its own name with its volume byte-identical.
/// </summary>
[Collection(SecondEngineCollection.Name)]
[Trait("Category", "Integration")]
[Trait("Category", "Faults")]
public sealed class DaemonRestartTests : FaultTestBase
{
    private readonly SecondEngine _engine;

    public DaemonRestartTests(SecondEngine engine)
    {
        _engine = engine;
    }

    public static TheoryData<UpdateStep> Steps() => new()
    {
        UpdateStep.Create, UpdateStep.Stop, UpdateStep.RenameOld, UpdateStep.RenameNew, UpdateStep.Start, UpdateStep.HealthGate,
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Dockerd_killed_during_a_step_and_restarted_the_next_call_ends_with_the_server_running(UpdateStep step)
    {
        var image = PushFresh("v1");
        using var manager = new ArkImageManager(new ArkManagerOptions
        {
            DockerHost = _engine.DockerHost,
            RequiredImages = new[] { image },
            StateDirectory = TempDir("state2"),
            DockerConfigDirectory = TempDir("dockercfg2"),
        });
        _engine.Docker("pull", "-q", Sandbox.ImageV1); // the helper image for seeding and hashing volumes
        await manager.PullImageAsync(image);
        var name = UniqueName("dmn");
        var bind = TempDir("saved2");
        var volume = "vol-" + name;
        _engine.Docker("run", "--rm", "--network", "none", "-v", volume + ":/v", "--entrypoint", "/bin/sh", Sandbox.ImageV1, "-c",
            "echo settings > /v/GameUserSettings.ini && busybox head -c 200000 /dev/urandom > /v/blob.bin");
        await manager.NewServerAsync(Spec(name, image, bind, volume));
        await manager.StartServerAsync(name);
        await WaitForLogOnAsync(name, "advertising for join");
        File.WriteAllText(Path.Combine(bind, "Player.arkprofile"), "profile-" + name);
        var oldImageId = _engine.Docker("inspect", "--format", "{{.Image}}", name);
        var hash = HashVolume(_engine.DockerHost, volume, Sandbox.ImageV1);
        Sandbox.PushVariant("v2", image);
        var options = new UpdateOptions { HealthTimeout = TimeSpan.FromSeconds(60) };

        var killed = 0;
        manager.TransactionStepHook = s =>
        {
            if (s == step && killed++ == 0)
            {
                _engine.Kill();
            }

            return Task.CompletedTask;
        };
        try
        {
            var first = await manager.UpdateImageAsync(image, options);
            Assert.False(first.Succeeded, "an update whose engine died mid-way cannot have succeeded: " + first.Summary);
        }
        catch (ArkManagerException)
        {
            // the engine is gone: refusing with a clear error is as good as a failed result
        }
        finally
        {
            manager.TransactionStepHook = null;
        }

        Assert.Equal(1, killed);
        _engine.Restart();

        var rerun = await manager.UpdateImageAsync(image, options);

        var v2 = _engine.Docker("image", "inspect", "--format", "{{.Id}}", image);
        Assert.True(rerun.Succeeded, rerun.Summary + " | " + JsonSerializer.Serialize(rerun));
        Assert.Equal("true", _engine.Docker("inspect", "--format", "{{.State.Running}}", name));
        Assert.Equal("/" + name, _engine.Docker("inspect", "--format", "{{.Name}}", name));
        Assert.Contains(_engine.Docker("inspect", "--format", "{{.Image}}", name), new[] { oldImageId, v2 });
        var leftovers = _engine.Docker("ps", "-a", "--filter", "name=" + name + "-ark-", "--format", "{{.Names}}");
        Assert.Equal(string.Empty, leftovers);
        Assert.Equal(hash, HashVolume(_engine.DockerHost, volume, Sandbox.ImageV1));
        Assert.Equal("profile-" + name, File.ReadAllText(Path.Combine(bind, "Player.arkprofile")));
        _engine.Docker("rm", "-f", name);
        _engine.Docker("volume", "rm", volume);
        Record(Id(nameof(DaemonRestartTests), step), ("daemonRestarts", 1), ("serversLeftRunning", 1), ("volumesByteIdentical", 1), ("containersLost", 0));
    }

    private async Task WaitForLogOnAsync(string container, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!_engine.Docker("logs", container).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{text}' did not appear in the log of {container}");
            await Task.Delay(250);
        }
    }
}
