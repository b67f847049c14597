using ArkManager.Images.Tests.Infrastructure;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// A runner is SIGKILLed after a step's action and before that step is journaled as completed (the side effect happened,
/// the journal does not know it). The next call ends with the server running under its name, data byte-identical,
/// and an exact history: undone (RolledBack) then Updated, or completed (Recovered) once the health gate had passed.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Faults")]
public sealed class KillAfterActionTests : FaultTestBase
{
    public static TheoryData<UpdateStep> Steps() => new()
    {
        UpdateStep.Create, UpdateStep.Stop, UpdateStep.RenameOld, UpdateStep.RenameNew,
        UpdateStep.Start, UpdateStep.HealthGate, UpdateStep.Commit,
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Killed_after_a_step_acted_the_next_update_ends_running_with_the_exact_history(UpdateStep step)
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        var server = await StartServerAsync(manager, image, "kact");
        Sandbox.PushVariant("v2", image);

        using (var runner = RunnerProcess.Start(RunnerArgs(manager, image, "--pause-after", step.ToString())))
        {
            Assert.True(await runner.WaitForLineAsync("PAUSED after " + step, TimeSpan.FromSeconds(120)), runner.Output);
            runner.Kill();
        }

        var journal = Path.Combine(manager.Options.StateDirectory!, "journal", server.Name + ".json");
        Assert.True(File.Exists(journal), "the journal must survive the kill");

        var rerun = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = TimeSpan.FromSeconds(60) });

        Assert.True(rerun.Succeeded, rerun.Summary);
        var v2 = Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image);
        AssertServerIntact(server, v2);
        Assert.False(File.Exists(journal));
        // The commit step had passed the health gate: recovery completes it; any earlier point is undone, then updated.
        var expected = step == UpdateStep.Commit
            ? new[] { UpdateOutcome.Recovered }
            : new[] { UpdateOutcome.RolledBack, UpdateOutcome.Updated };
        Assert.Equal(expected, await OutcomesAsync(manager, server.Name));
        Record(Id(nameof(KillAfterActionTests), step), ("killPointsAfterAction", 1), ("serversLeftRunning", 1), ("volumesByteIdentical", 1), ("containersLost", 0));
    }
}
