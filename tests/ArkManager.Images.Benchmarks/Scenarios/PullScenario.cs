using ArkManager.Images.Benchmarks.Harness;

namespace ArkManager.Images.Benchmarks.Scenarios;

/// <summary>A pull of a large image (FROM scratch, random-data layers) through Install-ArkImage against `docker pull`, with pwsh's peak memory.</summary>
internal static class PullScenario
{
    public static IEnumerable<Row> Run(BenchContext ctx)
    {
        var mib = ctx.Sizes.PullMiB;
        var time = new Row { Id = "pull", Figure = $"pull of a {mib} MiB image, Install-ArkImage", Goal = "≤ 1.05× docker pull" };
        var memory = new Row { Id = "pull-memory", Figure = $"pull of a {mib} MiB image: pwsh peak working set", Goal = "≤ bare pwsh + 30 MiB" };
        var image = $"{ctx.Registry}/bench/big:{mib}m";
        Setup(ctx, image, mib, ctx.Sizes.PullLayers);
        var config = ctx.WriteConfig("pull", new[] { image });
        var script = $@"$ErrorActionPreference='Stop'
Import-Module {BenchContext.Quote(ctx.Manifest)}
$sw = [Diagnostics.Stopwatch]::StartNew()
$null = Install-ArkImage -Image {BenchContext.Quote(image)} -ConfigPath {BenchContext.Quote(config)} -Confirm:$false
$sw.Stop()
'BENCH ' + (@{{ seconds = $sw.Elapsed.TotalSeconds; peak = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 }} | ConvertTo-Json -Compress)";
        var ours = new List<double>();
        var docker = new List<double>();
        var peaks = new List<double>();
        var barePeaks = new List<double>();
        for (var i = 0; i < ctx.Sizes.PullPairs; i++)
        {
            for (var turn = 0; turn < 2; turn++)
            {
                if ((turn == 0) == (i % 2 == 0))
                {
                    var r = ctx.PwshBench(script);
                    ours.Add(r.GetProperty("seconds").GetDouble());
                    peaks.Add(r.GetProperty("peak").GetDouble() / 1048576.0);
                }
                else
                {
                    docker.Add(ctx.Docker("pull", "-q", image).EnsureSuccess("docker pull").Elapsed.TotalSeconds);
                }

                ctx.DockerOk("rmi", image);
            }

            var bare = ctx.Pwsh("[Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64").EnsureSuccess("bare pwsh");
            barePeaks.Add(double.Parse(bare.Stdout.Trim()) / 1048576.0);
        }

        time.FromPairs(ours, docker, 1.05);
        time.Note = $"{ctx.Sizes.PullLayers} random-data layers FROM scratch; ours timed inside pwsh around the cmdlet, docker pull as a process";
        var peak = Stats.Median(peaks);
        var barePeak = Stats.Median(barePeaks);
        memory.Samples["ours"] = peaks.ToArray();
        memory.Samples["anchor"] = barePeaks.ToArray();
        memory.Pairs = peaks.Count;
        memory.Ours = Row.Format(peak, "MiB");
        memory.Anchor = "bare pwsh " + Row.Format(barePeak, "MiB");
        memory.Ratio = peak / barePeak;
        memory.RatioText = $"{memory.Ratio:0.00}× (+{peak - barePeak:0.0} MiB)";
        memory.Pass = peak <= barePeak + 30;
        yield return time;
        yield return memory;
    }

    private static void Setup(BenchContext ctx, string image, int mib, int layers)
    {
        var context = Path.Combine(ctx.WorkDir, $"pull-image-{mib}");
        Directory.CreateDirectory(context);
        var dockerfile = new System.Text.StringBuilder("FROM scratch\n");
        var perLayer = Math.Max(1, mib * 1048576L / layers);
        var random = new Random(315);
        var buffer = new byte[1 << 20];
        for (var l = 0; l < layers; l++)
        {
            var file = Path.Combine(context, $"layer{l}.bin");
            using (var stream = File.Create(file))
            {
                for (long written = 0; written < perLayer; written += buffer.Length)
                {
                    random.NextBytes(buffer);
                    stream.Write(buffer, 0, (int)Math.Min(buffer.Length, perLayer - written));
                }
            }

            dockerfile.Append($"COPY layer{l}.bin /data/layer{l}.bin\n");
        }

        File.WriteAllText(Path.Combine(context, "Dockerfile"), dockerfile.ToString());
        ctx.DockerOk("build", "-q", "-t", image, context);
        ctx.DockerOk("push", image);
        ctx.DockerOk("rmi", image);
        Directory.Delete(context, recursive: true);
    }
}
