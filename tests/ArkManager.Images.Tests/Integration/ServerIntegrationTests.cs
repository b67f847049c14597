using System.Diagnostics;
using ArkManager.Images.Tests.Infrastructure;

namespace ArkManager.Images.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class ServerIntegrationTests : SandboxTestBase
{
    private ServerSpec Spec(string name, string image, string savedDir, double shutdownSeconds = 1) => new()
    {
        Name = name,
        Image = image,
        Network = "none",
        RestartPolicy = "no",
        StopTimeout = TimeSpan.FromSeconds(30),
        Environment = new Dictionary<string, string>
        {
            ["ARK_STARTUP_DELAY"] = "0.5",
            ["ARK_SAVE_INTERVAL"] = "1",
            ["ARK_SHUTDOWN_SAVE_SECONDS"] = shutdownSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
        Volumes = new[] { new VolumeMapping { Source = savedDir, Target = "/ark/ShooterGame/Saved/SavedArks" } },
        Labels = new Dictionary<string, string> { ["test"] = "server-integration" },
    };

    [Fact]
    public async Task New_server_is_refused_when_the_image_is_missing()
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        var name = UniqueName();
        TrackContainer(name);

        var ex = await Assert.ThrowsAsync<MissingImagesException>(() => manager.NewServerAsync(Spec(name, image, TempDir("saved"))));

        Assert.Equal(new[] { image }, ex.Images);
        Assert.Contains("Install-ArkImage", ex.Message);
        Assert.Null(await manager.GetServerAsync(name));
        Assert.False(Sandbox.ImageExists(image));
    }

    [Fact]
    public async Task Create_list_start_stop_round_trip_honours_the_stop_timeout()
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        await manager.PullImageAsync(image);
        var name = UniqueName();
        TrackContainer(name);
        var saved = TempDir("saved");

        // The stand-in takes 12 s to save on SIGTERM: longer than Docker's default 10 s stop.
        var created = await manager.NewServerAsync(Spec(name, image, saved, shutdownSeconds: 12));
        Assert.Equal(name, created.Name);
        Assert.Equal("created", created.State);
        Assert.Equal(TimeSpan.FromSeconds(30), created.StopTimeout);
        Assert.Equal(image, created.Image);
        Assert.Contains(await manager.GetServersAsync(), s => s.Name == name);
        await Assert.ThrowsAsync<ServerAlreadyExistsException>(() => manager.NewServerAsync(Spec(name, image, saved)));

        var started = await manager.StartServerAsync(name);
        Assert.True(started.IsRunning);
        await WaitForLog(name, "advertising for join", TimeSpan.FromSeconds(20));

        var watch = Stopwatch.StartNew();
        var stopped = await manager.StopServerAsync(name);
        watch.Stop();

        Assert.Equal("exited", stopped.State);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(11), $"the stop returned after {watch.Elapsed}: the save was cut short");
        Assert.Equal("0", Sandbox.Docker("inspect", "--format", "{{.State.ExitCode}}", name));
        Assert.Contains("World Save Complete", Sandbox.Docker("logs", name));
        var save = await File.ReadAllTextAsync(Path.Combine(saved, "TheIsland.ark"));
        Assert.Contains("FINAL-SAVE-MARKER", save);
    }

    [Fact]
    public async Task Start_is_refused_when_the_image_is_missing_and_nothing_is_pulled()
    {
        var image = PushFresh("v1");
        var repo = image[(Sandbox.Registry.Length + 1)..image.LastIndexOf(':')];
        using var manager = CreateManager(image);
        await manager.PullImageAsync(image);
        var name = UniqueName();
        TrackContainer(name);
        await manager.NewServerAsync(Spec(name, image, TempDir("saved")));
        Sandbox.Docker("rmi", "-f", image); // the admin removed the tag; the container remains
        var before = Sandbox.RequestsFor(Sandbox.RegistryLog, repo).Count;

        var ex = await Assert.ThrowsAsync<MissingImagesException>(() => manager.StartServerAsync(name));

        Assert.Equal(new[] { image }, ex.Images);
        Assert.Contains(image, ex.Message);
        Assert.Contains("Install-ArkImage -Image", ex.Message);
        Assert.Contains($"Starting server '{name}'", ex.Message);
        Assert.Equal("created", (await manager.GetServerAsync(name))!.State);
        Assert.False(Sandbox.ImageExists(image));
        Assert.Equal(before, Sandbox.RequestsFor(Sandbox.RegistryLog, repo).Count); // the registry saw no pull
    }

    [Fact]
    public async Task Unknown_server_names_are_clear_errors()
    {
        using var manager = CreateManager();
        var name = UniqueName("ghost");
        var ex = await Assert.ThrowsAsync<ServerNotFoundException>(() => manager.StartServerAsync(name));
        Assert.Equal(name, ex.Name);
        await Assert.ThrowsAsync<ServerNotFoundException>(() => manager.StopServerAsync(name));
        Assert.Null(await manager.GetServerAsync(name));
    }

    private async Task WaitForLog(string container, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Sandbox.Docker("logs", container).Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"'{text}' did not appear in the log of {container} within {timeout}");
    }
}
