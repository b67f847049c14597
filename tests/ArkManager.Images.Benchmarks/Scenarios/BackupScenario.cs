using ArkManager.Images.Benchmarks.Harness;

namespace ArkManager.Images.Benchmarks.Scenarios;

/// <summary>Backup-ArkServer of a stopped server's volume: -NoCompress against `docker cp`, compressed against `tar -czf`.</summary>
internal static class BackupScenario
{
    public static IEnumerable<Row> Run(BenchContext ctx)
    {
        var mib = ctx.Sizes.VolumeMiB;
        var plain = new Row { Id = "backup-nocompress", Figure = $"backup of a {mib} MiB volume, `-NoCompress`", Goal = "≤ 1.25× docker cp" };
        var gzTime = new Row { Id = "backup-compressed", Figure = $"backup of a {mib} MiB volume, compressed: time", Goal = "≤ 1.0× tar -czf (keep the speed)" };
        var gzSize = new Row { Id = "backup-compressed-size", Figure = $"backup of a {mib} MiB volume, compressed: archive size", Goal = "≤ 1.05× tar -czf's archive" };
        var server = "bench-backup";
        var volume = $"bench-backup-{mib}m";
        var config = ctx.WriteConfig("backup", new[] { ctx.ImageV1 });
        var mountpoint = Setup(ctx, server, volume, mib, config);
        var destination = Path.Combine(ctx.WorkDir, "backups");
        var oursPlain = new List<double>();
        var cp = new List<double>();
        var oursGz = new List<double>();
        var tar = new List<double>();
        var oursSizes = new List<double>();
        var tarSizes = new List<double>();
        for (var i = 0; i < ctx.Sizes.BackupPairs; i++)
        {
            for (var turn = 0; turn < 2; turn++)
            {
                if ((turn == 0) == (i % 2 == 0))
                {
                    oursPlain.Add(Ours(ctx, server, config, destination, compress: false).Seconds);
                    var gz = Ours(ctx, server, config, destination, compress: true);
                    oursGz.Add(gz.Seconds);
                    oursSizes.Add(gz.Bytes);
                }
                else
                {
                    Fresh(destination);
                    var copy = Path.Combine(destination, "cp.tar");
                    cp.Add(Proc.Bash($"docker cp {server}:/ark/ShooterGame/Saved - > '{copy}'", ctx.DockerEnv).EnsureSuccess("docker cp").Elapsed.TotalSeconds);
                    Fresh(destination);
                    var tgz = Path.Combine(destination, "t.tar.gz");
                    tar.Add(Proc.Run("tar", new[] { "-czf", tgz, "-C", mountpoint, "." }).EnsureSuccess("tar -czf").Elapsed.TotalSeconds);
                    tarSizes.Add(new FileInfo(tgz).Length);
                }
            }
        }

        Fresh(destination);
        plain.FromPairs(oursPlain, cp, 1.25);
        plain.Note = "ours timed inside pwsh around the cmdlet (archive + manifest + hashes, fsync); docker cp to a file";
        gzTime.FromPairs(oursGz, tar, 1.0);
        gzTime.Note = "tar -czf of the volume's directory on the host (gzip -6)";
        gzSize.FromPairs(oursSizes, tarSizes, 1.05, "B");
        gzSize.Ours = $"{Stats.Median(oursSizes) / 1048576.0:0.0} MiB";
        gzSize.Anchor = $"{Stats.Median(tarSizes) / 1048576.0:0.0} MiB";
        gzSize.Note = "volume content: ⅓ random, ⅓ base64 text, ⅓ log lines";
        yield return plain;
        yield return gzTime;
        yield return gzSize;
    }

    private static (double Seconds, double Bytes) Ours(BenchContext ctx, string server, string config, string destination, bool compress)
    {
        Fresh(destination);
        var result = ctx.PwshBench($@"$ErrorActionPreference='Stop'
Import-Module {BenchContext.Quote(ctx.Manifest)}
$sw = [Diagnostics.Stopwatch]::StartNew()
$b = Backup-ArkServer -Name {server} -Destination {BenchContext.Quote(destination)} {(compress ? string.Empty : "-NoCompress")} -ConfigPath {BenchContext.Quote(config)} -Confirm:$false
$sw.Stop()
'BENCH ' + (@{{ seconds = $sw.Elapsed.TotalSeconds; bytes = (Get-Item -LiteralPath $b.Path).Length }} | ConvertTo-Json -Compress)");
        return (result.GetProperty("seconds").GetDouble(), result.GetProperty("bytes").GetDouble());
    }

    private static void Fresh(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
    }

    // A stopped server whose volume holds `mib` MiB: a third random bytes, a third base64 text, a third log lines.
    private static string Setup(BenchContext ctx, string server, string volume, int mib, string config)
    {
        ctx.Docker("rm", "-f", server);
        ctx.Docker("volume", "create", volume).EnsureSuccess("volume create");
        var mountpoint = ctx.DockerOk("volume", "inspect", "--format", "{{.Mountpoint}}", volume);
        var marker = Path.Combine(mountpoint, ".bench-size");
        if (!File.Exists(marker) || File.ReadAllText(marker) != mib.ToString())
        {
            foreach (var f in Directory.GetFiles(mountpoint))
            {
                File.Delete(f);
            }

            var fileMiB = Math.Max(1, Math.Min(16, mib / 12));
            var random = new Random(1024);
            var buffer = new byte[fileMiB * 1048576];
            for (var i = 0; i * fileMiB < mib; i++)
            {
                switch (i % 3)
                {
                    case 0:
                        random.NextBytes(buffer);
                        break;
                    case 1:
                        var raw = new byte[buffer.Length * 3 / 4];
                        random.NextBytes(raw);
                        System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(raw)).AsSpan(0, buffer.Length).CopyTo(buffer);
                        break;
                    default:
                        var text = new System.Text.StringBuilder();
                        var line = 0;
                        while (text.Length < buffer.Length)
                        {
                            text.Append($"2024.01.01_{random.Next(24):00}.{random.Next(60):00}.{random.Next(60):00}: [{random.Next(100000)}] player {random.Next(5000)} tamed a dino at lat {random.NextDouble() * 100:0.000} lon {random.NextDouble() * 100:0.000} line {line++}\n");
                        }

                        System.Text.Encoding.ASCII.GetBytes(text.ToString()).AsSpan(0, buffer.Length).CopyTo(buffer);
                        break;
                }

                File.WriteAllBytes(Path.Combine(mountpoint, $"save{i:000}.bin"), buffer);
            }

            File.WriteAllText(marker, mib.ToString());
        }

        ctx.Pwsh($@"$ErrorActionPreference='Stop'
Import-Module {BenchContext.Quote(ctx.Manifest)}
$null = New-ArkServer -Name {server} -Image {BenchContext.Quote(ctx.ImageV1)} -Network none -Volume '{volume}:/ark/ShooterGame/Saved' -RestartPolicy no -ConfigPath {BenchContext.Quote(config)} -Confirm:$false").EnsureSuccess("New-ArkServer (backup)");
        return mountpoint;
    }
}
