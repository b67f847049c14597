using ArkManager.Images.Tests.Infrastructure;

namespace ArkManager.Images.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class UpdateCheckIntegrationTests : SandboxTestBase
{
    private static string RepoPath(string reference, string registry) => reference[(registry.Length + 1)..reference.LastIndexOf(':')];

    [Fact]
    public async Task Re_pushed_tag_is_found_with_one_manifest_head_and_no_get()
    {
        var image = PushFresh("v1");
        var repo = RepoPath(image, Sandbox.Registry);
        using var manager = CreateManager(image);
        await manager.PullImageAsync(image);

        // The waiting log reader: every window ends at a request the test knows was sent.
        var before = Sandbox.WaitForRequests(Sandbox.RegistryLog, repo, rs => rs.Any(r => r.Method == "HEAD" && r.IsManifest && r.Uri.EndsWith("/latest", StringComparison.Ordinal))).Count;
        var upToDate = await manager.CheckImageUpdateAsync(image);
        Assert.Equal(ImageUpdateState.UpToDate, upToDate.State);
        Assert.False(upToDate.UpdateAvailable);
        Assert.Equal(upToDate.LocalDigest, upToDate.RemoteDigest);

        // "An update": a new image (one nobody has locally, so that the control pull below really downloads) pushed
        // under the same tag; the local tag stays on the old image.
        var oldId = Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image);
        Sandbox.PushUniqueImage(image);
        Sandbox.Docker("tag", oldId, image);
        var afterPush = Sandbox.WaitForRequests(Sandbox.RegistryLog, repo, rs => rs.Skip(before).Any(r => r.Method == "PUT" && r.IsManifest)).Count;

        var check = await manager.CheckImageUpdateAsync(image);
        Assert.Equal(ImageUpdateState.UpdateAvailable, check.State);
        Assert.True(check.UpdateAvailable);
        Assert.NotEqual(check.LocalDigest, check.RemoteDigest);
        Assert.Equal(Sandbox.Registry, check.Registry);
        Assert.Null(check.Error);

        // The local image was not touched: the check never pulls.
        var local = await manager.GetImageInfoAsync(image);
        Assert.Equal(check.LocalDigest, local!.Digest);

        // Positive control in the same window, seen by the same reader: a real pull of the new image, by its digest
        // (so that its requests are told apart from the check's, which asks for the tag).
        var byDigest = image[..image.LastIndexOf(':')] + "@" + check.RemoteDigest;
        Sandbox.Docker("pull", "-q", byDigest);
        TrackImage(byDigest);
        var all = Sandbox.WaitForRequests(Sandbox.RegistryLog, repo, rs => rs.Skip(afterPush).Any(r => r.Method == "GET" && r.IsManifest && r.Uri.EndsWith(check.RemoteDigest!, StringComparison.Ordinal)));
        var control = all.Skip(afterPush).ToList().FindIndex(r => r.IsManifest && r.Uri.EndsWith(check.RemoteDigest!, StringComparison.Ordinal));
        Assert.Contains(all.Skip(afterPush + control), r => r.Method == "GET" && r.IsBlob); // the reader sees a pull's GETs

        var firstCheck = all.Skip(before).Take(afterPush - before).ToList();
        var secondCheck = all.Skip(afterPush).Take(control).ToList();
        foreach (var window in new[] { firstCheck, secondCheck })
        {
            Assert.Single(window, r => r.Method == "HEAD" && r.IsManifest);
            Assert.DoesNotContain(window, r => r.Method == "GET" && (r.IsManifest || r.IsBlob));
        }
    }

    [Fact]
    public async Task Missing_local_image_is_reported_as_such_without_asking_the_registry()
    {
        var image = PushFresh("v1");
        var repo = RepoPath(image, Sandbox.Registry);
        using var manager = CreateManager(image);
        var before = Sandbox.RequestsFor(Sandbox.RegistryLog, repo).Count;

        var check = await manager.CheckImageUpdateAsync(image);

        Assert.Equal(ImageUpdateState.NotPresentLocally, check.State);
        Assert.False(check.UpdateAvailable);
        Assert.Contains("Install-ArkImage", check.Error);
        Assert.Equal(before, Sandbox.RequestsFor(Sandbox.RegistryLog, repo).Count);
    }

    [Fact]
    public async Task One_unreachable_registry_does_not_hide_the_others()
    {
        var good = PushFresh("v1");
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var deadPort = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var dead = $"127.0.0.1:{deadPort}/tbro98/ase-server:latest";
        using var manager = CreateManager(good, dead);
        await manager.PullImageAsync(good);
        // Make the unreachable one present locally, so the registry is really asked.
        Sandbox.Docker("tag", good, dead);
        TrackImage(dead);

        var results = await manager.CheckImageUpdatesAsync();

        Assert.Equal(2, results.Count);
        Assert.Equal(ImageUpdateState.UpToDate, results[good].State);
        Assert.Equal(ImageUpdateState.RegistryUnreachable, results[dead].State);
        Assert.Contains($"127.0.0.1:{deadPort}", results[dead].Error);
        Assert.False(results[dead].UpdateAvailable);
    }

    [Fact]
    public async Task Tag_missing_in_the_registry_is_not_an_update()
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        await manager.PullImageAsync(image);
        var other = image[..image.LastIndexOf(':')] + ":never-pushed";
        Sandbox.Docker("tag", image, other);
        TrackImage(other);

        var check = await manager.CheckImageUpdateAsync(other);

        Assert.Equal(ImageUpdateState.NotFoundInRegistry, check.State);
        Assert.False(check.UpdateAvailable);
    }

    [Fact]
    public async Task Local_digest_is_the_one_of_the_checked_repository()
    {
        var a = PushFresh("v1");
        using var manager = CreateManager(a);
        await manager.PullImageAsync(a);
        // Same image under a second repository that has never been pushed: it has a RepoDigest for a only.
        var b = Sandbox.UniqueRepository("local") + ":latest";
        Sandbox.Docker("tag", a, b);
        TrackImage(b);

        var info = await manager.GetImageInfoAsync(b);
        Assert.Null(info!.Digest);
        Assert.NotEmpty(info.RepoDigests);

        var check = await manager.CheckImageUpdateAsync(b);
        Assert.NotEqual(ImageUpdateState.UpToDate, check.State);
        Assert.NotEqual(ImageUpdateState.UpdateAvailable, check.State);
    }
}
