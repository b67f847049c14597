using ArkManager.Images.Tests.Infrastructure;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// An update to the broken image fails its health gate and starts undoing; the runner is SIGKILLed before one undo step.
/// The next call that touches the server (a start) finishes the undo: the old container runs under its name on the old
/// image, data byte-identical, and the history has exactly one RolledBack record (the killed run wrote none).
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Faults")]
public sealed class KillDuringUndoTests : FaultTestBase
{
    public static TheoryData<UpdateStep> Steps() => new()
    {
        UpdateStep.HealthGate, UpdateStep.Start, UpdateStep.RenameNew, UpdateStep.RenameOld, UpdateStep.Stop, UpdateStep.Create,
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Killed_during_undo_the_next_call_finishes_the_rollback(UpdateStep step)
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        var server = await StartServerAsync(manager, image, "kundo");
        Sandbox.PushVariant("broken", image);

        using (var runner = RunnerProcess.Start(RunnerArgs(manager, image, "--pause-undo", step.ToString(), "--health-timeout", "30")))
        {
            Assert.True(await runner.WaitForLineAsync("PAUSED undo " + step, TimeSpan.FromSeconds(120)), runner.Output);
            runner.Kill();
        }

        var journal = Path.Combine(manager.Options.StateDirectory!, "journal", server.Name + ".json");
        Assert.True(File.Exists(journal), "the journal must survive the kill");
        Assert.Empty(await OutcomesAsync(manager, server.Name)); // positive control below: the recovery writes one record

        await manager.StartServerAsync(server.Name);

        AssertServerIntact(server, server.OldImageId);
        Assert.False(File.Exists(journal));
        await WaitForLogAsync(Sandbox, server.Name, "advertising for join", TimeSpan.FromSeconds(30));
        Assert.Equal(new[] { UpdateOutcome.RolledBack }, await OutcomesAsync(manager, server.Name));
        Record(Id(nameof(KillDuringUndoTests), step), ("killPointsDuringUndo", 1), ("serversLeftRunning", 1), ("volumesByteIdentical", 1), ("containersLost", 0));
    }
}
