using System.Globalization;
using System.Text.RegularExpressions;
using ArkManager.Images.Benchmarks.Harness;

namespace ArkManager.Images.Benchmarks.Scenarios;

/// <summary>
/// Update checks of many images: through the delaying proxy (50 ms per request) against one image, on loopback against
/// `ab` HEADs, and the registry requests of one check against Docker's own distribution inspect.
/// </summary>
internal static class CheckScenario
{
    private const string ManifestAccept = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json";

    public static async Task<IReadOnlyList<Row>> RunAsync(BenchContext ctx)
    {
        var n = ctx.Sizes.CheckImages;
        var latency = new Row { Id = "check-latency", Figure = $"update check of {n} images with 50 ms registry latency (delaying proxy), against one image", Goal = "≤ 3× one image" };
        var loopback = new Row { Id = "check-loopback", Figure = $"update check on loopback, {n} images, against `ab -n {n} -c 8 -i` HEADs", Goal = "≤ 1.5× raw HEADs" };
        var requests = new Row { Id = "check-requests", Figure = "registry requests per check", Goal = "1 HEAD, 0 GET (Docker's distribution inspect: HEAD + 2 GET)" };
        await using var proxy = new DelayProxy(ctx.RegistryEndPoint);
        var proxied = Enumerable.Range(0, n).Select(i => $"{proxy.Address}/bench/chk-{i:000}:latest").ToArray();
        var direct = Enumerable.Range(0, n).Select(i => $"{ctx.Registry}/bench/chk-{i:000}:latest").ToArray();
        Setup(ctx, proxied.Concat(direct).ToArray());

        // (1) With 50 ms per request: one image and all of them, in turn, in one warm session per pair.
        proxy.Delay = TimeSpan.FromMilliseconds(50);
        var proxyConfig = ctx.WriteConfig("check-proxy", proxied);
        var ones = new List<double>();
        var alls = new List<double>();
        for (var i = 0; i < ctx.Sizes.CheckPairs; i++)
        {
            var first = i % 2 == 0 ? "one" : "all";
            var result = ctx.PwshBench(Script(ctx, proxyConfig, proxied, first));
            ones.Add(result.GetProperty("one").GetDouble());
            alls.Add(result.GetProperty("all").GetDouble());
            Ensure(result, n);
        }

        latency.FromPairs(alls, ones, 3.0);
        latency.Ours = $"{n} images: {Row.Format(Stats.Median(alls), "s")}";
        latency.Anchor = $"one image: {Row.Format(Stats.Median(ones), "s")}";

        // (2) Registry requests of one check, and of Docker's distribution inspect (the engine API), counted at the proxy.
        proxy.Delay = TimeSpan.Zero;
        var before = proxy.Counts;
        ctx.Pwsh($"$ErrorActionPreference='Stop'; Import-Module {BenchContext.Quote(ctx.Manifest)}; $r = Test-ArkImageUpdate -Image {BenchContext.Quote(proxied[0])} -ConfigPath {BenchContext.Quote(proxyConfig)}; if ($r.State -ne 'UpToDate') {{ throw \"state $($r.State)\" }}").EnsureSuccess("one check");
        var ours = Diff(proxy.Counts, before);
        before = proxy.Counts;
        Proc.Run("curl", new[] { "-sf", "--unix-socket", ctx.SocketPath, $"http://localhost/v1.41/distribution/{proxied[0]}/json" }).EnsureSuccess("distribution inspect");
        var docker = Diff(proxy.Counts, before);
        requests.Ours = $"{ours.Heads} HEAD, {ours.Gets} GET, {ours.Others} other";
        requests.Anchor = $"{docker.Heads} HEAD, {docker.Gets} GET, {docker.Others} other";
        var total = docker.Heads + docker.Gets + docker.Others;
        requests.Ratio = total > 0 ? (ours.Heads + ours.Gets + ours.Others) / (double)total : null;
        requests.RatioText = requests.Ratio is double rr ? $"{rr:0.00}×" : "—";
        requests.Pass = ours.Heads == 1 && ours.Gets == 0 && ours.Others == 0;
        requests.Pairs = 1;

        // (3) Loopback: all images through the module against ab's HEADs of one manifest, in turn.
        var directConfig = ctx.WriteConfig("check-direct", direct);
        var oursLoop = new List<double>();
        var abLoop = new List<double>();
        for (var i = 0; i < ctx.Sizes.CheckPairs; i++)
        {
            if (i % 2 == 1)
            {
                abLoop.Add(Ab(ctx, n));
            }

            var result = ctx.PwshBench(Script(ctx, directConfig, direct, "one"));
            Ensure(result, n);
            oursLoop.Add(result.GetProperty("all").GetDouble());
            if (i % 2 == 0)
            {
                abLoop.Add(Ab(ctx, n));
            }
        }

        loopback.FromPairs(oursLoop, abLoop, 1.5);
        loopback.Note = "`Test-ArkImageUpdate` of the required images, timed inside a warm pwsh session; ab's own 'Time taken for tests'";
        latency.Note = $"`Test-ArkImageUpdate` of the configuration's {n} required images vs `-Image` of one, timed inside a warm pwsh session; proxy on {proxy.Address}";
        return new[] { latency, loopback, requests };
    }

