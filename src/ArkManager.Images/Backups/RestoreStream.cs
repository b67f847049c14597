using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Backups.Tar;

namespace ArkManager.Images.Backups
{
    /// <summary>Walks a backup archive once, handing out the entries of one volume at a time.</summary>
    internal sealed class ArchiveCursor
    {
        private readonly TarReader _reader;
        private TarEntry? _pending;

        public ArchiveCursor(TarReader reader)
        {
            _reader = reader;
        }

        public TarReader Reader => _reader;

        /// <summary>Skips entries until the root of the volume with <paramref name="prefix"/>; false at the end of the archive.</summary>
        public async Task<bool> SeekVolumeAsync(string prefix, CancellationToken cancellationToken)
        {
            while (true)
            {
                _pending ??= await _reader.GetNextEntryAsync(cancellationToken).ConfigureAwait(false);
                if (_pending is null)
                {
                    return false;
                }

                if (VolumeContent.RelativeTo(_pending.Name, prefix) != null)
                {
                    return true;
                }

                _pending = null;
            }
        }

        /// <summary>The next entry if it belongs to <paramref name="prefix"/>, else null (and the entry stays for the next volume).</summary>
        public async Task<TarEntry?> NextAsync(string prefix, CancellationToken cancellationToken)
        {
            _pending ??= await _reader.GetNextEntryAsync(cancellationToken).ConfigureAwait(false);
            if (_pending is null || VolumeContent.RelativeTo(_pending.Name, prefix) is null)
            {
                return null;
            }

            var entry = _pending;
            _pending = null;
            return entry;
        }
    }

    /// <summary>
    /// A read-only stream that produces, on demand, the tar the engine's archive API extracts into the parent of a mount
    /// point: the volume's entries renamed from <c>volumes/&lt;n&gt;/…</c> to <c>&lt;base name&gt;/…</c>, up to a byte
    /// budget per part (an engine request must finish within the client's request timeout). Before the entry of a directory
    /// that must be emptied first, a zero-byte regular file of the same name is emitted: the engine replaces the directory
    /// (and all it holds) with that file, and the directory entry that follows replaces the file with an empty directory.
    /// Only the current 512-byte header and one copy buffer are held in memory.
    /// </summary>
    internal sealed class RestorePartStream : Stream
    {
        private readonly ArchiveCursor _cursor;
        private readonly string _prefix;
        private readonly string _baseName;
        private readonly ISet<string> _reset;
        private readonly List<TarEntry>? _directories;
        private readonly IEnumerator<TarEntry>? _replay;
        private readonly long _budget;
        private readonly MemoryStream _buffer = new MemoryStream();
        private readonly TarWriter _writer;
        private readonly byte[] _copy = new byte[81920];
        private int _bufferOffset;
        private bool _inData;
        private bool _done;
        private int _entries;

        private RestorePartStream(ArchiveCursor cursor, string prefix, string baseName, ISet<string> reset, List<TarEntry>? directories, IEnumerator<TarEntry>? replay, long budget)
        {
            _cursor = cursor;
            _prefix = prefix;
            _baseName = baseName;
            _reset = reset;
            _directories = directories;
            _replay = replay;
            _budget = budget;
            _writer = new TarWriter(_buffer);
        }

        /// <summary>A part with the next entries of the volume (directories are remembered in <paramref name="directories"/>).</summary>
        public static RestorePartStream ForEntries(ArchiveCursor cursor, string prefix, string baseName, ISet<string> reset, List<TarEntry> directories, long budget) =>
            new RestorePartStream(cursor, prefix, baseName, reset, directories, null, budget);

        /// <summary>A final part that writes every directory entry again, so modes and times end as in the backup.</summary>
        public static RestorePartStream ForDirectories(IEnumerable<TarEntry> directories, string baseName) =>
            new RestorePartStream(null!, string.Empty, baseName, new HashSet<string>(), null, directories.GetEnumerator(), long.MaxValue);

        /// <summary>True when the last part ended because the volume has no more entries.</summary>
        public bool VolumeFinished { get; private set; }

        /// <summary>Bytes produced so far.</summary>
        public long BytesProduced => _writer.BytesWritten;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesProduced;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            while (true)
            {
                var available = (int)_buffer.Length - _bufferOffset;
                if (available > 0)
                {
                    var n = Math.Min(available, count);
                    Buffer.BlockCopy(_buffer.GetBuffer(), _bufferOffset, buffer, offset, n);
                    _bufferOffset += n;
                    return n;
                }

                _buffer.SetLength(0);
                _bufferOffset = 0;
                if (_done)
                {
                    return 0;
                }

                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            if (_inData)
            {
                var read = await _cursor.Reader.ReadDataAsync(_copy, 0, _copy.Length, cancellationToken).ConfigureAwait(false);
                if (read > 0)
                {
                    await _writer.WriteDataAsync(_copy, 0, read, cancellationToken).ConfigureAwait(false);
                    return;
                }

                await _writer.EndEntryAsync(cancellationToken).ConfigureAwait(false);
                _inData = false;
                return;
            }

            if (_replay != null)
            {
                if (_replay.MoveNext())
                {
                    await _writer.WriteEntryAsync(_replay.Current, null, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await FinishAsync(true, cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            if (_entries > 0 && _writer.BytesWritten >= _budget)
            {
                await FinishAsync(false, cancellationToken).ConfigureAwait(false);
                return;
            }

            var entry = await _cursor.NextAsync(_prefix, cancellationToken).ConfigureAwait(false);
            if (entry is null)
            {
                await FinishAsync(true, cancellationToken).ConfigureAwait(false);
                return;
            }

            _entries++;
            var rel = VolumeContent.RelativeTo(entry.Name, _prefix)!;
            var mapped = Map(entry, rel);
            if (entry.Type == TarEntryType.Directory)
            {
                _directories!.Add(mapped.With(mapped.Name, mapped.LinkName));
                if (_reset.Contains(rel))
                {
                    var placeholder = new TarEntry { Name = mapped.Name.TrimEnd('/'), Type = TarEntryType.RegularFile, Mode = 0x180, ModTime = mapped.ModTime };
                    await _writer.WriteEntryAsync(placeholder, null, cancellationToken).ConfigureAwait(false);
                }
            }

            await _writer.WriteHeaderAsync(mapped, cancellationToken).ConfigureAwait(false);
            if (mapped.IsHeaderOnly || mapped.Size == 0)
            {
                await _writer.EndEntryAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _inData = true;
            }
        }

        private async Task FinishAsync(bool volumeFinished, CancellationToken cancellationToken)
        {
            await _writer.FinishAsync(cancellationToken).ConfigureAwait(false);
            VolumeFinished = volumeFinished;
            _done = true;
        }

        private TarEntry Map(TarEntry entry, string rel)
        {
            var name = rel.Length == 0 ? _baseName + "/" : _baseName + "/" + rel + (entry.Type == TarEntryType.Directory ? "/" : string.Empty);
            var link = entry.LinkName;
            if (entry.Type == TarEntryType.HardLink)
            {
                link = _baseName + "/" + VolumeContent.RelativeTo(entry.LinkName, _prefix);
            }

            return entry.With(name, link);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _buffer.Dispose();
                _replay?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
