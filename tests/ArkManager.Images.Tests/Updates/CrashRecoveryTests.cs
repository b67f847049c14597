using System.Diagnostics;
using ArkManager.Images.Tests.Infrastructure;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;

namespace ArkManager.Images.Tests.Updates;

/// <summary>
/// A child process runs the update and blocks right after a step is journaled; the test SIGKILLs it there, then a
/// re-run in this process must end with the server running and its data intact — for every step.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CrashRecoveryTests : SandboxTestBase
{
    public static TheoryData<UpdateStep, bool> Steps() => new()
    {
        { UpdateStep.Snapshot, false },
        { UpdateStep.Create, false },
        { UpdateStep.Stop, false },
        { UpdateStep.Backup, true },
        { UpdateStep.RenameOld, false },
        { UpdateStep.RenameNew, false },
        { UpdateStep.Start, false },
        { UpdateStep.HealthGate, false },
        { UpdateStep.Commit, false },
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Killed_at_a_step_a_rerun_ends_with_the_server_running_and_data_intact(UpdateStep step, bool backup)
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        await manager.PullImageAsync(image);
        var name = UniqueName("crash");
        var bind = TempDir("saved");
        var volume = "vol-" + name;
        TrackContainer(name);
        TrackContainer(name + "-ark-new");
        TrackContainer(name + "-ark-old");
        SeedVolume(Sandbox, volume, "settings-" + name);
        await manager.NewServerAsync(Spec(name, image, bind, volume));
        await manager.StartServerAsync(name);
        await WaitForLogAsync(Sandbox, name, "advertising for join", TimeSpan.FromSeconds(20));
        File.WriteAllText(Path.Combine(bind, "Player.arkprofile"), "profile-" + name);
        Sandbox.PushVariant("v2", image);

        var runner = Path.Combine(AppContext.BaseDirectory, "ArkManager.Images.UpdateRunner.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { runner, Sandbox.DockerHost, manager.Options.StateDirectory!, image, "--pause-at", step.ToString() })
        {
            psi.ArgumentList.Add(a);
        }

        if (backup)
        {
            psi.ArgumentList.Add("--backup");
        }

        var paused = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        using (var child = new Process { StartInfo = psi })
        {
            child.OutputDataReceived += (_, e) =>
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }

                if (e.Data?.StartsWith("PAUSED at " + step, StringComparison.Ordinal) == true)
                {
                    paused.TrySetResult(true);
                }
            };
            child.ErrorDataReceived += (_, e) =>
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            };
            child.Start();
            child.BeginOutputReadLine();
            child.BeginErrorReadLine();
            var reached = await Task.WhenAny(paused.Task, child.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(120))) == paused.Task;
            child.Kill(entireProcessTree: true); // SIGKILL: no finally blocks, no cleanup
            await child.WaitForExitAsync();
            lock (output)
            {
                Assert.True(reached, $"the runner never reached {step}: {output}");
            }
        }

        Assert.True(File.Exists(Path.Combine(manager.Options.StateDirectory!, "journal", name + ".json")), "the journal should survive the kill");

        // Before the next call, the listing says that the transaction is unfinished and what that call will do.
        var pending = (await manager.GetServerAsync(name))!.PendingTransaction;
        Assert.NotNull(pending);
        Assert.StartsWith($"Update interrupted at {step}: the next call will ", pending);
        Assert.Contains(await manager.GetServersAsync(), s => s.Name == name && s.PendingTransaction == pending);

        var rerun = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = TimeSpan.FromSeconds(60) });
        Assert.Null((await manager.GetServerAsync(name))!.PendingTransaction);

        Assert.True(rerun.Succeeded, rerun.Summary);
        Assert.Equal("true", ContainerField(Sandbox, name, "{{.State.Running}}"));
        var v2 = Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image);
        Assert.Equal(v2, ContainerField(Sandbox, name, "{{.Image}}"));
        Assert.False(ContainerExists(Sandbox, name + "-ark-new"));
        Assert.False(ContainerExists(Sandbox, name + "-ark-old"));
        Assert.Equal("settings-" + name, ReadVolume(Sandbox, volume));
        Assert.Equal("profile-" + name, File.ReadAllText(Path.Combine(bind, "Player.arkprofile")));
        Assert.Contains("FINAL-SAVE-MARKER", File.ReadAllText(Path.Combine(bind, "TheIsland.ark")));
        Assert.False(File.Exists(Path.Combine(manager.Options.StateDirectory!, "journal", name + ".json")));
        var history = await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name });
        Assert.Contains(history, h => h.Outcome is UpdateOutcome.RolledBack or UpdateOutcome.Recovered);

        // The prediction was right: "finish it" ended as Recovered, "undo it" as RolledBack.
        var recovery = history.First(h => h.Outcome is UpdateOutcome.RolledBack or UpdateOutcome.Recovered);
        Assert.Equal(pending!.EndsWith("finish it", StringComparison.Ordinal) ? UpdateOutcome.Recovered : UpdateOutcome.RolledBack, recovery.Outcome);
        Assert.Equal(UpdateOutcome.Updated, history[^1].Outcome is UpdateOutcome.Recovered ? UpdateOutcome.Updated : history[^1].Outcome);
    }
}
