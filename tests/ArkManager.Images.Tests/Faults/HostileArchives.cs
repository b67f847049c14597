using System.IO.Compression;
using System.Text;
using ArkManager.Images.Backups.Tar;
using ArkManager.Images.Tests.Backups;

namespace ArkManager.Images.Tests.Faults;

/// <summary>Builds hostile restore archives from a <see cref="BadInputGenerator"/>: names and links out of the volume, huge PAX headers, patched sizes, truncation.</summary>
public static class HostileArchives
{
    private static TarEntry Dir(string name) => new() { Name = name, Type = TarEntryType.Directory, Mode = 0x1ED };

    private static TarEntry File(string name, int size) => new() { Name = name, Type = TarEntryType.RegularFile, Mode = 0x1A4, Size = size };

    private static readonly string[] EvilNames =
    {
        "volumes/0/../../etc/cron.d/x", "/etc/passwd", "volumes/0/a/../../../x", "../x", "volumes/0/..", "volumes/1/../0/x",
        "volumes/0/\0x", "volumes/0/a\\..\\..\\x", "C:\\x", "volumes/-1/x", "volumes/99999999999999999999/x", "volumes/0/./x",
        "volumes/0//etc", "volumes/0/" + new string('a', 5000), "volumes/0/\u202e", "backup-manifest.json/../x", "volumes/0/x/",
    };

    private static readonly string[] EvilLinks =
    {
        "/etc/shadow", "../../../../etc", "..", "../..", "../1/x", "/", "volumes/0/../../x", "a/../../..", "\0", "", new string('.', 300),
    };

    /// <summary>The bytes of one generated archive, and what was done to it.</summary>
    public static async Task<(byte[] Bytes, string Kind)> GenerateAsync(BadInputGenerator g)
    {
        var entries = new List<TarEntry> { Dir("volumes/0/"), Dir("volumes/0/SavedArks/"), File("volumes/0/SavedArks/TheIsland.ark", g.Next(3000)), Dir("volumes/1/"), File("volumes/1/Game.ini", 10) };
        var kind = g.Next(9);
        string label;
        switch (kind)
        {
            case 0:
                label = "evil-name";
                entries.Add(File(g.Maybe(50) ? g.OneOf(EvilNames) : "volumes/0/" + g.Mutate("a/b/c"), g.Next(100)));
                break;
            case 1:
                label = "symlink-out";
                entries.Add(new TarEntry { Name = "volumes/0/link" + g.Next(100), Type = TarEntryType.SymbolicLink, Mode = 0x1FF, LinkName = g.Maybe(70) ? g.OneOf(EvilLinks) : g.Mutate("SavedArks/TheIsland.ark") });
                if (g.Maybe(50))
                {
                    entries.Add(File(entries[^1].Name + "/through", 3));
                }

                break;
            case 2:
                label = "hardlink-out";
                entries.Add(new TarEntry { Name = "volumes/0/hard" + g.Next(100), Type = TarEntryType.HardLink, Mode = 0x1A4, LinkName = g.Maybe(70) ? g.OneOf(EvilLinks.Concat(new[] { "volumes/1/Game.ini", "volumes/0/missing" }).ToList()) : "volumes/0/SavedArks/TheIsland.ark" });
                break;
            case 3:
                label = "huge-pax";
                var entry = File("volumes/0/pax" + g.Next(100), 5);
                entry.ExtraPax[g.OneOf(new[] { "comment", "path", "linkpath", "size", "mtime", "SCHILY.xattr.user.x", "uid" })] =
                    g.Maybe(50) ? new string('p', g.Next(2) == 0 ? (1 << 20) + 10 : g.Next(1, 70000)) : g.OneOf(new[] { "../../x", "-5", "99999999999999999999999", "/abs", "" });
                entries.Add(entry);
                break;
            case 4:
                label = "device-or-fifo";
                entries.Add(new TarEntry { Name = "volumes/0/dev" + g.Next(10), Type = g.OneOf(new[] { TarEntryType.CharacterDevice, TarEntryType.BlockDevice, TarEntryType.Fifo }), Mode = 0x1A4, DevMajor = 1, DevMinor = 3 });
                break;
            default:
                label = kind switch { 5 => "patched-size", 6 => "truncated", 7 => "flipped-bytes", _ => "gzip-truncated" };
                break;
        }

        byte[] bytes;
        try
        {
            bytes = await ArchiveValidationTests.Build(entries, compress: kind == 8, computeManifest: g.Maybe(70));
        }
        catch (Exception ex) when (ex is ArgumentException or NullReferenceException or InvalidOperationException or FormatException or OverflowException or TarFormatException)
        {
            // Our writer (or the test's manifest helper) refuses the name: write it without a manifest.
            try
            {
                bytes = await ArchiveValidationTests.Build(entries, compress: kind == 8, computeManifest: false);
            }
            catch (Exception inner) when (inner is ArgumentException or NullReferenceException or InvalidOperationException or FormatException or OverflowException or TarFormatException)
            {
                bytes = RawArchive(entries[^1].Name, entries[^1].LinkName, entries[^1].Type == TarEntryType.SymbolicLink ? '2' : entries[^1].Type == TarEntryType.HardLink ? '1' : '0');
                label += "-raw";
            }
        }

        switch (kind)
        {
            case 5:
                PatchSize(bytes, g);
                break;
            case 6:
                bytes = bytes[..g.Next(bytes.Length)];
                break;
            case 7:
                for (var i = 0; i < g.Next(1, 6); i++)
                {
                    var at = (g.Next(Math.Max(1, bytes.Length / 512)) * 512) + g.Next(512);
                    if (at < bytes.Length)
                    {
                        bytes[at] = (byte)g.Next(256);
                    }
                }

                if (g.Maybe(50))
                {
                    FixChecksums(bytes);
                }

                break;
            case 8:
                bytes = bytes[..g.Next(bytes.Length)];
                break;
        }

        return (bytes, label);
    }

