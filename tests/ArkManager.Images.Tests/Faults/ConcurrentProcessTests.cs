using System.Text.Json;
using ArkManager.Images.Tests.Infrastructure;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// Several UpdateRunner processes update the same servers at once: each server is recreated exactly once (one
/// container-create event carrying its server label after the start, one Updated record); every other process either
/// finds it current or is refused with "locked by pid … since …".
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Faults")]
public sealed class ConcurrentProcessTests : FaultTestBase
{
    [Fact]
    public async Task Two_processes_updating_one_server_recreate_it_once()
    {
        var summary = await RunConcurrentlyAsync(processes: 2, servers: 1);
        Record(nameof(Two_processes_updating_one_server_recreate_it_once), ("concurrentProcesses", 2), ("serversLeftRunning", summary.Servers), ("volumesByteIdentical", summary.Servers), ("containersLost", 0), ("lockRefusalsSeen", summary.Refusals));
    }

    [Fact]
    public async Task Ten_processes_over_three_servers_recreate_each_server_once()
    {
        var summary = await RunConcurrentlyAsync(processes: 10, servers: 3);
        Record(nameof(Ten_processes_over_three_servers_recreate_each_server_once), ("concurrentProcesses", 10), ("serversLeftRunning", summary.Servers), ("volumesByteIdentical", summary.Servers), ("containersLost", 0), ("lockRefusalsSeen", summary.Refusals));
    }

    private async Task<(int Servers, int Refusals)> RunConcurrentlyAsync(int processes, int servers)
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        var list = new List<FaultServer>();
        for (var i = 0; i < servers; i++)
        {
            list.Add(await StartServerAsync(manager, image, "conc"));
        }

        Sandbox.PushVariant("v2", image);
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds(); // the servers were created seconds before (readiness, hashes, push)

        // Ten .NET processes starting at once on two cores: the engine ping gets a generous connect timeout.
        var runners = Enumerable.Range(0, processes).Select(_ => RunnerProcess.Start(RunnerArgs(manager, image, "--health-timeout", "60", "--connect-timeout", "60"))).ToList();
        var refusals = 0;
        try
        {
            foreach (var r in runners)
            {
                var code = await r.WaitForExitAsync(TimeSpan.FromSeconds(150));
                var line = r.Line("RESULT ");
                Assert.True(line != null, $"runner pid {r.Pid} exited {code} without a result: {r.Output}");
                using var doc = JsonDocument.Parse(line!["RESULT ".Length..]);
                var refusedHere = false;
                foreach (var s in doc.RootElement.GetProperty("Servers").EnumerateArray())
                {
                    var outcome = s.GetProperty("Outcome").GetString();
                    var error = s.TryGetProperty("Error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : string.Empty;
                    if (outcome is "Updated" or "AlreadyCurrent")
                    {
                        continue;
                    }

                    if (refusedHere && error.StartsWith("not attempted: an earlier server failed", StringComparison.Ordinal))
                    {
                        continue; // after a refusal a run stops (no ContinueOnError): the holder of the lock goes on
                    }

                    // The only acceptable failure: another process holds the server.
                    Assert.Matches(@"locked by pid \d+ .*since ", error);
                    refusedHere = true;
                    refusals++;
                }
            }
        }
        finally
        {
            runners.ForEach(r => r.Dispose());
        }

        var until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds();
        var v2 = Sandbox.Docker("image", "inspect", "--format", "{{.Id}}", image);
        foreach (var server in list)
        {
            AssertServerIntact(server, v2);
            var creates = Sandbox.Docker("events", "--since", since.ToString(), "--until", until.ToString(), "--filter", "type=container", "--filter", "event=create",
                "--filter", "label=" + ServerLabels.Server + "=" + server.Name, "--format", "{{.Actor.Attributes.name}}")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(creates); // the replacement, created once (the original was created before 'since')
            Assert.Equal(new[] { UpdateOutcome.Updated }, await OutcomesAsync(manager, server.Name));
        }

        return (list.Count, refusals);
    }
}
