using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Backups.Tar
{
    /// <summary>
    /// A forward-only reader of ustar / PAX / GNU tar streams (what Go's archive/tar, and so the Docker archive API,
    /// produces). It holds one 512-byte header and one copy buffer, whatever the size of the entries: data is read by the
    /// caller through <see cref="ReadDataAsync"/> or skipped by the next <see cref="GetNextEntryAsync"/>.
    /// </summary>
    internal sealed class TarReader
    {
        internal const int BlockSize = 512;

        /// <summary>The largest PAX or GNU long-name payload accepted (they are held in memory).</summary>
        internal const int MaxExtensionSize = 1 << 20;

        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, false);

        private readonly Stream _stream;
        private readonly byte[] _header = new byte[BlockSize];
        private readonly Dictionary<string, string> _globalPax = new Dictionary<string, string>(StringComparer.Ordinal);
        private byte[]? _skipBuffer;
        private long _remaining;
        private int _padding;
        private long _position;
        private bool _finished;
        private TarEntry? _current;

        public TarReader(Stream stream)
        {
            _stream = stream ?? throw new ArgumentNullException(nameof(stream));
        }

        /// <summary>Bytes consumed from the underlying stream.</summary>
        public long Position => _position;

        /// <summary>Data bytes of the current entry not read yet.</summary>
        public long RemainingData => _remaining;

        /// <summary>
        /// Moves to the next entry (skipping whatever data of the current one was not read) and returns it, or null at the
        /// end-of-archive marker. A stream that ends before the marker throws <see cref="TarFormatException"/>.
        /// </summary>
        public async Task<TarEntry?> GetNextEntryAsync(CancellationToken cancellationToken)
        {
            if (_finished)
            {
                return null;
            }

            await SkipAsync(_remaining + _padding, cancellationToken).ConfigureAwait(false);
            _remaining = 0;
            _padding = 0;
            _current = null;

            string? longName = null;
            string? longLink = null;
            Dictionary<string, string>? localPax = null;
            while (true)
            {
                var offset = _position;
                var read = await ReadFullAsync(_header, 0, BlockSize, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new TarFormatException($"The archive is truncated: it ends at byte {offset} without the end-of-archive marker.");
                }

                if (read < BlockSize)
                {
                    throw new TarFormatException($"The archive is truncated: it ends inside a header at byte {offset}.");
                }

                if (IsZeroBlock(_header))
                {
                    read = await ReadFullAsync(_header, 0, BlockSize, cancellationToken).ConfigureAwait(false);
                    if (read == BlockSize && IsZeroBlock(_header))
                    {
                        if (longName != null || longLink != null || localPax != null)
                        {
                            throw new TarFormatException($"The archive ends (byte {offset}) right after an extended header that belongs to no entry.");
                        }

                        _finished = true;
                        return null;
                    }

                    if (read < BlockSize)
                    {
                        throw new TarFormatException($"The archive is truncated: it ends at byte {_position} after a single zero block.");
                    }

                    throw new TarFormatException($"The archive has a zero block inside it (byte {offset}).");
                }

                VerifyChecksum(offset);
                var flag = (char)_header[156];
                var size = ParseNumeric(_header, 124, 12, "size", offset);
                switch (flag)
                {
                    case 'x':
                        localPax ??= new Dictionary<string, string>(StringComparer.Ordinal);
                        ParsePax(await ReadExtensionAsync(size, offset, cancellationToken).ConfigureAwait(false), localPax, offset);
                        continue;
                    case 'g':
                        var global = new Dictionary<string, string>(StringComparer.Ordinal);
                        ParsePax(await ReadExtensionAsync(size, offset, cancellationToken).ConfigureAwait(false), global, offset);
                        foreach (var pair in global)
                        {
                            if (pair.Value.Length == 0)
                            {
                                _globalPax.Remove(pair.Key);
                            }
                            else
                            {
                                _globalPax[pair.Key] = pair.Value;
                            }
                        }

                        continue;
                    case 'L':
                        longName = CString(await ReadExtensionAsync(size, offset, cancellationToken).ConfigureAwait(false));
                        continue;
                    case 'K':
                        longLink = CString(await ReadExtensionAsync(size, offset, cancellationToken).ConfigureAwait(false));
                        continue;
                }

                var entry = BuildEntry(flag, size, longName, longLink, localPax, offset);
                _current = entry;
                _remaining = entry.Size;
                _padding = (int)((BlockSize - (entry.Size % BlockSize)) % BlockSize);
                return entry;
            }
        }

        /// <summary>Reads data of the current entry; 0 when all of it has been read.</summary>
        public async Task<int> ReadDataAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (_remaining == 0 || count == 0)
            {
                return 0;
            }

            var wanted = (int)Math.Min(count, _remaining);
            var read = await _stream.ReadAsync(buffer, offset, wanted, cancellationToken).ConfigureAwait(false);
            if (read <= 0)
            {
                throw new TarFormatException(
                    $"The archive is truncated: it ends inside the data of '{_current?.Name}' ({_remaining} bytes missing).", _current?.Name);
            }

            _position += read;
            _remaining -= read;
            return read;
        }

        private TarEntry BuildEntry(char flag, long size, string? longName, string? longLink, Dictionary<string, string>? localPax, long offset)
        {
            var isUstar = _header[257] == (byte)'u' && _header[258] == (byte)'s' && _header[259] == (byte)'t' && _header[260] == (byte)'a' && _header[261] == (byte)'r';
            var isPosix = isUstar && _header[262] == 0;
            var name = CString(_header, 0, 100);
            if (isPosix)
            {
                var prefix = CString(_header, 345, 155);
                if (prefix.Length > 0)
                {
                    name = prefix + "/" + name;
                }
            }

            var entry = new TarEntry
            {
                Name = longName ?? name,
                LinkName = longLink ?? CString(_header, 157, 100),
                TypeFlag = flag,
                Mode = (int)(ParseNumeric(_header, 100, 8, "mode", offset) & 0xFFF),
                Uid = ParseNumeric(_header, 108, 8, "uid", offset),
                Gid = ParseNumeric(_header, 116, 8, "gid", offset),
                ModTime = ParseNumeric(_header, 136, 12, "mtime", offset),
                Size = size,
            };
            if (isUstar)
            {
                entry.UserName = CString(_header, 265, 32);
                entry.GroupName = CString(_header, 297, 32);
                entry.DevMajor = ParseNumeric(_header, 329, 8, "devmajor", offset);
                entry.DevMinor = ParseNumeric(_header, 337, 8, "devminor", offset);
            }

            var pax = new Dictionary<string, string>(_globalPax, StringComparer.Ordinal);
            if (localPax != null)
            {
                foreach (var pair in localPax)
                {
                    if (pair.Value.Length == 0)
                    {
                        pax.Remove(pair.Key);
                    }
                    else
                    {
                        pax[pair.Key] = pair.Value;
                    }
                }
            }

            foreach (var pair in pax)
            {
                switch (pair.Key)
                {
                    case "path":
                        entry.Name = pair.Value;
                        break;
                    case "linkpath":
                        entry.LinkName = pair.Value;
                        break;
                    case "size":
                        entry.Size = ParsePaxInteger(pair.Key, pair.Value, offset);
                        break;
                    case "uid":
                        entry.Uid = ParsePaxInteger(pair.Key, pair.Value, offset);
                        break;
                    case "gid":
                        entry.Gid = ParsePaxInteger(pair.Key, pair.Value, offset);
                        break;
                    case "uname":
                        entry.UserName = pair.Value;
                        break;
                    case "gname":
                        entry.GroupName = pair.Value;
                        break;
                    case "mtime":
                        entry.ModTime = ParsePaxTime(pair.Value, offset);
                        break;
                    default:
                        entry.ExtraPax[pair.Key] = pair.Value;
                        break;
                }
            }

            if (entry.Size < 0)
            {
                throw new TarFormatException($"The header at byte {offset} ('{entry.Name}') has a negative size.", entry.Name);
            }

            entry.Type = flag switch
            {
                '0' or '\0' or '7' => entry.Name.EndsWith("/", StringComparison.Ordinal) ? TarEntryType.Directory : TarEntryType.RegularFile,
                '1' => TarEntryType.HardLink,
                '2' => TarEntryType.SymbolicLink,
                '3' => TarEntryType.CharacterDevice,
                '4' => TarEntryType.BlockDevice,
                '5' => TarEntryType.Directory,
                '6' => TarEntryType.Fifo,
                _ => TarEntryType.Other,
            };
            foreach (var key in entry.ExtraPax.Keys)
            {
                if (key.StartsWith("GNU.sparse.", StringComparison.Ordinal))
                {
                    entry.Type = TarEntryType.Other;
                }
            }

            // As in Go's archive/tar: these types never carry data, whatever the size field says.
            if (entry.IsHeaderOnly)
            {
                entry.Size = 0;
            }

            return entry;
        }

        private void VerifyChecksum(long offset)
        {
            var stored = ParseNumeric(_header, 148, 8, "checksum", offset);
            long unsignedSum = 0;
            long signedSum = 0;
            for (var i = 0; i < BlockSize; i++)
            {
                var b = i >= 148 && i < 156 ? (byte)' ' : _header[i];
                unsignedSum += b;
                signedSum += (sbyte)b;
            }

            if (stored != unsignedSum && stored != signedSum)
            {
                throw new TarFormatException($"The header at byte {offset} has a wrong checksum (stored {stored}, computed {unsignedSum}): the archive is corrupt or not a tar file.");
            }
        }

        private async Task<byte[]> ReadExtensionAsync(long size, long offset, CancellationToken cancellationToken)
        {
            if (size > MaxExtensionSize)
            {
                throw new TarFormatException($"The extended header at byte {offset} is {size} bytes long; at most {MaxExtensionSize} are accepted.");
            }

            var data = new byte[size];
            var read = await ReadFullAsync(data, 0, data.Length, cancellationToken).ConfigureAwait(false);
            if (read < data.Length)
            {
                throw new TarFormatException($"The archive is truncated: it ends inside the extended header at byte {offset}.");
            }

            await SkipAsync((BlockSize - (size % BlockSize)) % BlockSize, cancellationToken).ConfigureAwait(false);
            return data;
        }

        private async Task SkipAsync(long count, CancellationToken cancellationToken)
        {
            if (count <= 0)
            {
                return;
            }

            _skipBuffer ??= new byte[81920];
            while (count > 0)
            {
                var read = await _stream.ReadAsync(_skipBuffer, 0, (int)Math.Min(_skipBuffer.Length, count), cancellationToken).ConfigureAwait(false);
                if (read <= 0)
                {
                    throw new TarFormatException(
                        $"The archive is truncated: it ends inside the data of '{_current?.Name}' ({count} bytes missing).", _current?.Name);
                }

                _position += read;
                count -= read;
            }
        }

        private async Task<int> ReadFullAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            var total = 0;
            while (total < count)
            {
                var read = await _stream.ReadAsync(buffer, offset + total, count - total, cancellationToken).ConfigureAwait(false);
                if (read <= 0)
                {
                    break;
                }

                total += read;
            }

            _position += total;
            return total;
        }

        private static bool IsZeroBlock(byte[] block)
        {
            for (var i = 0; i < block.Length; i++)
            {
                if (block[i] != 0)
                {
                    return false;
                }
            }

            return true;
        }

        private static string CString(byte[] data) => CString(data, 0, data.Length);

        private static string CString(byte[] data, int offset, int length)
        {
            var end = offset;
            while (end < offset + length && data[end] != 0)
            {
                end++;
            }

            return Utf8.GetString(data, offset, end - offset);
        }

        /// <summary>An octal (space/NUL padded) or base-256 numeric header field.</summary>
        internal static long ParseNumeric(byte[] data, int offset, int length, string field, long headerOffset)
        {
            if ((data[offset] & 0x80) != 0)
            {
                if (data[offset] == 0xFF)
                {
                    throw new TarFormatException($"The header at byte {headerOffset} has a negative {field}.");
                }

                long value = data[offset] & 0x7F;
                for (var i = offset + 1; i < offset + length; i++)
                {
                    if (value > (long.MaxValue >> 8))
                    {
                        throw new TarFormatException($"The header at byte {headerOffset} has a {field} that does not fit in 64 bits.");
                    }

                    value = (value << 8) | data[i];
                }

                return value;
            }

            var start = offset;
            var end = offset + length;
            while (start < end && (data[start] == (byte)' ' || data[start] == 0))
            {
                start++;
            }

            while (end > start && (data[end - 1] == (byte)' ' || data[end - 1] == 0))
            {
                end--;
            }

            long result = 0;
            for (var i = start; i < end; i++)
            {
                var c = data[i];
                if (c < (byte)'0' || c > (byte)'7')
                {
                    throw new TarFormatException($"The header at byte {headerOffset} has an invalid {field} field: the archive is corrupt or not a tar file.");
                }

                if (result > (long.MaxValue >> 3))
                {
                    throw new TarFormatException($"The header at byte {headerOffset} has a {field} that does not fit in 64 bits.");
                }

                result = (result << 3) | (long)(c - '0');
            }

            return result;
        }

        /// <summary>Parses PAX records: "%d %s=%s\n", the length counting the whole record.</summary>
        internal static void ParsePax(byte[] data, IDictionary<string, string> into, long headerOffset)
        {
            var pos = 0;
            while (pos < data.Length)
            {
                if (data[pos] == 0)
                {
                    // Some writers pad with NULs.
                    break;
                }

                var space = pos;
                while (space < data.Length && data[space] != (byte)' ')
                {
                    space++;
                }

                if (space == pos || space >= data.Length ||
                    !int.TryParse(Encoding.ASCII.GetString(data, pos, space - pos), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ||
                    length <= space - pos + 1 || pos + length > data.Length || data[pos + length - 1] != (byte)'\n')
                {
                    throw new TarFormatException($"The PAX header at byte {headerOffset} has a malformed record.");
                }

                var recordStart = space + 1;
                var recordEnd = pos + length - 1;
                var equals = Array.IndexOf(data, (byte)'=', recordStart, recordEnd - recordStart);
                if (equals <= recordStart)
                {
                    throw new TarFormatException($"The PAX header at byte {headerOffset} has a record without a key.");
                }

                var key = Utf8.GetString(data, recordStart, equals - recordStart);
                var value = Utf8.GetString(data, equals + 1, recordEnd - equals - 1);
                into[key] = value;
                pos += length;
            }
        }

        private static long ParsePaxInteger(string key, string value, long offset)
        {
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var result))
            {
                throw new TarFormatException($"The PAX header before byte {offset} has an invalid {key} '{value}'.");
            }

            return result;
        }

        private static long ParsePaxTime(string value, long offset)
        {
            var dot = value.IndexOf('.');
            var whole = dot < 0 ? value : value.Substring(0, dot);
            if (!long.TryParse(whole, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
            {
                throw new TarFormatException($"The PAX header before byte {offset} has an invalid mtime '{value}'.");
            }

            if (dot >= 0 && seconds < 0 && value.Substring(dot + 1).Trim('0').Length > 0)
            {
                seconds--;
            }

            return seconds;
        }
    }
}
