using System.Diagnostics;
using ArkManager.Images.Backups;
using ArkManager.Images.Docker;
using ArkManager.Images.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ArkManager.Images.Tests.Backups;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BackupMeasurementCollection
{
    public const string Name = "Backup measurements (run alone)";
}

/// <summary>Backs up and restores a 200 MB volume and shows that memory does not grow with the volume.</summary>
[Trait("Category", "Integration")]
[Collection(BackupMeasurementCollection.Name)]
public sealed class VolumeBackupPerformanceTests : SandboxTestBase, IDisposable
{
    private const int VolumeMegabytes = 200;
    private readonly ITestOutputHelper _output;
    private string? _volume;

    public VolumeBackupPerformanceTests(ITestOutputHelper output)
    {
        _output = output;
    }

    void IDisposable.Dispose()
    {
        Dispose();
        if (_volume != null)
        {
            Sandbox.TryDocker("volume", "rm", "-f", _volume);
        }
    }

    [Fact]
    public async Task A_200_MB_volume_is_backed_up_and_restored_in_constant_memory()
    {
        if (!Sandbox.ImageExists(Sandbox.ImageV1))
        {
            Sandbox.Docker("pull", "-q", Sandbox.ImageV1);
        }

        _volume = UniqueName("bk-perf");
        Sandbox.Docker("volume", "create", _volume);
        var container = UniqueName("bk-perf");
        TrackContainer(container);
        Sandbox.Docker("create", "--name", container, "--network", "none", "-v", _volume + ":/ark/ShooterGame/Saved", Sandbox.ImageV1);
        var half = VolumeMegabytes / 2;
        Sandbox.Docker("run", "--rm", "--network", "none", "-v", _volume + ":/v", "--entrypoint", "/bin/busybox", Sandbox.ImageV1, "sh", "-c",
            $"busybox mkdir -p /v/SavedArks && busybox dd if=/dev/urandom of=/v/SavedArks/a.ark bs=1048576 count={half} 2>/dev/null && " +
            $"busybox dd if=/dev/urandom of=/v/SavedArks/b.ark bs=1048576 count={half} 2>/dev/null && echo small > /v/small.txt");
        var sums = Sums();

        var logger = Logs.CreateLogger("perf");
        using var connection = new DockerConnection(new ArkManagerOptions { DockerHost = Sandbox.DockerHost, DockerConfigDirectory = TempDir("dockercfg") }, logger);
        var service = new VolumeBackupService(new ContainerOperations(connection), logger);
        var destination = TempDir("perf-backups");

        // Warm up the connection and the code paths on a tiny call so the measurements see only the volume's cost.
        await Assert.ThrowsAsync<ServerNotFoundException>(() => service.BackupAsync("no-such-container-" + Guid.NewGuid().ToString("N"), "warm", "i", "i", null, destination, new BackupOptions(), default));

        BackupInfo? plain = null;
        var backupPlain = await Measure("backup, uncompressed", async () => plain = await service.BackupAsync(container, "perf", Sandbox.ImageV1, "sha256:i", null, destination, new BackupOptions { Compress = false }, default));
        BackupInfo? gz = null;
        var backupGz = await Measure("backup, gzip", async () => gz = await service.BackupAsync(container, "perf", Sandbox.ImageV1, "sha256:i", null, destination, new BackupOptions { Compress = true }, default));
        Assert.True(plain!.Size >= VolumeMegabytes * 1048576L);
        _output.WriteLine($"archive sizes: {plain.ArchiveSize / 1048576.0:0.0} MiB (tar), {gz!.ArchiveSize / 1048576.0:0.0} MiB (tar.gz)");

        Sandbox.Docker("run", "--rm", "--network", "none", "-v", _volume + ":/v", "--entrypoint", "/bin/busybox", Sandbox.ImageV1, "sh", "-c",
            "busybox rm -rf /v/SavedArks && echo changed > /v/small.txt");
        var restoreGz = await Measure("restore, gzip", () => service.RestoreAsync(container, "perf", gz.Path, default));
        Assert.Equal(sums, Sums());

        // Restores upload through a client without the per-request timeout: a tiny DockerRequestTimeout does not cut them off.
        Sandbox.Docker("run", "--rm", "--network", "none", "-v", _volume + ":/v", "--entrypoint", "/bin/busybox", Sandbox.ImageV1, "sh", "-c", "busybox rm -rf /v/SavedArks");
        using (var hurried = new DockerConnection(new ArkManagerOptions { DockerHost = Sandbox.DockerHost, DockerConfigDirectory = TempDir("dockercfg"), DockerRequestTimeout = TimeSpan.FromMilliseconds(250) }, logger))
        {
            var impatient = new VolumeBackupService(new ContainerOperations(hurried), logger) { RestorePartBytes = long.MaxValue };
            await impatient.RestoreAsync(container, "perf", plain.Path, default);
        }

        Assert.Equal(sums, Sums());

        // Memory is reported as a ratio to the data moved (a measurement, not a pass/fail threshold).
        foreach (var m in new[] { backupPlain, backupGz, restoreGz })
        {
            var bytes = VolumeMegabytes * 1048576.0;
            _output.WriteLine($"{m}: managed peak growth / data = {m.ManagedPeakGrowth / bytes:0.000}, working-set growth / data = {(m.WorkingSetMax - m.WorkingSetBefore) / bytes:0.000}");
        }
    }

