using ArkManager.Images.Tests.Infrastructure;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// Every way a replacement can fail its health gate rolls back: it exits, it restarts (restart policy + crash), its
/// image healthcheck turns unhealthy, or it proves nothing within the health timeout (never prints its readiness line).
/// The old container runs again under its name on its old image, data byte-identical, one RolledBack record.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Faults")]
public sealed class HealthGateFailureTests : FaultTestBase
{
    public static TheoryData<string, string, string, int> Failures() => new()
    {
        // kind, variant pushed as the update, restart policy of the server, health timeout (s)
        { "exits", "broken", "no", 30 },
        { "restarts", "broken", "always", 30 },
        { "unhealthy", "unhealthy", "no", 30 },
        { "no proof within the timeout", "hang", "no", 6 },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_replacement_that_fails_its_health_gate_is_rolled_back(string kind, string variant, string restartPolicy, int healthTimeout)
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        var server = await StartServerAsync(manager, image, "gate", restartPolicy);
        Sandbox.PushVariant(variant, image);

        var result = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = TimeSpan.FromSeconds(healthTimeout) });

        Assert.False(result.Succeeded, result.Summary);
        var outcome = Assert.Single(result.Servers);
        Assert.Equal(UpdateOutcome.RolledBack, outcome.Outcome);
        var gate = Assert.Single(outcome.Steps, s => s.Step == UpdateStep.HealthGate && s.Status == "Failed");
        var expectedDetail = kind switch
        {
            "exits" => "the new container stopped",
            "restarts" => "the new container restarted",
            "unhealthy" => "the Docker healthcheck reports unhealthy",
            _ => $"no proof of health (readiness log line) within {healthTimeout} s",
        };
        Assert.Contains(expectedDetail, gate.Detail, StringComparison.Ordinal);
        Assert.NotEqual(server.OldImageId, Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image)); // the update really offered another image
        AssertServerIntact(server, server.OldImageId);
        Assert.Equal(restartPolicy, ServerFixtures.ContainerField(Sandbox, server.Name, "{{.HostConfig.RestartPolicy.Name}}"));
        Assert.Equal(new[] { UpdateOutcome.RolledBack }, await OutcomesAsync(manager, server.Name));
        Record(Id(nameof(HealthGateFailureTests), kind), ("healthGateFailureKinds", 1), ("serversLeftRunning", 1), ("volumesByteIdentical", 1), ("containersLost", 0));
    }
}
