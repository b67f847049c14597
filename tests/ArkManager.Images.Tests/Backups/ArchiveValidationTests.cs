using System.IO.Compression;
using System.Security.Cryptography;
using ArkManager.Images.Backups;
using ArkManager.Images.Backups.Tar;

namespace ArkManager.Images.Tests.Backups;

[Trait("Category", "Unit")]
public sealed class ArchiveValidationTests
{
    private static TarEntry Dir(string name) => new() { Name = name, Type = TarEntryType.Directory, Mode = 0x1ED };

    private static TarEntry File(string name, int size) => new() { Name = name, Type = TarEntryType.RegularFile, Mode = 0x1A4, Size = size };

    private static TarEntry Symlink(string name, string target) => new() { Name = name, Type = TarEntryType.SymbolicLink, Mode = 0x1FF, LinkName = target };

    private static TarEntry HardLink(string name, string target) => new() { Name = name, Type = TarEntryType.HardLink, Mode = 0x1A4, LinkName = target };

    /// <summary>A well-formed archive: two volumes and a manifest that matches them.</summary>
    private static List<TarEntry> GoodEntries() => new()
    {
        Dir("volumes/0/"),
        Dir("volumes/0/SavedArks/"),
        File("volumes/0/SavedArks/TheIsland.ark", 5000),
        HardLink("volumes/0/SavedArks/copy.ark", "volumes/0/SavedArks/TheIsland.ark"),
        Symlink("volumes/0/latest", "SavedArks/TheIsland.ark"),
        Dir("volumes/0/SavedArks/deep/"),
        Symlink("volumes/0/SavedArks/deep/up", "../../latest"),
        Dir("volumes/1/"),
        File("volumes/1/Game.ini", 10),
    };

