using System.Net.Http.Headers;
using ArkManager.Images.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Tests.Swarm;

/// <summary>
/// Servers as Swarm services on a real two-node Swarm (<see cref="SwarmPair"/>): created on the worker with the image
/// pinned by digest, updated by the engine's own stop-first rollout, a broken image rolled back by the engine, and the
/// update undone with the engine's rollback, the node-local volume data intact throughout.
/// </summary>
[Collection(SwarmPairCollection.Name)]
[Trait("Category", "Integration")]
public sealed class SwarmServiceTests : SandboxTestBase
{
    private static readonly TimeSpan Monitor = TimeSpan.FromSeconds(8);
    private readonly SwarmPair _pair;

    public SwarmServiceTests(SwarmPair pair)
    {
        _pair = pair;
    }

    [Fact]
    public async Task A_service_on_the_second_node_is_updated_by_the_engine_rolled_back_by_it_on_a_broken_image_and_undone_to_v1()
    {
        var image = PushFresh("v1");
        var v1 = await RegistryDigestAsync(image);
        var name = UniqueName("svc");
        var volume = "cfg-" + name;
        SeedWorkerVolume(volume, "seed-" + name);
        var spec = ServiceSpec(name, image, volume);

        // Refused before anything is made: the sandbox engine is no Swarm manager, and the pair has no node 'zz'.
        using (var plain = CreateManager(image))
        {
            var notManager = await Assert.ThrowsAsync<SwarmServiceException>(() => plain.NewServerAsync(spec));
            Assert.Contains("not a Swarm manager", notManager.Message, StringComparison.Ordinal);
        }

        using var manager = PairManager(image);
        var unknown = await Assert.ThrowsAsync<SwarmServiceException>(() => manager.NewServerAsync(spec with { Node = "zz" }));
        Assert.Equal("SwarmServiceRefused", unknown.ErrorId);
        Assert.Contains("ark=b (" + _pair.WorkerNodeId + ")", unknown.Message, StringComparison.Ordinal);
        Assert.Empty(_pair.Manager.Docker("service", "ls", "-q", "--filter", "name=" + name));

        // Positive control in the same window: with a known node it is created, on the worker, pinned to v1's digest.
        var created = await manager.NewServerAsync(spec);
        Assert.Equal(ServerKind.Service, created.Kind);
        Assert.Equal(v1, created.PinnedDigest);
        Assert.Equal(image + "@" + v1, _pair.Manager.Docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", name));
        Assert.Equal("[node.labels.ark==b]", _pair.Manager.Docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.Placement.Constraints}}", name));
        Assert.Equal("5m0s", _pair.Manager.Docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.StopGracePeriod}}", name));
        Assert.Equal("host udp", _pair.Manager.Docker("service", "inspect", "--format", "{{range .Spec.EndpointSpec.Ports}}{{.PublishMode}} {{.Protocol}}{{end}}", name));
        Assert.Equal(name, _pair.Manager.Docker("service", "inspect", "--format", "{{index .Spec.Labels \"io.arkmanager.server\"}}", name));

        var running = await WaitRunningAsync(manager, name);
        Assert.Equal(_pair.WorkerNodeId, running.Node);
        Assert.Equal("v1", WorkerVariant(name));
        Assert.Empty(_pair.Manager.Docker("ps", "-q", "--filter", "label=io.arkmanager.server=" + name)); // the manager runs none of it
        var listed = Assert.Single(await manager.GetServersAsync(), s => s.Name == name);
        Assert.Equal((ServerKind.Service, v1, "running"), (listed.Kind, listed.PinnedDigest, listed.TaskState));
        var affected = Assert.Single(await manager.GetAffectedServersAsync(image));
        Assert.Equal((name, ServerKind.Service, v1), (affected.Name, affected.Kind, affected.Digest));

        // v1 -> v2: the plan, then the engine's rollout, followed to its end.
        Sandbox.PushVariant("v2", image);
        var v2 = await RegistryDigestAsync(image);
        Assert.NotEqual(v1, v2);
        var plan = Assert.Single(await manager.PlanUpdateAsync(image, Options()));
        Assert.Equal(UpdatePlanStatus.Recreate, plan.Status);
        Assert.Equal(new[] { UpdateStep.ServiceUpdate, UpdateStep.Rollout }, plan.Steps);

        var updated = await manager.UpdateImageAsync(image, Options());
        Assert.True(updated.Succeeded, updated.Summary);
        var one = Assert.Single(updated.Servers);
        Assert.Equal((UpdateOutcome.Updated, v1, v2), (one.Outcome, one.OldDigest, one.NewDigest));
        Assert.Equal(new[] { UpdateStep.ServiceUpdate, UpdateStep.Rollout }, one.Steps.Select(s => s.Step));
        Assert.True(one.Steps[1].Duration >= Monitor, "the rollout includes the engine's monitor period: " + one.Steps[1].Duration);
        var afterV2 = await WaitRunningAsync(manager, name);
        Assert.Equal((v2, _pair.WorkerNodeId), (afterV2.PinnedDigest, afterV2.Node));
        Assert.Equal("v2", WorkerVariant(name));
        Assert.Equal("seed-" + name, ReadWorkerVolume(volume));

