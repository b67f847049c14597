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
    /// Writes POSIX (ustar + PAX) tar streams: a PAX 'x' header precedes an entry whose name or link target is longer than
    /// 100 bytes or not ASCII, whose size, ids or time do not fit the octal fields, or that carries extra PAX records.
    /// Data is passed through in the caller's chunks, so memory stays constant whatever the entry sizes.
    /// </summary>
    internal sealed class TarWriter
    {
        private const int BlockSize = TarReader.BlockSize;
        private const long MaxOctal11 = (1L << 33) - 1; // 11 octal digits
        private const long MaxOctal7 = (1L << 21) - 1; // 7 octal digits

        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, true);
        private static readonly byte[] Zeros = new byte[BlockSize * 2];

        private readonly Stream _output;
        private readonly byte[] _header = new byte[BlockSize];
        private long _remaining;
        private int _padding;
        private string? _currentName;
        private bool _finished;

        public TarWriter(Stream output)
        {
            _output = output ?? throw new ArgumentNullException(nameof(output));
        }

        /// <summary>Bytes written so far.</summary>
        public long BytesWritten { get; private set; }

        /// <summary>Writes the header(s) of <paramref name="entry"/>; its <see cref="TarEntry.Size"/> bytes of data must follow.</summary>
        public async Task WriteHeaderAsync(TarEntry entry, CancellationToken cancellationToken)
        {
            if (entry is null)
            {
                throw new ArgumentNullException(nameof(entry));
            }

            if (_finished)
            {
                throw new InvalidOperationException("The archive is already finished.");
            }

            if (_remaining != 0 || _padding != 0 || _currentName != null)
            {
                throw new InvalidOperationException($"The entry '{_currentName}' is not complete.");
            }

            if (entry.Name.Length == 0 || entry.Name.IndexOf('\0') >= 0 || entry.LinkName.IndexOf('\0') >= 0)
            {
                throw new ArgumentException($"The entry name '{entry.Name}' cannot be written to a tar archive.", nameof(entry));
            }

            var size = entry.IsHeaderOnly ? 0 : entry.Size;
            if (size < 0)
            {
                throw new ArgumentException($"The entry '{entry.Name}' has a negative size.", nameof(entry));
            }

            var pax = new List<KeyValuePair<string, string>>();
            var nameBytes = Utf8.GetBytes(entry.Name);
            if (nameBytes.Length > 100 || !IsAscii(entry.Name))
            {
                pax.Add(Pair("path", entry.Name));
            }

            var linkBytes = Utf8.GetBytes(entry.LinkName);
            if (linkBytes.Length > 100 || !IsAscii(entry.LinkName))
            {
                pax.Add(Pair("linkpath", entry.LinkName));
            }

            if (size > MaxOctal11)
            {
                pax.Add(Pair("size", size.ToString(CultureInfo.InvariantCulture)));
            }

            if (entry.Uid < 0 || entry.Uid > MaxOctal7)
            {
                pax.Add(Pair("uid", entry.Uid.ToString(CultureInfo.InvariantCulture)));
            }

            if (entry.Gid < 0 || entry.Gid > MaxOctal7)
            {
                pax.Add(Pair("gid", entry.Gid.ToString(CultureInfo.InvariantCulture)));
            }

            if (entry.ModTime < 0 || entry.ModTime > MaxOctal11)
            {
                pax.Add(Pair("mtime", entry.ModTime.ToString(CultureInfo.InvariantCulture)));
            }

            if (Utf8.GetByteCount(entry.UserName) > 31 || !IsAscii(entry.UserName))
            {
                pax.Add(Pair("uname", entry.UserName));
            }

            if (Utf8.GetByteCount(entry.GroupName) > 31 || !IsAscii(entry.GroupName))
            {
                pax.Add(Pair("gname", entry.GroupName));
            }

            foreach (var extra in entry.ExtraPax)
            {
                pax.Add(extra);
            }

            if (pax.Count > 0)
            {
                var data = EncodePax(pax);
                var paxName = "PaxHeaders/" + LastComponent(entry.Name);
                FillHeader(AsciiFallback(paxName, 100), 'x', 0x1A4, 0, 0, data.Length, Math.Max(0, Math.Min(entry.ModTime, MaxOctal11)), string.Empty, string.Empty, string.Empty, 0, 0);
                await WriteRawAsync(_header, 0, BlockSize, cancellationToken).ConfigureAwait(false);
                await WriteRawAsync(data, 0, data.Length, cancellationToken).ConfigureAwait(false);
                await WriteRawAsync(Zeros, 0, Padding(data.Length), cancellationToken).ConfigureAwait(false);
            }

            FillHeader(
                AsciiFallback(entry.Name, 100),
                TarEntry.FlagOf(entry.Type),
                entry.Mode & 0xFFF,
                entry.Uid >= 0 && entry.Uid <= MaxOctal7 ? entry.Uid : 0,
                entry.Gid >= 0 && entry.Gid <= MaxOctal7 ? entry.Gid : 0,
                size <= MaxOctal11 ? size : 0,
                entry.ModTime >= 0 && entry.ModTime <= MaxOctal11 ? entry.ModTime : 0,
                AsciiFallback(entry.LinkName, 100),
                AsciiFallback(entry.UserName, 31),
                AsciiFallback(entry.GroupName, 31),
                entry.DevMajor >= 0 && entry.DevMajor <= MaxOctal7 ? entry.DevMajor : 0,
                entry.DevMinor >= 0 && entry.DevMinor <= MaxOctal7 ? entry.DevMinor : 0);
            await WriteRawAsync(_header, 0, BlockSize, cancellationToken).ConfigureAwait(false);
            _currentName = entry.Name;
            _remaining = size;
            _padding = Padding(size);
        }

        /// <summary>Writes data of the current entry.</summary>
        public Task WriteDataAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (_currentName == null || count > _remaining)
            {
                throw new InvalidOperationException($"More data than the header of '{_currentName}' announced.");
            }

            _remaining -= count;
            return WriteRawAsync(buffer, offset, count, cancellationToken);
        }

        /// <summary>Completes the current entry (padding to the block size); all its data must have been written.</summary>
        public async Task EndEntryAsync(CancellationToken cancellationToken)
        {
            if (_currentName == null)
            {
                return;
            }

            if (_remaining != 0)
            {
                throw new TarFormatException($"The data of '{_currentName}' is {_remaining} bytes shorter than its header says.", _currentName);
            }

            await WriteRawAsync(Zeros, 0, _padding, cancellationToken).ConfigureAwait(false);
            _padding = 0;
            _currentName = null;
        }

        /// <summary>Writes a whole entry, copying exactly <see cref="TarEntry.Size"/> bytes from <paramref name="data"/>.</summary>
        public async Task WriteEntryAsync(TarEntry entry, Stream? data, CancellationToken cancellationToken)
        {
            await WriteHeaderAsync(entry, cancellationToken).ConfigureAwait(false);
            if (_remaining > 0)
            {
                if (data is null)
                {
                    throw new ArgumentNullException(nameof(data), $"The entry '{entry.Name}' needs {entry.Size} bytes of data.");
                }

                var buffer = new byte[(int)Math.Min(81920, Math.Max(_remaining, 1))];
                while (_remaining > 0)
                {
                    var read = await data.ReadAsync(buffer, 0, (int)Math.Min(buffer.Length, _remaining), cancellationToken).ConfigureAwait(false);
                    if (read <= 0)
                    {
                        break;
                    }

                    await WriteDataAsync(buffer, 0, read, cancellationToken).ConfigureAwait(false);
                }
            }

            await EndEntryAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Writes the end-of-archive marker (two zero blocks) and flushes.</summary>
        public async Task FinishAsync(CancellationToken cancellationToken)
        {
            await EndEntryAsync(cancellationToken).ConfigureAwait(false);
            if (!_finished)
            {
                await WriteRawAsync(Zeros, 0, BlockSize * 2, cancellationToken).ConfigureAwait(false);
                _finished = true;
            }

            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Encodes PAX records ("%d %s=%s\n", the length counting itself).</summary>
        internal static byte[] EncodePax(IEnumerable<KeyValuePair<string, string>> records)
        {
            using var buffer = new MemoryStream();
            foreach (var record in records)
            {
                if (record.Key.Length == 0 || record.Key.IndexOf('=') >= 0 || record.Key.IndexOf('\0') >= 0 || record.Value.IndexOf('\0') >= 0)
                {
                    throw new ArgumentException($"The PAX record '{record.Key}' cannot be written.");
                }

                var body = Utf8.GetBytes(" " + record.Key + "=" + record.Value + "\n");
                var length = body.Length + Digits(body.Length);
                if (Digits(length) != Digits(body.Length))
                {
                    length = body.Length + Digits(length);
                }

                var prefix = Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture));
                buffer.Write(prefix, 0, prefix.Length);
                buffer.Write(body, 0, body.Length);
            }

            return buffer.ToArray();
        }

        private void FillHeader(string name, char flag, int mode, long uid, long gid, long size, long mtime, string linkName, string userName, string groupName, long devMajor, long devMinor)
        {
            Array.Clear(_header, 0, BlockSize);
            WriteAscii(name, 0, 100);
            WriteOctal(mode, 100, 8);
            WriteOctal(uid, 108, 8);
            WriteOctal(gid, 116, 8);
            WriteOctal(size, 124, 12);
            WriteOctal(mtime, 136, 12);
            _header[156] = (byte)flag;
            WriteAscii(linkName, 157, 100);
            WriteAscii("ustar", 257, 6);
            _header[263] = (byte)'0';
            _header[264] = (byte)'0';
            WriteAscii(userName, 265, 32);
            WriteAscii(groupName, 297, 32);
            WriteOctal(devMajor, 329, 8);
            WriteOctal(devMinor, 337, 8);

            for (var i = 148; i < 156; i++)
            {
                _header[i] = (byte)' ';
            }

            long sum = 0;
            for (var i = 0; i < BlockSize; i++)
            {
                sum += _header[i];
            }

            var digits = Convert.ToString(sum, 8).PadLeft(6, '0');
            WriteAscii(digits, 148, 6);
            _header[154] = 0;
            _header[155] = (byte)' ';
        }

        private void WriteAscii(string value, int offset, int length)
        {
            for (var i = 0; i < value.Length && i < length; i++)
            {
                _header[offset + i] = (byte)value[i];
            }
        }

        private void WriteOctal(long value, int offset, int length)
        {
            var digits = Convert.ToString(value, 8).PadLeft(length - 1, '0');
            WriteAscii(digits, offset, length - 1);
            _header[offset + length - 1] = 0;
        }

        private async Task WriteRawAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (count == 0)
            {
                return;
            }

            await _output.WriteAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            BytesWritten += count;
        }

        private static KeyValuePair<string, string> Pair(string key, string value) => new KeyValuePair<string, string>(key, value);

        private static int Padding(long size) => (int)((BlockSize - (size % BlockSize)) % BlockSize);

        private static int Digits(int value) => value.ToString(CultureInfo.InvariantCulture).Length;

        private static bool IsAscii(string value)
        {
            foreach (var c in value)
            {
                if (c == 0 || c > 127)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The ASCII stand-in written in a fixed field when the real value travels in a PAX record.</summary>
        private static string AsciiFallback(string value, int maxBytes)
        {
            var builder = new StringBuilder(Math.Min(value.Length, maxBytes));
            foreach (var c in value)
            {
                if (builder.Length == maxBytes)
                {
                    break;
                }

                builder.Append(c > 0 && c < 128 ? c : '_');
            }

            return builder.ToString();
        }

        private static string LastComponent(string name)
        {
            var trimmed = name.TrimEnd('/');
            var slash = trimmed.LastIndexOf('/');
            return slash < 0 ? trimmed : trimmed.Substring(slash + 1);
        }
    }
}
