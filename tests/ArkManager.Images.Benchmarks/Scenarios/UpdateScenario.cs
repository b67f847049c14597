using System.Globalization;
using ArkManager.Images.Benchmarks.Harness;

namespace ArkManager.Images.Benchmarks.Scenarios;

/// <summary>
/// Update-ArkImage of a running server against a plain pull/stop/rm/run/wait script of another container, and the
/// downtime of the update (stop signal → readiness line) against `docker stop; docker start` of the same kind of server.
/// </summary>
internal static class UpdateScenario
{
    private const string Ready = "Server has completed startup and is now advertising for join.";
    private static readonly string[] ServerEnv = { "ARK_STARTUP_DELAY=0.5", "ARK_SAVE_INTERVAL=3600", "ARK_SHUTDOWN_SAVE_SECONDS=1" };

    public static IEnumerable<Row> Run(BenchContext ctx)
    {
        var update = new Row { Id = "update", Figure = "Update-ArkImage, whole cmdlet", Goal = "≤ 1.2× the script" };
        var downtime = new Row { Id = "downtime", Figure = "downtime, stop signal → readiness line (Update-ArkImage)", Goal = "≤ 1.02× docker stop; docker start" };
        var ra = $"{ctx.Registry}/bench/upd-a:latest";
        var rb = $"{ctx.Registry}/bench/upd-b:latest";
        const string a = "bench-upd-a";
        const string b = "bench-upd-b";
        var config = ctx.WriteConfig("update", new[] { ra });
        foreach (var name in new[] { a, b, a + "-ark-old", a + "-ark-new" })
        {
            ctx.Docker("rm", "-f", name);
        }

        ctx.DockerOk("pull", "-q", ctx.ImageV2);
        var images = new[] { ctx.ImageV1, ctx.ImageV2 };
        Publish(ctx, ra, images[0], images[0]);
        Publish(ctx, rb, images[0], images[0]);
        var env = string.Join("; ", ServerEnv.Select(e => $"'{e.Split('=')[0]}' = '{e.Split('=')[1]}'"));
        ctx.Pwsh($@"$ErrorActionPreference='Stop'
Import-Module {BenchContext.Quote(ctx.Manifest)}
$null = New-ArkServer -Name {a} -Image {BenchContext.Quote(ra)} -Network none -Environment @{{ {env} }} -StopTimeout 30 -RestartPolicy no -ConfigPath {BenchContext.Quote(config)} -Confirm:$false
$null = Start-ArkServer -Name {a} -ConfigPath {BenchContext.Quote(config)} -Confirm:$false").EnsureSuccess("New-ArkServer (update)");
        Proc.Bash(RunScript(b, rb, pull: false), ctx.DockerEnv).EnsureSuccess("docker run (script server)");
        WaitReady(ctx, a);

        var ours = new List<double>();
        var script = new List<double>();
        var oursDown = new List<double>();
        var floorDown = new List<double>();
        for (var i = 0; i < ctx.Sizes.UpdatePairs; i++)
        {
            // The registry tags move to the other image; the local tags stay on the running one.
            var current = images[i % 2];
            var target = images[(i + 1) % 2];
            Publish(ctx, ra, target, current);
            Publish(ctx, rb, target, current);
            for (var turn = 0; turn < 2; turn++)
            {
                if ((turn == 0) == (i % 2 == 0))
                {
                    var since = DateTimeOffset.UtcNow.AddSeconds(-1);
                    var r = ctx.PwshBench($@"$ErrorActionPreference='Stop'
Import-Module {BenchContext.Quote(ctx.Manifest)}
$sw = [Diagnostics.Stopwatch]::StartNew()
$null = Update-ArkImage -Image {BenchContext.Quote(ra)} -ConfigPath {BenchContext.Quote(config)} -Confirm:$false -NoWarning -HealthTimeout 00:01:00
$sw.Stop()
'BENCH ' + (@{{ seconds = $sw.Elapsed.TotalSeconds }} | ConvertTo-Json -Compress)");
                    ours.Add(r.GetProperty("seconds").GetDouble());
                    oursDown.Add(Downtime(ctx, a, since));
                }
                else
                {
                    script.Add(Proc.Bash(RunScript(b, rb, pull: true), ctx.DockerEnv).EnsureSuccess("update script").Elapsed.TotalSeconds);
                }
            }

            // The floor: docker stop; docker start of the script's server.
            var from = DateTimeOffset.UtcNow.AddSeconds(-1);
            Proc.Bash($"docker stop -t 30 {b} >/dev/null && docker start {b} >/dev/null && {WaitScript(b, since: true)}", ctx.DockerEnv).EnsureSuccess("docker stop; docker start");
            floorDown.Add(Downtime(ctx, b, from));
        }

        update.FromPairs(ours, script, 1.2);
        update.Note = "ours timed inside pwsh around the cmdlet; the script is bash + docker CLI (pull, stop -t 30, rm, run, poll logs every 50 ms); stand-in with a 1 s final save, ready 0.5 s after start";
        downtime.FromPairs(oursDown, floorDown, 1.02);
        downtime.Note = "from the engine's kill event to the readiness line's log timestamp";
        foreach (var name in new[] { a, b })
        {
            ctx.Docker("rm", "-f", name);
        }

        yield return update;
        yield return downtime;
    }

    private static void Publish(BenchContext ctx, string tag, string target, string localTag)
    {
        ctx.DockerOk("tag", target, tag);
        ctx.DockerOk("push", tag);
        ctx.DockerOk("tag", localTag, tag);
    }

    private static string RunScript(string name, string image, bool pull)
    {
        var env = string.Join(" ", ServerEnv.Select(e => "-e " + e));
        var head = pull ? $"docker pull -q {image} >/dev/null && docker stop -t 30 {name} >/dev/null && docker rm {name} >/dev/null && " : string.Empty;
        return head + $"docker run -d --name {name} --network none --stop-timeout 30 {env} {image} >/dev/null && {WaitScript(name, since: false)}";
    }

    // Polls the log every 50 ms for the readiness line (after a restart: a second occurrence).
    private static string WaitScript(string name, bool since) =>
        $"for i in $(seq 1 1200); do n=$(docker logs {name} 2>&1 | grep -c 'advertising for join'); [ \"$n\" -ge {(since ? 2 : 1)} ] && exit 0; sleep 0.05; done; exit 1";

    private static void WaitReady(BenchContext ctx, string name) =>
        Proc.Bash(WaitScript(name, since: false), ctx.DockerEnv).EnsureSuccess("wait for " + name);

    // The engine's first kill event of the server (any of its names) after `since`, to its last readiness line.
    private static double Downtime(BenchContext ctx, string server, DateTimeOffset since)
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var events = ctx.DockerOk("events", "--since", since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), "--until", until,
            "--filter", "event=kill", "--format", "{{.TimeNano}} {{.Actor.Attributes.name}}");
        var kill = events.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Where(p => p.Length == 2 && p[1].StartsWith(server, StringComparison.Ordinal))
            .Select(p => long.Parse(p[0], CultureInfo.InvariantCulture))
            .DefaultIfEmpty(-1).Min();
        var logs = ctx.Docker("logs", "-t", server);
        var ready = (logs.Stdout + logs.Stderr).Split('\n').Where(l => l.Contains(Ready, StringComparison.Ordinal)).Select(l => l.Split(' ')[0]).LastOrDefault();
        if (kill < 0 || ready is null)
        {
            throw new InvalidOperationException($"downtime of {server}: no kill event ({events.Trim()}) or no readiness line");
        }

        var readyAt = DateTimeOffset.Parse(ready, CultureInfo.InvariantCulture);
        var killAt = DateTimeOffset.FromUnixTimeMilliseconds(kill / 1_000_000).AddTicks(kill % 1_000_000 / 100);
        return (readyAt - killAt).TotalSeconds;
    }
}
