using System.Text.Json;
using ArkManager.Images.Benchmarks.Harness;

namespace ArkManager.Images.Benchmarks.Scenarios;

/// <summary>
/// A rolling update of servers spread over two Docker hosts (the sandbox engine and a second dockerd): one
/// `Update-ArkImage` over a configuration with both hosts, against doing the same by hand with the docker CLI (pull on
/// each host, then each server stopped, removed, run and waited for, one after another).
/// </summary>
internal static class MultiHostScenario
{
    private static readonly string[] ServerEnv = { "ARK_STARTUP_DELAY=0.5", "ARK_SAVE_INTERVAL=3600", "ARK_SHUTDOWN_SAVE_SECONDS=1" };

    public static IEnumerable<Row> Run(BenchContext ctx)
    {
        var perHost = ctx.Sizes.Name == "full" ? 3 : 1;
        var row = new Row
        {
            Id = "multi-host-update",
            Figure = $"rolling update of {perHost * 2} servers over 2 hosts, Update-ArkImage",
            Goal = "≤ 1.2× the docker CLI by hand",
        };
        using var engine = new BenchEngine(ctx.WorkDir);
        var ours = $"{ctx.Registry}/bench/mh-ours:latest";
        var theirs = $"{ctx.Registry}/bench/mh-script:latest";
        var hosts = new[] { ("a", ctx.DockerEnv), ("b", engine.DockerEnv) };
        var images = new[] { ctx.ImageV1, ctx.ImageV2 };
        ctx.DockerOk("pull", "-q", ctx.ImageV2);
        Publish(ctx, engine, ours, images[0], images[0]);
        Publish(ctx, engine, theirs, images[0], images[0]);

        var config = Path.Combine(ctx.WorkDir, "multi-host.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["hosts"] = new[] { new Dictionary<string, string> { ["name"] = "a", ["dockerHost"] = ctx.DockerHost }, new Dictionary<string, string> { ["name"] = "b", ["dockerHost"] = engine.DockerHost } },
            ["requiredImages"] = new[] { ours },
            ["stateDirectory"] = Path.Combine(ctx.WorkDir, "state-multi-host-" + Guid.NewGuid().ToString("N")[..6]),
        }));
        var env = string.Join("; ", ServerEnv.Select(e => $"'{e.Split('=')[0]}' = '{e.Split('=')[1]}'"));
        var names = hosts.SelectMany(h => Enumerable.Range(1, perHost).Select(i => (Host: h, Ours: $"bench-mh-{h.Item1}{i}", Script: $"bench-mhs-{h.Item1}{i}"))).ToList();
        foreach (var n in names)
        {
            Proc.Run("docker", new[] { "rm", "-f", n.Ours, n.Script, n.Ours + "-ark-old", n.Ours + "-ark-new" }, n.Host.Item2);
        }

        try
        {
            ctx.Pwsh("$ErrorActionPreference='Stop'\nImport-Module " + BenchContext.Quote(ctx.Manifest) + "\n" + string.Join("\n", names.Select(n =>
                $"$null = New-ArkServer -Name {n.Host.Item1}/{n.Ours} -Image {BenchContext.Quote(ours)} -Network none -Environment @{{ {env} }} -StopTimeout 30 -RestartPolicy no -ConfigPath {BenchContext.Quote(config)} -Confirm:$false\n" +
                $"$null = Start-ArkServer -Name {n.Host.Item1}/{n.Ours} -ConfigPath {BenchContext.Quote(config)} -Confirm:$false"))).EnsureSuccess("New-ArkServer (multi-host)");
            foreach (var n in names)
            {
                Proc.Bash(RunScript(n.Script, theirs), n.Host.Item2).EnsureSuccess("docker run (multi-host script server)");
            }

            var oursTimes = new List<double>();
            var scriptTimes = new List<double>();
            for (var i = 0; i < ctx.Sizes.UpdatePairs; i++)
            {
                var current = images[i % 2];
                var target = images[(i + 1) % 2];
                Publish(ctx, engine, ours, target, current);
                Publish(ctx, engine, theirs, target, current);
                for (var turn = 0; turn < 2; turn++)
                {
                    if ((turn == 0) == (i % 2 == 0))
                    {
                        var r = ctx.PwshBench($@"$ErrorActionPreference='Stop'
Import-Module {BenchContext.Quote(ctx.Manifest)}
$sw = [Diagnostics.Stopwatch]::StartNew()
$result = Update-ArkImage -Image {BenchContext.Quote(ours)} -ConfigPath {BenchContext.Quote(config)} -Confirm:$false -NoWarning -MaxParallel 1 -HealthTimeout 00:01:00
$sw.Stop()
if (@($result.Servers | Where-Object Outcome -eq 'Updated').Count -ne {names.Count}) {{ throw ""not every server was updated: $($result.Summary)"" }}
'BENCH ' + (@{{ seconds = $sw.Elapsed.TotalSeconds }} | ConvertTo-Json -Compress)");
                        oursTimes.Add(r.GetProperty("seconds").GetDouble());
                    }
                    else
                    {
                        var sw = System.Diagnostics.Stopwatch.StartNew();
                        foreach (var (_, hostEnv) in hosts)
                        {
                            Proc.Run("docker", new[] { "pull", "-q", theirs }, hostEnv).EnsureSuccess("docker pull (multi-host script)");
                        }

                        foreach (var n in names)
                        {
                            Proc.Bash($"docker stop -t 30 {n.Script} >/dev/null && docker rm {n.Script} >/dev/null && " + RunScript(n.Script, theirs), n.Host.Item2).EnsureSuccess("multi-host script");
                        }

                        scriptTimes.Add(sw.Elapsed.TotalSeconds);
                    }
                }
            }

            row.FromPairs(oursTimes, scriptTimes, 1.2);
            row.Note = $"{perHost} servers on each host, -MaxParallel 1; ours: one check, a pull on each host, each server replaced through its transaction (journal, health gate); by hand: docker pull on each host, then stop -t 30, rm, run, poll logs every 50 ms, one server after another";
        }
        finally
        {
            foreach (var n in names)
            {
                Proc.Run("docker", new[] { "rm", "-f", n.Ours, n.Script }, n.Host.Item2);
            }
        }

        yield return row;
    }

    // The registry's tag moves to `target`; each host's local tag stays on `localTag` (what its servers run).
    private static void Publish(BenchContext ctx, BenchEngine engine, string tag, string target, string localTag)
    {
        ctx.DockerOk("tag", target, tag);
        ctx.DockerOk("push", tag);
        ctx.DockerOk("tag", localTag, tag);
        if (engine.Docker("image", "inspect", tag).ExitCode != 0)
        {
            engine.DockerOk("pull", "-q", tag);
        }
    }

    private static string RunScript(string name, string image)
    {
        var env = string.Join(" ", ServerEnv.Select(e => "-e " + e));
        return $"docker run -d --name {name} --network none --stop-timeout 30 {env} {image} >/dev/null && " +
               $"for i in $(seq 1 1200); do docker logs {name} 2>&1 | grep -q 'advertising for join' && exit 0; sleep 0.05; done; exit 1";
    }
}
