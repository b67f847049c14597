using System.Reflection;
using ArkManager.Images.Benchmarks.Harness;
using ArkManager.Images.Benchmarks.Micro;
using ArkManager.Images.Benchmarks.Scenarios;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ArkManager.Images.Benchmarks;

/// <summary>
/// The benchmark suite. `--size smoke` (tiny sizes; exit 0 when every row was produced, whatever the figures) or
/// `--size full [--pull-mib N] [--volume-mib N]`; `--sandbox DIR` (sandbox.json), `--module DIR` (the assembled
/// module), `--out DIR` (report.md + report.json), `--rows id,id` (a subset), `--no-micro`.
/// </summary>
internal static class Program
{
    private static readonly Type[] MicroTypes = { typeof(TarBenchmarks), typeof(HashingBenchmarks), typeof(RecreateSpecBenchmarks), typeof(ConfigBenchmarks) };

    public static async Task<int> Main(string[] args)
    {
        string Arg(string name, string fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var root = BenchContext.RepoRoot();
        var sizeName = Arg("size", "smoke");
        var sizes = sizeName == "full" ? BenchSizes.Full(int.Parse(Arg("pull-mib", "315")), int.Parse(Arg("volume-mib", "1024"))) : BenchSizes.Smoke;
        var sandbox = Arg("sandbox", Environment.GetEnvironmentVariable("ARKMANAGER_SANDBOX_DIR") ?? "/tmp/arkmgr-sandbox");
        var module = Arg("module", Path.Combine(root, "artifacts/module/ArkManager.Images"));
        var output = Arg("out", Path.Combine(root, "artifacts/bench"));
        var only = Arg("rows", string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);
        var micro = !args.Contains("--no-micro");
        var ctx = new BenchContext(sandbox, module, Path.Combine(Path.GetTempPath(), "arkmanager-bench-" + Path.GetFileName(Path.GetFullPath(sandbox))), sizes);
        ctx.DockerOk("pull", "-q", ctx.ImageV1);

        var rows = new List<Row>();
        var scenarios = new (string[] Ids, Func<Task<IEnumerable<Row>>> Run)[]
        {
            (new[] { "cold-start", "cold-start-import" }, () => Task.FromResult(ColdStartScenario.Run(ctx))),
            (new[] { "check-latency", "check-loopback", "check-requests" }, async () => await CheckScenario.RunAsync(ctx)),
            (new[] { "pull", "pull-memory" }, () => Task.FromResult(PullScenario.Run(ctx))),
            (new[] { "backup-nocompress", "backup-compressed", "backup-compressed-size" }, () => Task.FromResult(BackupScenario.Run(ctx))),
            (new[] { "update", "downtime" }, () => Task.FromResult(UpdateScenario.Run(ctx))),
            (new[] { "multi-host-update" }, () => Task.FromResult<IEnumerable<Row>>(MultiHostScenario.Run(ctx).ToList())),
        };
        foreach (var (ids, run) in scenarios)
        {
            if (only.Length > 0 && !ids.Any(only.Contains))
            {
                continue;
            }

            Console.WriteLine($"bench: {string.Join(", ", ids)} ({sizes.Name})");
            try
            {
                var produced = (await run()).ToList();
                rows.AddRange(produced);
                foreach (var r in produced)
                {
                    Console.WriteLine($"bench:   {r.Id}: ours {r.Ours}, anchor {r.Anchor}, ratio {r.RatioText}, goal {r.Goal}: {(r.Pass == true ? "pass" : "FAIL")}");
                }
            }
            catch (Exception ex)
            {
                Console.WriteLine($"bench:   failed: {ex.Message}");
                var message = ex.Message.Length > 300 ? ex.Message.Substring(0, 300) + "…" : ex.Message;
                rows.AddRange(ids.Select(id => new Row { Id = id, Figure = id, Goal = "—", Note = "not measured: " + message }));
            }
        }

        var microLines = new List<string>();
        if (micro)
        {
            microLines.AddRange(sizes.Name == "full" ? RunBenchmarkDotNet(output) : SmokeMicro());
        }

        var commit = Proc.Run("git", new[] { "rev-parse", "--short", "HEAD" }, workingDirectory: root).Stdout.Trim();
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown CPU";
        var header = $"Size: **{sizes.Name}** (check {sizes.CheckImages} images, pull {sizes.PullMiB} MiB in {sizes.PullLayers} layers, volume {sizes.VolumeMiB} MiB). " +
                     $"Commit {commit}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores ({cpu}), sandbox dockerd + docker-registry on loopback; load average at the end: {File.ReadAllText("/proc/loadavg").Split(' ')[0]} (shared machine).";
        Report.Write(output, rows, microLines, sizes.Name, header);
        Console.WriteLine($"bench: wrote {Path.Combine(output, "report.md")}");
        var missing = rows.Where(r => r.Pass is null).Select(r => r.Id).ToList();
        var expected = scenarios.Where(s => only.Length == 0 || s.Ids.Any(only.Contains)).SelectMany(s => s.Ids).Count();
        if (missing.Count > 0 || rows.Count != expected)
        {
            Console.WriteLine($"bench: rows not produced: {string.Join(", ", missing)}");
            return 1;
        }

        return 0;
    }

    // The smoke runs every micro-benchmark once, directly: proves they still compile and run, measures nothing.
    private static IEnumerable<string> SmokeMicro()
    {
        foreach (var type in MicroTypes)
        {
            var instance = Activator.CreateInstance(type)!;
            foreach (var m in type.GetMethods().Where(m => m.GetCustomAttribute<GlobalSetupAttribute>() != null))
            {
                m.Invoke(instance, null);
            }

            foreach (var m in type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() != null))
            {
                var result = m.Invoke(instance, null);
                if (result is Task task)
                {
                    task.GetAwaiter().GetResult();
                }

                yield return $"- smoke: {type.Name}.{m.Name} ran once";
            }
        }
    }

    private static IEnumerable<string> RunBenchmarkDotNet(string output)
    {
        var artifacts = Path.Combine(output, "bdn");
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddColumnProvider(DefaultConfig.Instance.GetColumnProviders().ToArray())
            .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default)
            .WithArtifactsPath(artifacts);
        foreach (var type in MicroTypes)
        {
            var summary = BenchmarkRunner.Run(type, config);
            var file = Directory.GetFiles(Path.Combine(artifacts, "results"), $"*{type.Name}-report-github.md").FirstOrDefault();
            yield return $"### {type.Name}";
            yield return string.Empty;
            if (file is null)
            {
                yield return "(no result)";
                continue;
            }

            foreach (var line in File.ReadLines(file).SkipWhile(l => !l.StartsWith("|", StringComparison.Ordinal)))
            {
                yield return line;
            }

            yield return string.Empty;
        }
    }
}
