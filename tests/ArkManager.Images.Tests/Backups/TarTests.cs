using System.Security.Cryptography;
using System.Text;
using ArkManager.Images.Backups.Tar;

namespace ArkManager.Images.Tests.Backups;

[Trait("Category", "Unit")]
public sealed class TarTests
{
    [Fact]
    public async Task Round_trip_keeps_every_field_and_byte()
    {
        var big = RandomNumberGenerator.GetBytes(300_000);
        var longName = "d/" + new string('n', 150) + ".txt";
        var unicode = "d/Insel-Äöü-島.ark";
        var entries = new List<(TarEntry Entry, byte[]? Data)>
        {
            (new TarEntry { Name = "d/", Type = TarEntryType.Directory, Mode = 0x1ED, Uid = 1000, Gid = 1000, UserName = "ark", GroupName = "ark", ModTime = 1_700_000_000 }, null),
            (new TarEntry { Name = "d/big.bin", Type = TarEntryType.RegularFile, Mode = 0x1A4, Size = big.Length, ModTime = 1_700_000_001 }, big),
            (new TarEntry { Name = longName, Type = TarEntryType.RegularFile, Mode = 0x180, Size = 3, ModTime = 5 }, "abc"u8.ToArray()),
            (new TarEntry { Name = unicode, Type = TarEntryType.RegularFile, Mode = 0x1A4, Size = 0 }, Array.Empty<byte>()),
            (new TarEntry { Name = "d/link", Type = TarEntryType.SymbolicLink, Mode = 0x1FF, LinkName = new string('l', 120) }, null),
            (new TarEntry { Name = "d/hard", Type = TarEntryType.HardLink, Mode = 0x1A4, LinkName = "d/big.bin" }, null),
            (new TarEntry { Name = "d/huge-ids", Type = TarEntryType.RegularFile, Mode = 0xDED, Uid = 100_000_000, Gid = 3_000_000, Size = 1, ModTime = -10 }, new byte[] { 42 }),
        };
        entries[1].Entry.ExtraPax["SCHILY.xattr.user.test"] = "värde";

        using var stream = new MemoryStream();
        var writer = new TarWriter(stream);
        foreach (var (entry, data) in entries)
        {
            await writer.WriteEntryAsync(entry, data is null ? null : new MemoryStream(data), default);
        }

        await writer.FinishAsync(default);
        Assert.Equal(0, stream.Length % 512);

        stream.Position = 0;
        var reader = new TarReader(stream);
        foreach (var (expected, data) in entries)
        {
            var actual = await reader.GetNextEntryAsync(default);
            Assert.NotNull(actual);
            Assert.Equal(expected.Name, actual!.Name);
            Assert.Equal(expected.Type, actual.Type);
            Assert.Equal(expected.Mode, actual.Mode);
            Assert.Equal(expected.Uid, actual.Uid);
            Assert.Equal(expected.Gid, actual.Gid);
            Assert.Equal(expected.ModTime, actual.ModTime);
            Assert.Equal(expected.LinkName, actual.LinkName);
            Assert.Equal(expected.UserName, actual.UserName);
            Assert.Equal(expected.ExtraPax, actual.ExtraPax);
            Assert.Equal(data ?? Array.Empty<byte>(), await ReadAll(reader));
        }

        Assert.Null(await reader.GetNextEntryAsync(default));
        Assert.Null(await reader.GetNextEntryAsync(default));
    }

    [Fact]
    public async Task Writer_uses_pax_only_when_needed()
    {
        var shortOnly = await Write(new TarEntry { Name = "a.txt", Type = TarEntryType.RegularFile, Size = 0 });
        Assert.Equal(512 + 1024, shortOnly.Length);
        Assert.Equal((byte)'0', shortOnly[156]);

        var longName = await Write(new TarEntry { Name = new string('x', 101), Type = TarEntryType.RegularFile, Size = 0 });
        Assert.Equal((byte)'x', longName[156]);
        Assert.Contains(" path=" + new string('x', 101) + "\n", Encoding.UTF8.GetString(longName, 512, 512));

        var nonAscii = await Write(new TarEntry { Name = "é", Type = TarEntryType.RegularFile, Size = 0 });
        Assert.Equal((byte)'x', nonAscii[156]);
    }