        // A broken image under the same tag: the engine rolls the service back to v2 by itself.
        Sandbox.PushVariant("broken", image);
        var broken = await RegistryDigestAsync(image);
        var failed = await manager.UpdateImageAsync(image, Options());
        Assert.False(failed.Succeeded, failed.Summary);
        var rolled = Assert.Single(failed.Servers);
        Assert.Equal((UpdateOutcome.RolledBack, v2, broken), (rolled.Outcome, rolled.OldDigest, rolled.NewDigest));
        Assert.Contains("rolled the service back", rolled.Error, StringComparison.Ordinal);
        Assert.Equal("UpdateRolledBack", failed.ToException()!.ErrorId);
        var afterBroken = await WaitRunningAsync(manager, name);
        Assert.Equal((v2, _pair.WorkerNodeId), (afterBroken.PinnedDigest, afterBroken.Node));
        Assert.Equal("v2", WorkerVariant(name));

        var history = await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name });
        Assert.Equal(new[] { (UpdateOutcome.Updated, v2), (UpdateOutcome.RolledBack, broken) }, history.Select(r => (r.Outcome, r.NewDigest!)));
        Assert.All(history, r => Assert.Contains(r.Steps, s => s.Step == UpdateStep.Rollout));

        // Undo-ArkImageUpdate: back to the digest before the last successful update (v1).
        var undone = await manager.RollbackAsync(name, new RecreateOptions { HealthTimeout = Monitor });
        Assert.Equal((UpdateOutcome.Reverted, v1), (undone.Outcome, undone.NewDigest));
        var afterUndo = await WaitRunningAsync(manager, name);
        Assert.Equal((v1, _pair.WorkerNodeId), (afterUndo.PinnedDigest, afterUndo.Node));
        Assert.Equal("v1", WorkerVariant(name));
        Assert.Equal("seed-" + name, ReadWorkerVolume(volume));
        var last = (await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name })).Last();
        Assert.Equal(("Rollback", UpdateOutcome.Reverted), (last.Kind, last.Outcome));
    }

    private static UpdateOptions Options() => new() { HealthTimeout = Monitor };

    private ArkImageManager PairManager(string image) => new(new ArkManagerOptions
    {
        DockerHost = _pair.Manager.DockerHost,
        RequiredImages = new[] { image },
        StateDirectory = TempDir("state-sw"),
        DockerConfigDirectory = TempDir("dockercfg"),
    }, LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug)));

    private ServerSpec ServiceSpec(string name, string image, string volume) => new()
    {
        Name = name,
        Image = image,
        AsService = true,
        Node = _pair.WorkerLabel,
        RestartPolicy = "no",
        Environment = new Dictionary<string, string> { ["ARK_STARTUP_DELAY"] = "0.5", ["ARK_SHUTDOWN_SAVE_SECONDS"] = "1", ["SESSION_NAME"] = "Swarm Island" },
        Volumes = new[] { new VolumeMapping { Source = volume, Target = "/ark/ShooterGame/Saved/Config" } },
        Ports = new[] { new PortMapping { ContainerPort = 7777, HostPort = Random.Shared.Next(20000, 30000), Protocol = "udp" } },
        Labels = new Dictionary<string, string> { ["test"] = "swarm" },
    };

    /// <summary>Polls until the service's current task runs (and no rollout is under way).</summary>
    private static async Task<ServerInfo> WaitRunningAsync(IArkImageManager manager, string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var server = await manager.GetServerAsync(name);
            if (server is { TaskState: "running" })
            {
                return server;
            }

            Assert.True(DateTime.UtcNow < deadline, $"service {name} did not run within 3 minutes: {server?.Status}");
            await Task.Delay(300);
        }
    }

    /// <summary>The ARK_IMAGE_VARIANT of the service's running container on the worker (each fixture image sets its own).</summary>
    private string WorkerVariant(string name)
    {
        var ids = _pair.Worker.Docker("ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + name).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var env = _pair.Worker.Docker("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", Assert.Single(ids));
        return env.Split('\n').Single(l => l.StartsWith("ARK_IMAGE_VARIANT=", StringComparison.Ordinal))["ARK_IMAGE_VARIANT=".Length..];
    }

    private void SeedWorkerVolume(string volume, string content)
    {
        _pair.Worker.Docker("pull", "-q", Sandbox.ImageV1);
        _pair.Worker.Docker("run", "--rm", "--network", "none", "-v", volume + ":/v", "--entrypoint", "/bin/sh", Sandbox.ImageV1, "-c", $"echo '{content}' > /v/GameUserSettings.ini");
    }

    private string ReadWorkerVolume(string volume) =>
        _pair.Worker.Docker("run", "--rm", "--network", "none", "-v", volume + ":/v:ro", "--entrypoint", "/bin/cat", Sandbox.ImageV1, "/v/GameUserSettings.ini");

    /// <summary>The registry's digest of a reference, asked directly (one HEAD), independent of the library.</summary>
    private static async Task<string> RegistryDigestAsync(string reference)
    {
        var slash = reference.IndexOf('/');
        var colon = reference.LastIndexOf(':');
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, $"http://{reference[..slash]}/v2/{reference[(slash + 1)..colon]}/manifests/{reference[(colon + 1)..]}");
        foreach (var type in new[] { "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.index.v1+json" })
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("Docker-Content-Digest").Single();
    }
}
