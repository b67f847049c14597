using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Backups.Tar;

namespace ArkManager.Images.Backups
{
    /// <summary>Checks a whole backup archive before a restore writes anything, and opens archives for reading.</summary>
    internal static class ArchiveValidator
    {
        private const int CopyBufferSize = 81920;
        private const int FileBufferSize = 1 << 20;

        /// <summary>
        /// Reads the whole archive and checks it: tar framing and checksums, every entry name and link (see
        /// <see cref="VolumeContent"/>), the manifest (present, last, parseable, of a known format), and that each volume's
        /// entry count, data size and content SHA-256 match the manifest.
        /// </summary>
        internal static async Task<CheckedArchive> ValidateAsync(Stream file, string path, CancellationToken cancellationToken)
        {
            var contents = new Dictionary<int, VolumeContent>();
            var order = new List<int>();
            BackupManifest? manifest = null;
            bool compressed;
            long archiveSize;
            string archiveSha;
            string? currentEntry = null;
            try
            {
                compressed = IsGzip(file);
                file.Seek(0, SeekOrigin.Begin);
                using var hashing = new HashingStream(file, leaveOpen: true);
                using (var source = DecompressIfNeeded(hashing, compressed))
                {
                    var reader = new TarReader(source);
                    var buffer = new byte[CopyBufferSize];
                    VolumeContent? current = null;
                    var currentIndex = -1;
                    TarEntry? entry;
                    while ((entry = await reader.GetNextEntryAsync(cancellationToken).ConfigureAwait(false)) != null)
                    {
                        currentEntry = entry.Name;
                        if (manifest != null)
                        {
                            throw new TarFormatException("an entry follows the manifest (the manifest must be the last entry)", entry.Name);
                        }

                        var nameProblem = VolumeContent.ProblemWithName(entry.Name);
                        if (nameProblem != null)
                        {
                            throw new TarFormatException($"{nameProblem} is not allowed", entry.Name);
                        }

                        if (entry.Name == BackupManifest.EntryName)
                        {
                            if (entry.Type != TarEntryType.RegularFile || entry.Size > BackupManifest.MaxSize)
                            {
                                throw new TarFormatException("the manifest is not a regular file of a sane size", entry.Name);
                            }

                            var bytes = new byte[entry.Size];
                            var read = 0;
                            while (read < bytes.Length)
                            {
                                var n = await reader.ReadDataAsync(bytes, read, bytes.Length - read, cancellationToken).ConfigureAwait(false);
                                read += n;
                            }

                            try
                            {
                                manifest = BackupManifest.Parse(bytes);
                            }
                            catch (JsonException ex)
                            {
                                throw new TarFormatException("the manifest is not valid JSON: " + ex.Message, entry.Name, ex);
                            }

                            continue;
                        }

                        var index = BackupPaths.VolumeIndexOf(entry.Name);
                        if (index < 0)
                        {
                            throw new TarFormatException($"the entry is outside the volume prefixes ({BackupManifest.VolumesDirectory}<n>/) and is not the manifest", entry.Name);
                        }

                        if (index != currentIndex)
                        {
                            if (contents.ContainsKey(index))
                            {
                                throw new TarFormatException($"the entries of volume {index} are not contiguous", entry.Name);
                            }

                            current?.Complete();
                            current = new VolumeContent();
                            contents[index] = current;
                            order.Add(index);
                            currentIndex = index;
                        }

                        var prefix = BackupManifest.PrefixOf(index);
                        var rel = VolumeContent.RelativeTo(entry.Name, prefix)!;
                        string? hardLinkTarget = null;
                        if (entry.Type == TarEntryType.HardLink)
                        {
                            var linkProblem = VolumeContent.ProblemWithName(entry.LinkName);
                            if (linkProblem != null)
                            {
                                throw new TarFormatException($"a hard link to '{entry.LinkName}' ({linkProblem}) points outside the volume", entry.Name);
                            }

                            hardLinkTarget = VolumeContent.RelativeTo(entry.LinkName, prefix);
                        }

                        current!.Add(rel, entry, hardLinkTarget);
                        int chunk;
                        while ((chunk = await reader.ReadDataAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
                        {
                            current.AddContent(buffer, 0, chunk);
                        }
                    }

                    currentEntry = null;
                    current?.Complete();
                }

                await hashing.DrainAsync(cancellationToken).ConfigureAwait(false);
                archiveSize = hashing.BytesHashed;
                archiveSha = hashing.Finish();
            }
            catch (TarFormatException ex)
            {
                foreach (var content in contents.Values)
                {
                    content.Dispose();
                }

                throw new BackupArchiveException(path, ex.EntryName ?? currentEntry, ex.Message, ex);
            }
            catch (InvalidDataException ex)
            {
                throw new BackupArchiveException(path, currentEntry, "the gzip stream is damaged: " + ex.Message, ex);
            }

            if (manifest is null)
            {
                throw new BackupArchiveException(path, BackupManifest.EntryName, "the manifest is missing (the archive is incomplete or not an ArkManager backup)");
            }

            if (manifest.Format != BackupManifest.FormatName)
            {
                throw new BackupArchiveException(path, BackupManifest.EntryName, $"the manifest's format is '{manifest.Format}', not '{BackupManifest.FormatName}'");
            }

            if (manifest.FormatVersion > BackupManifest.CurrentFormatVersion || manifest.FormatVersion < 1)
            {
                throw new BackupArchiveException(path, BackupManifest.EntryName, $"format version {manifest.FormatVersion} is not supported by this version of ArkManager.Images (it reads version {BackupManifest.CurrentFormatVersion}); update it");
            }

            if (manifest.ContentDigestAlgorithm != VolumeContent.DigestAlgorithm)
            {
                throw new BackupArchiveException(path, BackupManifest.EntryName, $"the content digest '{manifest.ContentDigestAlgorithm}' is unknown");
            }

            var volumes = new List<ManifestVolume>();
            var destinations = new HashSet<string>(StringComparer.Ordinal);
            foreach (var volume in manifest.Volumes ?? new List<ManifestVolume>())
            {
                if (volume is null || volume.Entry != BackupManifest.PrefixOf(volume.Index) || !BackupPaths.IsAbsoluteDestination(volume.Destination) ||
                    !destinations.Add(BackupPaths.NormalizeDestination(volume.Destination)))
                {
                    throw new BackupArchiveException(path, BackupManifest.EntryName, $"the manifest's volume {volume?.Index} has an invalid or duplicate entry prefix or destination");
                }

                if (!contents.TryGetValue(volume.Index, out var content))
                {
                    throw new BackupArchiveException(path, volume.Entry, $"the manifest lists the volume '{volume.Destination}' but the archive has no entries for it");
                }

                if (content.EntryCount != volume.EntryCount || content.ContentBytes != volume.ContentSize ||
                    !string.Equals(content.Digest, volume.ContentSha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new BackupArchiveException(path, volume.Entry,
                        $"the content of volume '{volume.Destination}' does not match the manifest (entries {content.EntryCount}/{volume.EntryCount}, bytes {content.ContentBytes}/{volume.ContentSize}, SHA-256 {content.Digest}/{volume.ContentSha256})");
                }

                volumes.Add(volume);
            }

            foreach (var index in contents.Keys)
            {
                if (volumes.All(v => v.Index != index))
                {
                    throw new BackupArchiveException(path, BackupManifest.PrefixOf(index), "the archive has entries of a volume the manifest does not list");
                }
            }

            var ordered = order.Select(i => volumes.First(v => v.Index == i)).ToList();
            return new CheckedArchive(manifest, ordered, contents, compressed, archiveSize, archiveSha);
        }

        /// <summary>Opens an archive for reading; <see cref="BackupArchiveException"/> when it cannot be.</summary>
        internal static FileStream Open(string path)
        {
            try
            {
                return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileBufferSize, FileOptions.SequentialScan);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new BackupArchiveException(path, null, "it cannot be opened: " + ex.Message, ex);
            }
        }

        /// <summary>The tar inside the archive (the caller's stream stays open when the result is disposed).</summary>
        internal static Stream DecompressIfNeeded(Stream stream, bool compressed) =>
            compressed ? new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true) : new NonClosingStream(stream);

        private static bool IsGzip(Stream stream)
        {
            var head = new byte[2];
            var read = stream.Read(head, 0, 2);
            return read == 2 && head[0] == 0x1F && head[1] == 0x8B;
        }

        /// <summary>Hands a stream to a reader that disposes it, without closing the underlying file.</summary>
        private sealed class NonClosingStream : Stream
        {
            private readonly Stream _inner;

            public NonClosingStream(Stream inner)
            {
                _inner = inner;
            }

            public override bool CanRead => _inner.CanRead;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position
            {
                get => throw new NotSupportedException();
                set => throw new NotSupportedException();
            }

            public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }

    /// <summary>An archive that passed <see cref="ArchiveValidator.ValidateAsync"/>.</summary>
    internal sealed class CheckedArchive
    {
        public CheckedArchive(BackupManifest manifest, IReadOnlyList<ManifestVolume> order, IReadOnlyDictionary<int, VolumeContent> contents, bool compressed, long archiveSize, string archiveSha256)
        {
            Manifest = manifest;
            Order = order;
            Contents = contents;
            Compressed = compressed;
            ArchiveSize = archiveSize;
            ArchiveSha256 = archiveSha256;
        }

        public BackupManifest Manifest { get; }

        /// <summary>The volumes in archive order.</summary>
        public IReadOnlyList<ManifestVolume> Order { get; }

        public IReadOnlyDictionary<int, VolumeContent> Contents { get; }

        public bool Compressed { get; }

        public long ArchiveSize { get; }

        public string ArchiveSha256 { get; }
    }
}