    [Theory]
    [InlineData(8_589_934_591L, false)] // the largest size the 11 octal digits hold
    [InlineData(8_589_934_592L, true)]
    [InlineData(50_000_000_000L, true)]
    public async Task Sizes_beyond_the_octal_field_travel_in_pax(long size, bool pax)
    {
        using var stream = new MemoryStream();
        var writer = new TarWriter(stream);
        await writer.WriteHeaderAsync(new TarEntry { Name = "huge.ark", Type = TarEntryType.RegularFile, Size = size }, default);
        var bytes = stream.ToArray();
        Assert.Equal(pax ? (byte)'x' : (byte)'0', bytes[156]);

        var entry = await new TarReader(new MemoryStream(bytes)).GetNextEntryAsync(default);
        Assert.Equal(size, entry!.Size);
    }

    [Fact]
    public void Pax_record_lengths_count_themselves()
    {
        // "NN path=...\n" where NN includes its own digits; crossing 9 → 10 and 99 → 100 are the edge cases.
        foreach (var valueLength in Enumerable.Range(0, 120))
        {
            var bytes = TarWriter.EncodePax(new[] { new KeyValuePair<string, string>("path", new string('v', valueLength)) });
            var text = Encoding.ASCII.GetString(bytes);
            var declared = int.Parse(text[..text.IndexOf(' ')]);
            Assert.Equal(bytes.Length, declared);
        }
    }

    [Fact]
    public async Task Reads_gnu_long_names_and_global_pax_headers()
    {
        var longName = "gnu/" + new string('g', 200);
        var longLink = "target/" + new string('t', 150);
        using var stream = new MemoryStream();
        WriteRaw(stream, "././@LongLink", 'L', Encoding.UTF8.GetBytes(longName + "\0"));
        WriteRaw(stream, "././@LongLink", 'K', Encoding.UTF8.GetBytes(longLink + "\0"));
        WriteRaw(stream, longName[..100], '2', Array.Empty<byte>(), gnuMagic: true);
        WriteRaw(stream, "pax_global_header", 'g', TarWriter.EncodePax(new[] { new KeyValuePair<string, string>("uname", "globaluser") }));
        WriteRaw(stream, "plain.txt", '0', "hello"u8.ToArray());
        stream.Write(new byte[1024]);
        stream.Position = 0;

        var reader = new TarReader(stream);
        var link = await reader.GetNextEntryAsync(default);
        Assert.Equal(longName, link!.Name);
        Assert.Equal(longLink, link.LinkName);
        Assert.Equal(TarEntryType.SymbolicLink, link.Type);
        var plain = await reader.GetNextEntryAsync(default);
        Assert.Equal("plain.txt", plain!.Name);
        Assert.Equal("globaluser", plain.UserName);
        Assert.Equal("hello"u8.ToArray(), await ReadAll(reader));
        Assert.Null(await reader.GetNextEntryAsync(default));
    }

    [Fact]
    public async Task Reads_base256_sizes_and_ustar_prefix()
    {
        using var stream = new MemoryStream();
        var header = RawHeader("file.bin", '0', 3);
        // base-256 size: high bit set, big-endian value 3.
        Array.Clear(header, 124, 12);
        header[124] = 0x80;
        header[135] = 3;
        Encoding.ASCII.GetBytes("some/prefix").CopyTo(header, 345);
        SetChecksum(header);
        stream.Write(header);
        stream.Write("xyz"u8);
        stream.Write(new byte[509 + 1024]);
        stream.Position = 0;

        var reader = new TarReader(stream);
        var entry = await reader.GetNextEntryAsync(default);
        Assert.Equal("some/prefix/file.bin", entry!.Name);
        Assert.Equal(3, entry.Size);
        Assert.Equal("xyz"u8.ToArray(), await ReadAll(reader));
    }