    private List<string> Sums() =>
        Sandbox.Docker("run", "--rm", "--network", "none", "-v", _volume + ":/v", "--entrypoint", "/bin/busybox", Sandbox.ImageV1, "sh", "-c",
            "cd /v && busybox find . -type f | busybox sort | busybox xargs busybox sha256sum").Split('\n').ToList();

    private async Task<Measurement> Measure(string label, Func<Task> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseWorkingSet = process.WorkingSet64;
        var basePeak = process.PeakWorkingSet64;
        var baseManaged = GC.GetTotalMemory(false);
        var baseAllocated = GC.GetTotalAllocatedBytes(true);
        long maxWorkingSet = baseWorkingSet;
        long maxManaged = baseManaged;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var p = Process.GetCurrentProcess();
            while (!stop.IsCancellationRequested)
            {
                p.Refresh();
                maxWorkingSet = Math.Max(maxWorkingSet, p.WorkingSet64);
                maxManaged = Math.Max(maxManaged, GC.GetTotalMemory(false));
                try
                {
                    await Task.Delay(10, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
        var watch = Stopwatch.StartNew();
        await action();
        watch.Stop();
        stop.Cancel();
        await sampler;
        process.Refresh();
        var m = new Measurement(label, watch.Elapsed, GC.GetTotalAllocatedBytes(true) - baseAllocated, maxManaged - baseManaged, baseWorkingSet, maxWorkingSet, basePeak, process.PeakWorkingSet64);
        _output.WriteLine(m.ToString());
        return m;
    }

    private sealed record Measurement(string Label, TimeSpan Elapsed, long AllocatedBytes, long ManagedPeakGrowth, long WorkingSetBefore, long WorkingSetMax, long PeakBefore, long PeakAfter)
    {
        private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0") + " MiB";

        public override string ToString() =>
            $"{Label}: {VolumeMegabytes} MiB in {Elapsed.TotalSeconds:0.00} s ({VolumeMegabytes / Elapsed.TotalSeconds:0} MiB/s); " +
            $"allocated {Mb(AllocatedBytes)}, managed heap peak +{Mb(ManagedPeakGrowth)}; working set {Mb(WorkingSetBefore)} -> max {Mb(WorkingSetMax)} " +
            $"(+{Mb(WorkingSetMax - WorkingSetBefore)}); process peak working set {Mb(PeakBefore)} -> {Mb(PeakAfter)}";
    }
}
