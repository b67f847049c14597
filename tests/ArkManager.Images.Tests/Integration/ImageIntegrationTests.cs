using ArkManager.Images.Tests.Infrastructure;

namespace ArkManager.Images.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class ImageIntegrationTests : SandboxTestBase
{
    [Fact]
    public async Task Engine_api_version_is_negotiated_and_pinned()
    {
        using var manager = CreateManager();
        var engine = await manager.GetEngineInfoAsync();
        Assert.Equal("option", engine.EndpointSource);
        Assert.Equal(Sandbox.DockerHost, engine.Endpoint);
        Assert.Equal(engine.MaxApiVersion, engine.ApiVersion); // the sandbox daemon (1.41) is below the library's maximum
        Assert.Contains(Logs.Lines, l => l.Contains("Engine API " + engine.ApiVersion));
    }

    [Fact]
    public async Task Validate_lists_missing_images_and_never_pulls()
    {
        var image = PushFresh("v1");
        var repository = image[..image.LastIndexOf(':')];
        var repoPath = image[(Sandbox.Registry.Length + 1)..image.LastIndexOf(':')];
        var digest = Sandbox.RepoDigestOf(Sandbox.ImageV1); // the same manifest: v1 copied to this repository
        using var manager = CreateManager(image);
        var pushed = Sandbox.WaitForRequests(Sandbox.RegistryLog, repoPath, rs => rs.Any(r => r.Method == "PUT" && r.IsManifest)).Count;

        var missing = await manager.ValidateRequiredImagesAsync();

        Assert.Equal(new[] { image }, missing);
        Assert.False(Sandbox.ImageExists(image));

        // Positive control in the same window, seen by the same reader: a real pull (by digest, so that its requests
        // cannot be mistaken for a pull of the tag by the validation).
        Sandbox.Docker("pull", "-q", repository + "@" + digest);
        TrackImage(repository + "@" + digest);
        var all = Sandbox.WaitForRequests(Sandbox.RegistryLog, repoPath, rs => rs.Skip(pushed).Any(r => r.IsManifest && r.Uri.EndsWith(digest, StringComparison.Ordinal)));
        var control = all.Skip(pushed).ToList().FindIndex(r => r.IsManifest && r.Uri.EndsWith(digest, StringComparison.Ordinal));
        var window = all.Skip(pushed).Take(control).ToList();
        Assert.DoesNotContain(window, r => r.IsManifest || r.Method == "GET"); // the validation asked the registry nothing
    }

    [Fact]
    public async Task Status_pull_and_info_round_trip()
    {
        var image = PushUnique();
        using var manager = CreateManager(image);
        var before = Assert.Single(await manager.GetImageStatusAsync());
        Assert.False(before.Present);
        Assert.Null(before.Info);
        Assert.Null(await manager.GetImageInfoAsync(image));

        var reports = new List<PullProgress>();
        var pulled = await manager.PullImageAsync(image, new SyncProgress<PullProgress>(reports.Add));

        Assert.StartsWith("sha256:", pulled.Id);
        Assert.Contains(image, pulled.RepoTags);
        Assert.Equal("linux", pulled.Os);
        Assert.False(string.IsNullOrEmpty(pulled.Architecture));
        Assert.True(pulled.Size > 0);
        Assert.True(pulled.Created > DateTimeOffset.UnixEpoch);
        Assert.Equal("v1", pulled.Labels["org.opencontainers.image.version"]);
        Assert.Contains(reports, r => r.Status == "Downloading" && r.Total > 0 && r.OverallFraction > 0 && r.OverallFraction < 1);
        Assert.Contains(reports, r => r.Layers.Any(l => l.Status == "Pull complete"));
        Assert.StartsWith("sha256:", pulled.Digest);
        Assert.Contains(reports, r => r.LayerId != null && r.Layers.Count > 0);
        Assert.True(reports[^1].Completed);
        Assert.Equal(1.0, reports[^1].OverallFraction);

        var after = Assert.Single(await manager.GetImageStatusAsync());
        Assert.True(after.Present);
        Assert.Equal(pulled.Id, after.Info!.Id);
        Assert.Empty(await manager.ValidateRequiredImagesAsync());
        var info = await manager.GetImageInfoAsync(image);
        Assert.Equal(pulled, info! with { Labels = pulled.Labels, RepoTags = pulled.RepoTags, RepoDigests = pulled.RepoDigests });
    }

    [Fact]
    public async Task Pull_of_a_nonexistent_image_names_it()
    {
        var image = Sandbox.UniqueRepository("missing") + ":nope";
        using var manager = CreateManager(image);
        var ex = await Assert.ThrowsAsync<ImagePullException>(() => manager.PullImageAsync(image));
        Assert.Equal(image, ex.Image);
        Assert.Contains(image, ex.Message);
        Assert.Equal("ImagePullFailed", ex.ErrorId);
    }

    [Fact]
    public async Task Pull_can_be_cancelled()
    {
        var image = PushFresh("v2");
        using var manager = CreateManager(image);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => manager.PullImageAsync(image, null, cts.Token));
        Assert.False(Sandbox.ImageExists(image));
    }

    [Theory]
    [InlineData("")]
    [InlineData("tbro98/ASE-server")]
    [InlineData("repo:bad tag")]
    [InlineData("repo@sha256:123")]
    [InlineData("a//b")]
    public async Task Invalid_references_fail_before_any_io(string reference)
    {
        // The daemon endpoint does not exist: an I/O attempt would raise DockerUnavailableException instead.
        using var manager = new ArkImageManager(new ArkManagerOptions { DockerHost = "unix:///tmp/ark-no-daemon-" + Guid.NewGuid().ToString("N") + ".sock" });
        await Assert.ThrowsAsync<InvalidImageReferenceException>(() => manager.GetImageInfoAsync(reference));
        await Assert.ThrowsAsync<InvalidImageReferenceException>(() => manager.PullImageAsync(reference));
        await Assert.ThrowsAsync<InvalidImageReferenceException>(() => manager.CheckImageUpdateAsync(reference));
    }

    [Fact]
    public async Task Unreachable_daemon_fails_clearly_and_quickly()
    {
        var socket = "unix:///tmp/ark-no-daemon-" + Guid.NewGuid().ToString("N") + ".sock";
        using var manager = new ArkImageManager(new ArkManagerOptions { DockerHost = socket, ConnectTimeout = TimeSpan.FromSeconds(2) });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<DockerUnavailableException>(() => manager.ValidateRequiredImagesAsync());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.Equal(socket, ex.Endpoint);
        Assert.Contains(socket, ex.Message);
        Assert.Equal("DockerUnavailable", ex.ErrorId);
    }

    [Fact]
    public async Task Unreachable_tcp_daemon_fails_clearly()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        using var manager = new ArkImageManager(new ArkManagerOptions { DockerHost = $"tcp://127.0.0.1:{port}", ConnectTimeout = TimeSpan.FromSeconds(2) });
        var ex = await Assert.ThrowsAsync<DockerUnavailableException>(() => manager.GetImageStatusAsync());
        Assert.Contains($"127.0.0.1:{port}", ex.Message);
    }
}

/// <summary>An IProgress that reports synchronously (System.Progress posts to the thread pool, out of order).</summary>
public sealed class SyncProgress<T>(Action<T> action) : IProgress<T>
{
    public void Report(T value) => action(value);
}