    /// <summary>Sets the size field of a random header to a huge octal, a negative base-256 or garbage, with a correct checksum.</summary>
    private static void PatchSize(byte[] bytes, BadInputGenerator g)
    {
        var headers = Headers(bytes);
        if (headers.Count == 0)
        {
            return;
        }

        var at = g.OneOf(headers);
        var field = g.Next(4) switch
        {
            0 => Encoding.ASCII.GetBytes("77777777777\0"),
            1 => new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00 },
            2 => new byte[] { 0x80, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF },
            _ => Encoding.ASCII.GetBytes("9z-1 ..\0\0\0\0\0"),
        };
        Array.Copy(field, 0, bytes, at + 124, 12);
        FixChecksum(bytes, at);
    }

    private static List<int> Headers(byte[] bytes)
    {
        var list = new List<int>();
        var at = 0;
        while (at + 512 <= bytes.Length && bytes[at] != 0)
        {
            list.Add(at);
            var sizeText = Encoding.ASCII.GetString(bytes, at + 124, 11).Trim('\0', ' ');
            long size;
            try
            {
                size = Convert.ToInt64(sizeText.Length == 0 ? "0" : sizeText, 8);
            }
            catch (FormatException)
            {
                break;
            }

            at += 512 + (int)((size + 511) / 512 * 512);
        }

        return list;
    }

    private static void FixChecksums(byte[] bytes)
    {
        foreach (var at in Headers(bytes))
        {
            FixChecksum(bytes, at);
        }
    }

    private static void FixChecksum(byte[] bytes, int at)
    {
        for (var i = 148; i < 156; i++)
        {
            bytes[at + i] = (byte)' ';
        }

        var sum = 0;
        for (var i = 0; i < 512; i++)
        {
            sum += bytes[at + i];
        }

        var text = Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ");
        Array.Copy(text, 0, bytes, at + 148, 8);
    }

    /// <summary>A ustar archive with one entry written byte by byte (for names our writer refuses), then the end marker.</summary>
    private static byte[] RawArchive(string name, string link, char type)
    {
        var header = new byte[512];
        var nameBytes = Encoding.UTF8.GetBytes(name);
        Array.Copy(nameBytes, 0, header, 0, Math.Min(100, nameBytes.Length));
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 116);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 124);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 136);
        header[156] = (byte)type;
        var linkBytes = Encoding.UTF8.GetBytes(link);
        Array.Copy(linkBytes, 0, header, 157, Math.Min(100, linkBytes.Length));
        Encoding.ASCII.GetBytes("ustar\0").CopyTo(header, 257);
        Encoding.ASCII.GetBytes("00").CopyTo(header, 263);
        var all = new byte[512 * 3];
        header.CopyTo(all, 0);
        FixChecksum(all, 0);
        return all;
    }
}
