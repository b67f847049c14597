using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using ArkManager.Images.Backups;
using ArkManager.Images.Docker;
using ArkManager.Images.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ArkManager.Images.Tests.Backups;

[Trait("Category", "Integration")]
public sealed class VolumeBackupIntegrationTests : SandboxTestBase, IDisposable
{
    private const string SavedPath = "/ark/ShooterGame/Saved";
    private const string ConfigPath = "/ark/cfg";

    private readonly List<string> _volumes = new();
    private readonly ITestOutputHelper _output;

    public VolumeBackupIntegrationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    void IDisposable.Dispose()
    {
        Dispose();
        foreach (var volume in _volumes)
        {
            Sandbox.TryDocker("volume", "rm", "-f", volume);
        }
    }

    [Fact]
    public async Task Backup_then_restore_gives_back_exactly_the_backed_up_content()
    {
        var (container, volume, bind) = CreateServerContainer();
        RunServerBriefly(container);
        Busybox(volume, string.Join(" && ", new[]
        {
            "cd /v",
            "busybox mkdir -p Config/WindowsServer Logs empty/deeper private",
            "echo '[ServerSettings]' > Config/WindowsServer/GameUserSettings.ini",
            "echo 'log line' > Logs/ShooterGame.log",
            "busybox dd if=/dev/urandom of=SavedArks/big.bin bs=1024 count=1536 2>/dev/null",
            "busybox ln -s TheIsland.ark SavedArks/latest.ark",
            "busybox ln SavedArks/TheIsland.ark SavedArks/TheIsland.bak",
            "echo long > SavedArks/" + new string('L', 120) + ".arkprofile",
            "echo unicode > 'SavedArks/Insel-Äöü-島.ark'",
            "busybox chmod 700 private && echo secret > private/key && busybox chmod 600 private/key",
            "busybox chown -R 1000:1000 Logs",
            "busybox touch -d '2020-01-02 03:04:05' Config/WindowsServer",
        }));
        File.WriteAllText(Path.Combine(bind, "Game.ini"), "[/script/shootergame.shootergamemode]\n");
        Directory.CreateDirectory(Path.Combine(bind, "sub", "dir"));
        File.WriteAllBytes(Path.Combine(bind, "sub", "dir", "x.bin"), Random.Shared.GetItems(new byte[] { 1, 2, 3, 4 }, 70_000));
        File.WriteAllText(Path.Combine(bind, new string('c', 140) + ".ini"), "long\n");

        var savedBefore = Snapshot(volume);
        var configBefore = Snapshot(bind);
        Assert.Contains(savedBefore, l => l.StartsWith("F|./SavedArks/TheIsland.ark|", StringComparison.Ordinal));
        Assert.Contains("FINAL-SAVE-MARKER", Busybox(volume, "busybox cat /v/SavedArks/TheIsland.ark"));
        Assert.Contains(savedBefore, l => l.StartsWith("L|./SavedArks/latest.ark|TheIsland.ark", StringComparison.Ordinal));

        var service = CreateService(out _);
        var destination = TempDir("backups");
        var info = await service.BackupAsync(container, "srv-a", Sandbox.ImageV1, "sha256:image", "sha256:digest", destination, new BackupOptions { Compress = true }, default);

        Assert.Matches(new Regex("^srv-a-[0-9]{8}-[0-9]{6}-[0-9a-f]{12}\\.tar\\.gz$"), Path.GetFileName(info.Path));
        Assert.True(File.Exists(info.Path + ".manifest.json"));
        Assert.Empty(Directory.GetFiles(destination, "*.partial-*"));
        Assert.Equal(new[] { SavedPath, ConfigPath }, info.Volumes.Select(v => v.Destination));
        Assert.Equal(new[] { "volume", "bind" }, info.Volumes.Select(v => v.Type));
        Assert.Equal(volume, info.Volumes[0].Source);
        Assert.True(info.Volumes[0].ContentSize > 1_500_000, info.Volumes[0].ContentSize.ToString());
        Assert.True(info.Compressed);
        Assert.Equal(new FileInfo(info.Path).Length, info.ArchiveSize);
        Assert.Equal("sha256:digest", info.ImageDigest);

        // Any tar reader sees the layout: volumes/<n>/… and manifest.json last.
        var names = ListWithSystemTar(info.Path);
        Assert.Equal("volumes/0/", names[0]);
        Assert.Equal("manifest.json", names[^1]);
        Assert.Contains("volumes/0/SavedArks/" + new string('L', 120) + ".arkprofile", names);
        Assert.Contains("volumes/0/SavedArks/Insel-Äöü-島.ark", names);
        Assert.Contains("volumes/1/Game.ini", names);

        // Change everything: content, metadata, deletions, and extra files at several depths.
        Busybox(volume, string.Join(" && ", new[]
        {
            "cd /v",
            "echo junk > SavedArks/TheIsland.ark",
            "busybox rm -f SavedArks/big.bin SavedArks/latest.ark",
            "echo notalink > SavedArks/latest.ark",
            "busybox rm -rf Config empty",
            "echo extra > SavedArks/extra-new.ark",
            "busybox mkdir -p Logs/more/deep && echo extra > Logs/more/deep/x.log",
            "busybox chmod 755 private",
            "echo top > extra-top.txt",
        }));
        File.WriteAllText(Path.Combine(bind, "Game.ini"), "changed\n");
        File.Delete(Path.Combine(bind, "sub", "dir", "x.bin"));
        File.WriteAllText(Path.Combine(bind, "sub", "dir", "new.txt"), "new\n");
        Assert.NotEqual(savedBefore, Snapshot(volume));

        service.RestorePartBytes = 256 * 1024; // several engine requests per volume, then the directory pass
        var restored = await service.RestoreAsync(container, "srv-a", info.Path, default);

        Assert.Equal(new[] { SavedPath + "/extra-top.txt" }, restored.ExtraEntriesKept);
        Assert.Contains(SavedPath + "/SavedArks/extra-new.ark", restored.ExtraEntriesRemoved);
        Assert.Contains(SavedPath + "/Logs/more", restored.ExtraEntriesRemoved);
        Assert.Contains(ConfigPath + "/sub/dir/new.txt", restored.ExtraEntriesRemoved);
        Assert.Equal(configBefore, Snapshot(bind));
        var savedAfter = Snapshot(volume).Where(l => !l.Contains("./extra-top.txt", StringComparison.Ordinal)).ToList();
        Assert.Equal(SansRootTime(savedBefore), SansRootTime(savedAfter));
    }

