using ArkManager.Images.Tests.Infrastructure;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// A backup to a 1 MiB tmpfs runs out of space: it fails with BackupWriteFailed and leaves nothing behind (no archive
/// under its final name, no partial file, no sidecar manifest); an update whose pre-update backup goes there rolls back
/// with the server running its old image and its data byte-identical.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Faults")]
public sealed class DiskFullTests : FaultTestBase
{
    private readonly List<string> _mounts = new();

    private string SmallTmpfs()
    {
        var dir = TempDir("full");
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir);
        _mounts.Add(dir);
        Assert.Contains(dir + " tmpfs", File.ReadAllText("/proc/mounts").Replace(" tmpfs rw", " tmpfs"), StringComparison.Ordinal);
        return dir;
    }

    protected override void Cleanup()
    {
        base.Cleanup();
        foreach (var m in _mounts)
        {
            try
            {
                Run("umount", m);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    [Fact]
    public async Task A_backup_to_a_full_disk_fails_clearly_and_leaves_no_archive()
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        var server = await StartServerAsync(manager, image, "full", extraBytes: 3_000_000);
        await manager.StopServerAsync(server.Name);
        var full = SmallTmpfs();
        var roomy = TempDir("roomy");

        var ex = await Assert.ThrowsAsync<BackupWriteException>(() => manager.BackupServerAsync(server.Name, full));

        Assert.Equal("BackupWriteFailed", ex.ErrorId);
        Assert.Contains("No space left on device", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(full, "*", SearchOption.AllDirectories));
        // Positive control: the same backup to a roomy directory succeeds and validates.
        var good = await manager.BackupServerAsync(server.Name, roomy);
        Assert.True(File.Exists(good.Path), good.Path);
        Assert.True(new FileInfo(good.Path).Length > 1024 * 1024, "the archive must be larger than the 1 MiB tmpfs");
        Assert.Equal(server.VolumeHash, HashVolume(Sandbox.DockerHost, server.Volume, Sandbox.ImageV1));
        Record(nameof(A_backup_to_a_full_disk_fails_clearly_and_leaves_no_archive), ("diskFullBackups", 1), ("volumesByteIdentical", 1), ("containersLost", 0), ("completeLookingArchivesLeft", 0));
    }

    [Fact]
    public async Task An_update_whose_backup_hits_a_full_disk_rolls_back()
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        var server = await StartServerAsync(manager, image, "fullupd", extraBytes: 3_000_000);
        Sandbox.PushVariant("v2", image);
        var full = SmallTmpfs();

        var result = await manager.UpdateImageAsync(image, new UpdateOptions { BackupVolumes = true, BackupDirectory = full, HealthTimeout = TimeSpan.FromSeconds(60) });

        Assert.False(result.Succeeded, result.Summary);
        var outcome = Assert.Single(result.Servers);
        Assert.Equal(UpdateOutcome.RolledBack, outcome.Outcome);
        var backup = Assert.Single(outcome.Steps, s => s.Step == UpdateStep.Backup && s.Status == "Failed");
        Assert.Contains("No space left on device", backup.Detail, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories));
        AssertServerIntact(server, server.OldImageId);
        Assert.Equal(new[] { UpdateOutcome.RolledBack }, await OutcomesAsync(manager, server.Name));
        Record(nameof(An_update_whose_backup_hits_a_full_disk_rolls_back), ("diskFullBackups", 1), ("serversLeftRunning", 1), ("volumesByteIdentical", 1), ("containersLost", 0), ("completeLookingArchivesLeft", 0));
    }
}