    [Theory]
    [InlineData(100)] // inside the first header
    [InlineData(512 + 1000)] // inside the data of the big file
    [InlineData(512 + 4096)] // right after the data, before the next header
    [InlineData(512 + 4096 + 512 + 512)] // after the last entry, without the end-of-archive marker
    [InlineData(512 + 4096 + 512 + 512 + 512)] // a single zero block
    public async Task A_truncated_archive_is_a_clear_error(int keep)
    {
        using var full = new MemoryStream();
        var writer = new TarWriter(full);
        await writer.WriteEntryAsync(new TarEntry { Name = "big", Type = TarEntryType.RegularFile, Size = 4096 }, new MemoryStream(new byte[4096]), default);
        await writer.WriteEntryAsync(new TarEntry { Name = "small", Type = TarEntryType.RegularFile, Size = 10 }, new MemoryStream(new byte[10]), default);
        await writer.FinishAsync(default);
        var cut = new MemoryStream(full.ToArray()[..keep]);

        var reader = new TarReader(cut);
        var ex = await Assert.ThrowsAsync<TarFormatException>(async () =>
        {
            while (await reader.GetNextEntryAsync(default) != null)
            {
                await ReadAll(reader);
            }
        });
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public async Task A_corrupt_header_fails_its_checksum()
    {
        var bytes = await Write(new TarEntry { Name = "a.txt", Type = TarEntryType.RegularFile, Size = 0 });
        bytes[3] ^= 0x20;
        var ex = await Assert.ThrowsAsync<TarFormatException>(() => new TarReader(new MemoryStream(bytes)).GetNextEntryAsync(default));
        Assert.Contains("checksum", ex.Message);
    }

    [Fact]
    public async Task Writer_refuses_more_or_less_data_than_announced()
    {
        var writer = new TarWriter(new MemoryStream());
        await Assert.ThrowsAsync<TarFormatException>(() =>
            writer.WriteEntryAsync(new TarEntry { Name = "short", Type = TarEntryType.RegularFile, Size = 10 }, new MemoryStream(new byte[4]), default));

        var other = new TarWriter(new MemoryStream());
        await other.WriteHeaderAsync(new TarEntry { Name = "f", Type = TarEntryType.RegularFile, Size = 2 }, default);
        await Assert.ThrowsAsync<InvalidOperationException>(() => other.WriteDataAsync(new byte[3], 0, 3, default));
    }

    private static async Task<byte[]> ReadAll(TarReader reader)
    {
        using var result = new MemoryStream();
        var buffer = new byte[7000];
        int read;
        while ((read = await reader.ReadDataAsync(buffer, 0, buffer.Length, default)) > 0)
        {
            result.Write(buffer, 0, read);
        }

        return result.ToArray();
    }

    private static async Task<byte[]> Write(TarEntry entry)
    {
        using var stream = new MemoryStream();
        var writer = new TarWriter(stream);
        await writer.WriteEntryAsync(entry, null, default);
        await writer.FinishAsync(default);
        return stream.ToArray();
    }

    private static void WriteRaw(Stream stream, string name, char flag, byte[] data, bool gnuMagic = false)
    {
        var header = RawHeader(name, flag, data.Length);
        if (gnuMagic)
        {
            Encoding.ASCII.GetBytes("ustar  \0").CopyTo(header, 257);
            SetChecksum(header);
        }

        stream.Write(header);
        stream.Write(data);
        stream.Write(new byte[(512 - (data.Length % 512)) % 512]);
    }

    private static byte[] RawHeader(string name, char flag, long size)
    {
        var header = new byte[512];
        Encoding.UTF8.GetBytes(name).CopyTo(header, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 116);
        Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(header, 124);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 136);
        header[156] = (byte)flag;
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
        SetChecksum(header);
        return header;
    }

    private static void SetChecksum(byte[] header)
    {
        for (var i = 148; i < 156; i++)
        {
            header[i] = (byte)' ';
        }

        var sum = header.Sum(b => (long)b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
    }
}