    [Fact]
    public async Task A_running_server_is_neither_backed_up_nor_restored()
    {
        var (container, volume, _) = CreateServerContainer();
        Busybox(volume, "echo data > /v/file");
        var service = CreateService(out _);
        var destination = TempDir("backups");
        var info = await service.BackupAsync(container, "srv-r", Sandbox.ImageV1, "sha256:i", null, destination, new BackupOptions { Compress = false }, default);
        Assert.False(info.Compressed);
        Assert.EndsWith(".tar", info.Path, StringComparison.Ordinal);

        Sandbox.Docker("start", container);
        var backup = await Assert.ThrowsAsync<ServerNotStoppedException>(() =>
            service.BackupAsync(container, "srv-r", Sandbox.ImageV1, "sha256:i", null, destination, new BackupOptions(), default));
        Assert.Contains("srv-r", backup.Message);
        Assert.Contains("stop it first", backup.Message);
        Assert.Equal("ServerNotStopped", backup.ErrorId);

        var restore = await Assert.ThrowsAsync<ServerNotStoppedException>(() => service.RestoreAsync(container, "srv-r", info.Path, default));
        Assert.Contains("restore", restore.Message);
        Assert.Single(Directory.GetFiles(destination, "*.tar"));
        Sandbox.Docker("stop", "-t", "30", container);
    }

