using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Backups.Tar;
using ArkManager.Images.Docker;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Backups
{
    /// <summary>
    /// Writes the backup archive of a stopped server (layout: see <see cref="VolumeBackupService"/>): each volume's tar
    /// from the engine streams into the file through one copy buffer, then the manifest, then the sidecar manifest; the
    /// file gets its final name only when all of it is written and the server stayed stopped throughout.
    /// </summary>
    internal sealed class BackupWriter
    {
        private const int CopyBufferSize = 1 << 20;
        private const int FileBufferSize = 1 << 20;

        /// <summary>
        /// gzip's default level (what <c>tar -czf</c> uses): the archive is as small as tar's. The compressor runs on a
        /// task of its own (<see cref="BackgroundWriter"/>), so reading the volumes does not wait for it.
        /// </summary>
        internal const CompressionLevel ArchiveCompression = CompressionLevel.Optimal;

        private readonly ServerVolumes _volumes;
        private readonly BackupRetention _retention;
        private readonly ILogger _logger;

        public BackupWriter(ServerVolumes volumes, BackupRetention retention, ILogger logger)
        {
            _volumes = volumes;
            _retention = retention;
            _logger = logger;
        }

        /// <summary>Archives the volumes of the stopped container into one file in <paramref name="destinationDirectory"/>.</summary>
        public async Task<BackupInfo> BackupAsync(string containerId, string server, string image, string imageId, string? imageDigest, string destinationDirectory, BackupOptions options, CancellationToken cancellationToken)
        {
            BackupPaths.ValidateServerName(server);
            if (string.IsNullOrWhiteSpace(containerId))
            {
                throw new ArgumentException("A container id is required.", nameof(containerId));
            }

            if (string.IsNullOrWhiteSpace(destinationDirectory))
            {
                throw new ArgumentException("A destination directory is required.", nameof(destinationDirectory));
            }

            options ??= new BackupOptions();
            if (options.Keep < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "BackupOptions.Keep must be 0 (keep all) or more.");
            }

            var container = await _volumes.InspectStoppedAsync(containerId, server, "back up", null, cancellationToken).ConfigureAwait(false);
            var mounts = _volumes.BackedUpMounts(container, server);
            var directory = Path.GetFullPath(destinationDirectory);
            Directory.CreateDirectory(directory);
            var created = DateTimeOffset.UtcNow;
            var finalPath = BackupPaths.ChooseArchivePath(directory, server, created, BackupPaths.ShortId(container.Id), options.Compress);
            var tempPath = finalPath + ".partial-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            var sidecarPath = BackupPaths.SidecarOf(finalPath);
            var sidecarTemp = sidecarPath + ".partial-" + Guid.NewGuid().ToString("N").Substring(0, 8);

            BackupLog.BackupStarting(_logger, server, container.Id, mounts.Count, directory);
            var watch = Stopwatch.StartNew();
            var manifest = new BackupManifest
            {
                Server = server,
                ContainerId = container.Id,
                ContainerName = container.Name,
                Image = image ?? string.Empty,
                ImageId = imageId ?? string.Empty,
                ImageDigest = imageDigest,
                CreatedAt = created,
                Compressed = options.Compress,
            };

            try
            {
                using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileBufferSize, FileOptions.None))
                {
                    using (var hashing = new HashingStream(file, leaveOpen: true))
                    {
                        // Reading, checking and hashing the volumes here; compressing, hashing the archive and writing
                        // the file on the background writer's task.
                        var gzip = options.Compress ? new GZipStream(hashing, ArchiveCompression, leaveOpen: true) : null;
                        var background = new BackgroundWriter((Stream?)gzip ?? hashing);
                        try
                        {
                            var writer = new TarWriter(background);
                            for (var i = 0; i < mounts.Count; i++)
                            {
                                var nested = ServerVolumes.NestedMounts(container, BackupPaths.NormalizeDestination(mounts[i].Destination));
                                manifest.Volumes.Add(await ArchiveVolumeAsync(container.Id, server, mounts[i], i, nested, writer, cancellationToken).ConfigureAwait(false));
                            }

                            var manifestBytes = manifest.ToUtf8();
                            await writer.WriteEntryAsync(
                                new TarEntry { Name = BackupManifest.EntryName, Type = TarEntryType.RegularFile, Mode = 0x1A4, ModTime = created.ToUnixTimeSeconds(), Size = manifestBytes.Length },
                                new MemoryStream(manifestBytes, false),
                                cancellationToken).ConfigureAwait(false);
                            await writer.FinishAsync(cancellationToken).ConfigureAwait(false);
                            await background.CompleteAsync(cancellationToken).ConfigureAwait(false);
                        }
                        finally
                        {
                            background.Dispose();
                            gzip?.Dispose();
                        }

                        await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
                        manifest.Archive = new ManifestArchive { File = Path.GetFileName(finalPath), Size = hashing.BytesHashed, Sha256 = hashing.Finish() };
                    }

                    file.Flush(true);
                }

                // A server started while its volumes were read gives an inconsistent backup: refuse to keep it.
                var after = await _volumes.InspectAsync(container.Id, server, cancellationToken).ConfigureAwait(false);
                var activeAfter = ServerVolumes.ActiveState(after);
                if (activeAfter != null || after.StartedAt != container.StartedAt)
                {
                    throw new ServerNotStoppedException(server, "back up", (activeAfter ?? "started") + " (it was started during the backup, which was discarded)");
                }

                using (var sidecar = new FileStream(sidecarTemp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    var bytes = manifest.ToUtf8();
                    sidecar.Write(bytes, 0, bytes.Length);
                    sidecar.Flush(true);
                }

                File.Move(tempPath, finalPath);
            }
            catch (Exception ex)
            {
                BackupLog.BackupFailed(_logger, server, ex.Message);
                TryDelete(tempPath);
                TryDelete(sidecarTemp);
                if (ex is ArkManagerException || ex is OperationCanceledException || ex is ArgumentException)
                {
                    throw;
                }

                if (ex is TarFormatException tar)
                {
                    throw new BackupArchiveException(finalPath, tar.EntryName, tar.Message,
                        $"Backing up server '{server}' failed: the daemon's archive of its volumes is not usable: {tar.Message}{(tar.EntryName is null ? string.Empty : " (entry '" + tar.EntryName + "')")}. Nothing was kept.", tar);
                }

                if (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw new BackupWriteException(server, finalPath, ex.Message.TrimEnd('.', ' '), ex);
                }

                throw;
            }

            try
            {
                // The archive is complete (its manifest is inside); the sidecar is a convenience copy.
                File.Move(sidecarTemp, sidecarPath);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                BackupLog.CleanupFailed(_logger, sidecarTemp, "the sidecar manifest could not be put in place: " + ex.Message);
                TryDelete(sidecarTemp);
            }

            watch.Stop();
            BackupLog.BackupCompleted(_logger, server, finalPath, manifest.Archive!.Size, watch.Elapsed.TotalSeconds);
            var pruned = options.Keep > 0 ? _retention.Prune(directory, server, options.Keep, finalPath) : Array.Empty<string>();
            return manifest.ToInfo(finalPath, pruned);
        }


        private async Task<ManifestVolume> ArchiveVolumeAsync(string containerId, string server, MountDetails mount, int index, IReadOnlyList<string> nested, TarWriter writer, CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            var destination = BackupPaths.NormalizeDestination(mount.Destination);
            var baseName = BackupPaths.BaseName(destination);
            var prefix = BackupManifest.PrefixOf(index);
            var volume = new ManifestVolume
            {
                Index = index,
                Entry = prefix,
                Destination = destination,
                Type = mount.Type,
                Name = string.IsNullOrEmpty(mount.Name) ? null : mount.Name,
                Source = mount.Source,
                ReadWrite = mount.ReadWrite,
                NestedMounts = nested.ToList(),
            };

            using var stream = await _volumes.ReadAsync(containerId, server, destination, cancellationToken).ConfigureAwait(false);
            using var hashing = new HashingStream(stream, leaveOpen: true);
            using var content = new VolumeContent();
            var reader = new TarReader(hashing);
            var buffer = new byte[CopyBufferSize];
            var source = server + ":" + destination;
            try
            {
                TarEntry? entry;
                while ((entry = await reader.GetNextEntryAsync(cancellationToken).ConfigureAwait(false)) != null)
                {
                    var nameProblem = VolumeContent.ProblemWithName(entry.Name);
                    if (nameProblem != null)
                    {
                        throw new TarFormatException($"{nameProblem} is not allowed", entry.Name);
                    }

                    var rel = VolumeContent.RelativeTo(entry.Name, baseName + "/");
                    if (rel is null)
                    {
                        throw new TarFormatException($"the daemon sent an entry outside '{baseName}/'", entry.Name);
                    }

                    if (nested.Any(n => rel.StartsWith(n + "/", StringComparison.Ordinal)))
                    {
                        // Inside another backed-up mount: archived with that volume.
                        continue;
                    }

                    if (entry.Type == TarEntryType.CharacterDevice || entry.Type == TarEntryType.BlockDevice || entry.Type == TarEntryType.Fifo)
                    {
                        var kind = entry.Type == TarEntryType.Fifo ? "named pipe" : "device node";
                        BackupLog.EntrySkipped(_logger, server, destination + "/" + rel, kind);
                        volume.Skipped.Add(rel);
                        continue;
                    }

                    string? hardLinkTarget = null;
                    var link = entry.LinkName;
                    if (entry.Type == TarEntryType.HardLink)
                    {
                        hardLinkTarget = VolumeContent.ProblemWithName(entry.LinkName) is null ? VolumeContent.RelativeTo(entry.LinkName, baseName + "/") : null;
                        link = prefix + hardLinkTarget;
                    }

                    content.Add(rel, entry, hardLinkTarget);
                    var name = rel.Length == 0 ? prefix : prefix + rel + (entry.Type == TarEntryType.Directory ? "/" : string.Empty);
                    await writer.WriteHeaderAsync(entry.With(name, link), cancellationToken).ConfigureAwait(false);
                    int read;
                    while ((read = await reader.ReadDataAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        content.AddContent(buffer, 0, read);
                        await writer.WriteDataAsync(buffer, 0, read, cancellationToken).ConfigureAwait(false);
                    }

                    await writer.EndEntryAsync(cancellationToken).ConfigureAwait(false);
                }

                await hashing.DrainAsync(cancellationToken).ConfigureAwait(false);
                content.Complete();
            }
            catch (TarFormatException ex)
            {
                throw new BackupArchiveException(source, ex.EntryName, ex.Message,
                    $"Backing up server '{server}' failed: volume '{destination}' cannot be archived safely: {ex.Message}{(ex.EntryName is null ? string.Empty : " (entry '" + ex.EntryName + "')")}. Nothing was kept; fix the volume's content (a restore would refuse it) and try again.", ex);
            }

            volume.StreamSize = hashing.BytesHashed;
            volume.StreamSha256 = hashing.Finish();
            volume.ContentSha256 = content.Digest;
            volume.ContentSize = content.ContentBytes;
            volume.EntryCount = content.EntryCount;
            BackupLog.VolumeArchived(_logger, server, destination, volume.Type, volume.Name ?? volume.Source, volume.EntryCount, volume.ContentSize, watch.Elapsed.TotalSeconds);
            return volume;
        }

        private void TryDelete(string path)
        {
            try
            {
                if (File.Exists(path))
                {
                    File.Delete(path);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                BackupLog.CleanupFailed(_logger, path, ex.Message);
            }
        }
    }
}