    private static void Ensure(System.Text.Json.JsonElement result, int n)
    {
        var ok = result.GetProperty("ok").GetInt32();
        if (ok != n)
        {
            throw new InvalidOperationException($"only {ok} of {n} checks were UpToDate: {result.GetProperty("states").GetString()}");
        }
    }

    private static (int Heads, int Gets, int Others) Diff((int Heads, int Gets, int Others) a, (int Heads, int Gets, int Others) b) =>
        (a.Heads - b.Heads, a.Gets - b.Gets, a.Others - b.Others);

    private static string Script(BenchContext ctx, string config, string[] images, string first)
    {
        var list = string.Join(",", images.Select(BenchContext.Quote));
        return $@"$ErrorActionPreference='Stop'
Import-Module {BenchContext.Quote(ctx.Manifest)}
$cfg = {BenchContext.Quote(config)}
$all = @({list})
$one = @($all[0])
$null = Test-ArkImageUpdate -Image $one -ConfigPath $cfg
# One image: -Image; all of them: the configuration's required images (the scheduled check, one library call).
function Time([switch] $All) {{ $sw = [Diagnostics.Stopwatch]::StartNew(); $r = if ($All) {{ @(Test-ArkImageUpdate -ConfigPath $cfg) }} else {{ @(Test-ArkImageUpdate -Image $one -ConfigPath $cfg) }}; $sw.Stop(); ,@($sw.Elapsed.TotalSeconds, $r) }}
if ('{first}' -eq 'one') {{ $a = Time; $b = Time -All }} else {{ $b = Time -All; $a = Time }}
$states = ($b[1] | Group-Object State | ForEach-Object {{ '{{0}}={{1}}' -f $_.Name, $_.Count }}) -join ','
'BENCH ' + (@{{ one = $a[0]; all = $b[0]; ok = @($b[1] | Where-Object {{ ""$($_.State)"" -eq 'UpToDate' }}).Count; states = $states }} | ConvertTo-Json -Compress)";
    }

    private static double Ab(BenchContext ctx, int n)
    {
        var result = Proc.Run("ab", new[] { "-q", "-n", n.ToString(CultureInfo.InvariantCulture), "-c", Math.Min(8, n).ToString(CultureInfo.InvariantCulture), "-i", "-H", "Accept: " + ManifestAccept, $"http://{ctx.Registry}/v2/bench/chk-000/manifests/latest" }).EnsureSuccess("ab");
        var match = Regex.Match(result.Stdout, @"Time taken for tests:\s+([0-9.]+) seconds");
        if (!match.Success || !Regex.IsMatch(result.Stdout, @"Failed requests:\s+0"))
        {
            throw new InvalidOperationException("ab: " + result.Stdout.Trim().Split('\n')[0]);
        }

        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    // A tiny image pushed under every repository name, so each has a local repo digest and a registry manifest.
    private static void Setup(BenchContext ctx, string[] references)
    {
        var context = Path.Combine(ctx.WorkDir, "check-image");
        Directory.CreateDirectory(context);
        File.WriteAllText(Path.Combine(context, "marker.txt"), "bench check image\n");
        File.WriteAllText(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY marker.txt /marker.txt\n");
        ctx.DockerOk("build", "-q", "-t", "bench-check-base:latest", context);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(references, new ParallelOptions { MaxDegreeOfParallelism = 4 }, reference =>
        {
            var tag = ctx.Docker("tag", "bench-check-base:latest", reference);
            var push = tag.ExitCode == 0 ? ctx.Docker("push", reference) : tag;
            if (push.ExitCode != 0)
            {
                failures.Add(reference + ": " + push.Stderr.Trim());
            }
        });
        if (!failures.IsEmpty)
        {
            throw new InvalidOperationException("check setup: " + string.Join("; ", failures.Take(3)));
        }
    }
}