    [Fact]
    public async Task A_crafted_archive_with_an_escaping_entry_is_refused_and_nothing_is_written()
    {
        var (container, volume, bind) = CreateServerContainer();
        Busybox(volume, "busybox mkdir -p /v/SavedArks && echo original > /v/SavedArks/TheIsland.ark");
        File.WriteAllText(Path.Combine(bind, "Game.ini"), "original\n");
        var service = CreateService(out _);
        var info = await service.BackupAsync(container, "srv-x", Sandbox.ImageV1, "sha256:i", null, TempDir("backups"), new BackupOptions { Compress = false }, default);

        // The server's data changes after the backup: a restore that wrote anything would show.
        Busybox(volume, "echo changed > /v/SavedArks/TheIsland.ark && echo more > /v/SavedArks/new.ark");
        File.WriteAllText(Path.Combine(bind, "Game.ini"), "changed\n");
        var savedBefore = Snapshot(volume);
        var configBefore = Snapshot(bind);

        foreach (var (name, type, link) in new[]
        {
            ("volumes/1/../../escape.txt", TarEntryType.RegularFile, string.Empty),
            ("volumes/1/evil", TarEntryType.SymbolicLink, "../../../../etc"),
            ("volumes/1/root", TarEntryType.SymbolicLink, "/"),
            ("volumes/1/passwd", TarEntryType.HardLink, "/etc/passwd"),
            ("volumes/1/passwd2", TarEntryType.HardLink, "volumes/1/../../etc/passwd"),
            ("/etc/evil", TarEntryType.RegularFile, string.Empty),
        })
        {
            // The bad entry comes last, after every good entry of both volumes: validation must precede any write.
            var crafted = Path.Combine(TempDir("crafted"), "crafted.tar");
            var bad = new PaxTarEntry(type, name);
            if (type == TarEntryType.RegularFile)
            {
                bad.DataStream = new MemoryStream("pwned"u8.ToArray());
            }
            else
            {
                bad.LinkName = link;
            }

            await Craft(info.Path, crafted, bad);
            var ex = await Assert.ThrowsAsync<BackupArchiveException>(() => service.RestoreAsync(container, "srv-x", crafted, default));
            Assert.Equal(name, ex.Entry);
            Assert.Contains(crafted, ex.Message);
            Assert.Contains("Nothing was written", ex.Message);
            Assert.Equal(savedBefore, Snapshot(volume));
            Assert.Equal(configBefore, Snapshot(bind));
        }

        Assert.Throws<InvalidOperationException>(() => Sandbox.Docker("cp", container + ":/ark/ShooterGame/escape.txt", TempDir("cp")));
    }

    [Fact]
    public async Task Retention_keeps_the_newest_archives_of_the_server_and_nothing_else()
    {
        var (container, volume, _) = CreateServerContainer();
        Busybox(volume, "echo data > /v/file");
        var service = CreateService(out _);
        var destination = TempDir("backups");
        var unrelated = new[]
        {
            "other-20200101-000000-0123456789ab.tar.gz",
            "srv-k-manual-copy.tar.gz",
            "srv-k-20200101-000000-0123456789ab.tar.gz.partial-deadbeef",
            "notes.txt",
            "srv-kk-20200101-000000-0123456789ab.tar.gz",
        };
        foreach (var name in unrelated)
        {
            File.WriteAllText(Path.Combine(destination, name), "keep me");
        }

        var first = await service.BackupAsync(container, "srv-k", Sandbox.ImageV1, "sha256:i", null, destination, new BackupOptions { Keep = 2 }, default);
        var second = await service.BackupAsync(container, "srv-k", Sandbox.ImageV1, "sha256:i", null, destination, new BackupOptions { Keep = 2 }, default);
        Assert.Empty(second.Pruned);
        var third = await service.BackupAsync(container, "srv-k", Sandbox.ImageV1, "sha256:i", null, destination, new BackupOptions { Keep = 2 }, default);

        Assert.Equal(new[] { first.Path }, third.Pruned);
        Assert.False(File.Exists(first.Path));
        Assert.False(File.Exists(first.Path + ".manifest.json"));
        Assert.True(File.Exists(second.Path) && File.Exists(third.Path));
        Assert.NotEqual(second.Path, third.Path);
        foreach (var name in unrelated)
        {
            Assert.True(File.Exists(Path.Combine(destination, name)), name);
        }

        var fourth = await service.BackupAsync(container, "srv-k", Sandbox.ImageV1, "sha256:i", null, destination, new BackupOptions { Keep = 1 }, default);
        Assert.Equal(new[] { third.Path, second.Path }, fourth.Pruned);
    }

    [Fact]
    public async Task A_missing_volume_in_the_target_is_refused_before_anything_is_written()
    {
        var (container, volume, _) = CreateServerContainer();
        Busybox(volume, "echo data > /v/file");
        var service = CreateService(out _);
        var info = await service.BackupAsync(container, "srv-m", Sandbox.ImageV1, "sha256:i", null, TempDir("backups"), new BackupOptions(), default);

        var other = UniqueName("bk-other");
        TrackContainer(other);
        Sandbox.Docker("create", "--name", other, "--network", "none", "-v", TempDir("only") + ":" + ConfigPath, Sandbox.ImageV1);
        var ex = await Assert.ThrowsAsync<BackupMismatchException>(() => service.RestoreAsync(other, "srv-other", info.Path, default));
        Assert.Contains(SavedPath, ex.Message);
        Assert.Equal("BackupDoesNotFitServer", ex.ErrorId);
    }