    [Fact]
    public async Task A_good_archive_passes_with_the_manifest_digests()
    {
        foreach (var compress in new[] { false, true })
        {
            var bytes = await Build(GoodEntries(), compress);
            var result = await VolumeBackupService.ValidateArchiveAsync(new MemoryStream(bytes), "good.tar", default);
            Assert.Equal(compress, result.Compressed);
            Assert.Equal(2, result.Order.Count);
            Assert.Equal(7, result.Contents[0].EntryCount);
            Assert.Equal(5000, result.Contents[0].ContentBytes);
            Assert.Equal(bytes.Length, result.ArchiveSize);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), result.ArchiveSha256);
        }
    }

    [Theory]
    [InlineData("volumes/0/../x", "'..'")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("volumes/0/a/../../x", "'..'")]
    [InlineData("volumes/0/..\\..\\x", "'..'")]
    [InlineData("other/x", "outside the volume prefixes")]
    [InlineData("volumes/00/x", "outside the volume prefixes")]
    [InlineData("volumes/0/missing-parent/x", "parent directory")]
    [InlineData("volumes/0//x", "absolute")]
    [InlineData("volumes/0/a//x", "empty path component")]
    public async Task Unsafe_names_are_refused(string name, string expected)
    {
        var entries = new List<TarEntry> { Dir("volumes/0/"), File(name, 3) };
        var ex = await Refused(entries);
        Assert.Equal(name, ex.Entry);
        Assert.Contains(expected, ex.Message);
        Assert.Contains("bad.tar", ex.Message);
    }

    [Theory]
    [InlineData("/", "absolute")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("../../", "outside the volume")]
    [InlineData("..", "outside the volume")]
    [InlineData("a/../../x", "outside the volume")]
    [InlineData("C:/Windows", "absolute")]
    public async Task Symlinks_leaving_the_volume_are_refused(string target, string expected)
    {
        var ex = await Refused(new List<TarEntry> { Dir("volumes/0/"), Symlink("volumes/0/link", target) });
        Assert.Contains("link", ex.Entry);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public async Task A_symlink_escaping_through_another_symlink_is_refused()
    {
        // d/l1 -> .. is the volume root (fine), but l2 -> d/l1/.. then climbs above it.
        var ex = await Refused(new List<TarEntry>
        {
            Dir("volumes/0/"),
            Dir("volumes/0/d/"),
            Symlink("volumes/0/d/l1", ".."),
            Symlink("volumes/0/l2", "d/l1/.."),
        });
        Assert.Equal("volumes/0/l2", ex.Entry);
        Assert.Contains("outside the volume", ex.Message);
    }

    [Fact]
    public async Task Writing_through_a_symlink_is_refused()
    {
        var ex = await Refused(new List<TarEntry> { Dir("volumes/0/"), Symlink("volumes/0/s", "."), File("volumes/0/s/x", 1) });
        Assert.Equal("volumes/0/s/x", ex.Entry);
    }

    [Theory]
    [InlineData("etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("volumes/0/../../etc/passwd")]
    [InlineData("volumes/1/file")]
    [InlineData("volumes/0/not-yet")]
    public async Task Hard_links_out_of_the_volume_are_refused(string target)
    {
        var ex = await Refused(new List<TarEntry>
        {
            Dir("volumes/0/"),
            HardLink("volumes/0/h", target),
            Dir("volumes/1/"),
            File("volumes/1/file", 1),
        });
        Assert.Equal("volumes/0/h", ex.Entry);
        Assert.Contains("hard link", ex.Message);
    }

    [Theory]
    [InlineData("CharacterDevice", "device")]
    [InlineData("BlockDevice", "device")]
    [InlineData("Fifo", "pipe")]
    public async Task Device_nodes_are_refused(string typeName, string expected)
    {
        var type = Enum.Parse<TarEntryType>(typeName);
        var ex = await Refused(new List<TarEntry> { Dir("volumes/0/"), new() { Name = "volumes/0/dev", Type = type, Mode = 0x1A4, DevMajor = 1, DevMinor = 3 } });
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public async Task A_missing_manifest_is_refused()
    {
        using var stream = new MemoryStream();
        var writer = new TarWriter(stream);
        await writer.WriteEntryAsync(Dir("volumes/0/"), null, default);
        await writer.FinishAsync(default);
        var ex = await Assert.ThrowsAsync<BackupArchiveException>(() => VolumeBackupService.ValidateArchiveAsync(new MemoryStream(stream.ToArray()), "x.tar", default));
        Assert.Contains("manifest is missing", ex.Message);
    }

    [Fact]
    public async Task Content_that_does_not_match_the_manifest_is_refused()
    {
        var bytes = await Build(GoodEntries(), compress: false, tamper: m => m.Volumes[0].ContentSha256 = new string('0', 64));
        var ex = await Assert.ThrowsAsync<BackupArchiveException>(() => VolumeBackupService.ValidateArchiveAsync(new MemoryStream(bytes), "x.tar", default));
        Assert.Contains("does not match the manifest", ex.Message);

        // One flipped data byte: same names and sizes, another digest.
        var good = await Build(GoodEntries(), compress: false);
        var index = FindData(good);
        good[index] ^= 1;
        ex = await Assert.ThrowsAsync<BackupArchiveException>(() => VolumeBackupService.ValidateArchiveAsync(new MemoryStream(good), "x.tar", default));
        Assert.Contains("SHA-256", ex.Message);
    }

    [Fact]
    public async Task A_truncated_or_damaged_gzip_archive_is_refused()
    {
        var bytes = await Build(GoodEntries(), compress: true);
        var cut = bytes[..(bytes.Length / 2)];
        var ex = await Assert.ThrowsAsync<BackupArchiveException>(() => VolumeBackupService.ValidateArchiveAsync(new MemoryStream(cut), "x.tar.gz", default));
        Assert.Contains("x.tar.gz", ex.Message);

        var plain = await Build(GoodEntries(), compress: false);
        ex = await Assert.ThrowsAsync<BackupArchiveException>(() => VolumeBackupService.ValidateArchiveAsync(new MemoryStream(plain[..(plain.Length - 1024 - 512)]), "x.tar", default));
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public async Task Entries_after_the_manifest_or_a_split_volume_are_refused()
    {
        var split = new List<TarEntry> { Dir("volumes/0/"), Dir("volumes/1/"), File("volumes/0/late", 1) };
        var ex = await Refused(split);
        Assert.Contains("not contiguous", ex.Message);
    }

    [Fact]
    public void The_content_digest_ignores_the_prefix_and_sees_metadata()
    {
        string Digest(string prefix, int mode)
        {
            using var content = new VolumeContent();
            content.Add(string.Empty, Dir(prefix), null);
            var file = File(prefix + "f", 2);
            file.Mode = mode;
            content.Add("f", file, null);
            content.AddContent(new byte[] { 1, 2 }, 0, 2);
            content.Complete();
            return content.Digest;
        }

        Assert.Equal(Digest("volumes/0/", 0x1A4), Digest("Saved/", 0x1A4));
        Assert.NotEqual(Digest("Saved/", 0x1A4), Digest("Saved/", 0x1B6));
    }

    private static async Task<BackupArchiveException> Refused(List<TarEntry> entries)
    {
        var bytes = await Build(entries, compress: false, computeManifest: false);
        return await Assert.ThrowsAsync<BackupArchiveException>(() => VolumeBackupService.ValidateArchiveAsync(new MemoryStream(bytes), "bad.tar", default));
    }

    /// <summary>Writes the entries (file data: a deterministic pattern) and a manifest describing them.</summary>
    internal static async Task<byte[]> Build(List<TarEntry> entries, bool compress, Action<BackupManifest>? tamper = null, bool computeManifest = true)
    {
        var manifest = new BackupManifest { Server = "unit", ContainerId = "c", Image = "img", ImageId = "sha256:1", CreatedAt = DateTimeOffset.UtcNow, Compressed = compress };
        using var raw = new MemoryStream();
        Stream output = compress ? new GZipStream(raw, CompressionLevel.Fastest, leaveOpen: true) : raw;
        var writer = new TarWriter(output);
        var contents = new Dictionary<int, VolumeContent>();
        foreach (var entry in entries)
        {
            var data = entry.Type == TarEntryType.RegularFile ? Enumerable.Range(0, (int)entry.Size).Select(i => (byte)(i * 7)).ToArray() : null;
            await writer.WriteEntryAsync(entry, data is null ? null : new MemoryStream(data), default);
            if (computeManifest && entry.Name.StartsWith("volumes/", StringComparison.Ordinal))
            {
                var index = int.Parse(entry.Name.Split('/')[1]);
                if (!contents.TryGetValue(index, out var content))
                {
                    contents[index] = content = new VolumeContent();
                }

                var prefix = BackupManifest.PrefixOf(index);
                content.Add(VolumeContent.RelativeTo(entry.Name, prefix)!, entry, entry.Type == TarEntryType.HardLink ? VolumeContent.RelativeTo(entry.LinkName, prefix) : null);
                if (data != null)
                {
                    content.AddContent(data, 0, data.Length);
                }
            }
        }

        foreach (var (index, content) in contents)
        {
            content.Complete();
            manifest.Volumes.Add(new ManifestVolume
            {
                Index = index,
                Entry = BackupManifest.PrefixOf(index),
                Destination = "/ark/v" + index,
                Type = "volume",
                ContentSha256 = content.Digest,
                ContentSize = content.ContentBytes,
                EntryCount = content.EntryCount,
            });
        }

        tamper?.Invoke(manifest);
        var manifestBytes = manifest.ToUtf8();
        await writer.WriteEntryAsync(File(BackupManifest.EntryName, manifestBytes.Length), new MemoryStream(manifestBytes), default);
        await writer.FinishAsync(default);
        if (compress)
        {
            output.Dispose();
        }

        return raw.ToArray();
    }

    private static int FindData(byte[] archive)
    {
        // The data of TheIsland.ark: the pattern i*7 starting with 0, 7, 14, 21 after a header block.
        for (var i = 512; i < archive.Length - 4; i += 512)
        {
            if (archive[i] == 0 && archive[i + 1] == 7 && archive[i + 2] == 14 && archive[i + 3] == 21)
            {
                return i + 100;
            }
        }

        throw new InvalidOperationException("pattern not found");
    }
}