    private (string Container, string Volume, string Bind) CreateServerContainer()
    {
        EnsureImage();
        var volume = UniqueName("bk-vol");
        _volumes.Add(volume);
        Sandbox.Docker("volume", "create", volume);
        var bind = TempDir("bk-bind");
        var container = UniqueName("bk-srv");
        TrackContainer(container);
        Sandbox.Docker("create", "--name", container, "--network", "none",
            "-v", volume + ":" + SavedPath, "-v", bind + ":" + ConfigPath,
            "-e", "ARK_STARTUP_DELAY=0.2", "-e", "ARK_SAVE_INTERVAL=0.5", "-e", "ARK_SHUTDOWN_SAVE_SECONDS=0.5",
            "--stop-timeout", "30", Sandbox.ImageV1);
        return (container, volume, bind);
    }

    private void RunServerBriefly(string container)
    {
        Sandbox.Docker("start", container);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Sandbox.Docker("logs", container).Contains("advertising for join", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        Thread.Sleep(1200);
        Sandbox.Docker("stop", "-t", "30", container);
        Assert.Contains("World Save Complete", Sandbox.Docker("logs", container));
    }

    private void EnsureImage()
    {
        if (!Sandbox.ImageExists(Sandbox.ImageV1))
        {
            Sandbox.Docker("pull", "-q", Sandbox.ImageV1);
        }
    }

    /// <summary>Runs a busybox shell script with the volume (or host directory) at /v.</summary>
    private string Busybox(string volumeOrDir, string script) =>
        Sandbox.Docker("run", "--rm", "--network", "none", "-v", volumeOrDir + ":/v", "--entrypoint", "/bin/busybox", Sandbox.ImageV1, "sh", "-c", script);

    /// <summary>Every path of a volume with its type, mode, owner, mtime, size, link count and SHA-256 (or link target).</summary>
    private List<string> Snapshot(string volumeOrDir)
    {
        const string script = "cd /v && busybox find . | busybox sort | while IFS= read -r p; do " +
            "if [ -L \"$p\" ]; then echo \"L|$p|$(busybox readlink \"$p\")|$(busybox stat -c '%u:%g' \"$p\")\"; " +
            "elif [ -d \"$p\" ]; then echo \"D|$p|$(busybox stat -c '%a|%u:%g|%Y' \"$p\")\"; " +
            "else echo \"F|$p|$(busybox stat -c '%a|%u:%g|%Y|%s|%h' \"$p\")|$(busybox sha256sum \"$p\" | busybox cut -d' ' -f1)\"; fi; done";
        return Busybox(volumeOrDir, script).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>The root directory's mtime changes when a kept extra entry sits in it; compare the rest.</summary>
    private static List<string> SansRootTime(List<string> snapshot) =>
        snapshot.Select(l => l.StartsWith("D|.|", StringComparison.Ordinal) ? l[..l.LastIndexOf('|')] : l).ToList();

    private VolumeBackupService CreateService(out DockerConnection connection)
    {
        var logger = Logs.CreateLogger("backup");
        connection = new DockerConnection(new ArkManagerOptions { DockerHost = Sandbox.DockerHost, DockerConfigDirectory = TempDir("dockercfg") }, logger);
        return new VolumeBackupService(new ContainerOperations(connection), logger);
    }

    private static List<string> ListWithSystemTar(string archive)
    {
        var psi = new ProcessStartInfo("tar") { RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8 };
        psi.ArgumentList.Add("-tzf");
        psi.ArgumentList.Add(archive);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>Copies a backup (with System.Formats.Tar, independent of the code under test), adding <paramref name="extra"/> just before the manifest.</summary>
    private static async Task Craft(string source, string target, System.Formats.Tar.TarEntry extra)
    {
        await using var input = File.OpenRead(source);
        await using var output = File.Create(target);
        await using var reader = new System.Formats.Tar.TarReader(input);
        await using var writer = new System.Formats.Tar.TarWriter(output, TarEntryFormat.Pax);
        System.Formats.Tar.TarEntry? entry;
        while ((entry = await reader.GetNextEntryAsync(copyData: true)) != null)
        {
            if (entry.Name == "manifest.json")
            {
                await writer.WriteEntryAsync(extra);
            }

            await writer.WriteEntryAsync(entry);
        }
    }
}
