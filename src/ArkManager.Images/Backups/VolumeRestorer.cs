using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Backups.Tar;
using ArkManager.Images.Docker;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Backups
{
    /// <summary>
    /// Restores an archive into the volumes of a stopped server (see <see cref="VolumeBackupService"/>): checks the whole
    /// archive and the server's mounts, plans which extra entries each volume loses, then writes each volume in parts of
    /// <see cref="PartBytes"/>, checking before each part that the server is still stopped.
    /// </summary>
    internal sealed class VolumeRestorer
    {
        private readonly ServerVolumes _volumes;
        private readonly ILogger _logger;

        public VolumeRestorer(ServerVolumes volumes, ILogger logger)
        {
            _volumes = volumes;
            _logger = logger;
        }

        /// <summary>Bytes of tar sent per engine request (each request is bounded by the client's timeout).</summary>
        internal long PartBytes { get; set; } = VolumeBackupService.DefaultRestorePartBytes;

        /// <summary>
        /// Restores an archive into the stopped container after checking all of it (see the class summary); throws
        /// <see cref="ServerNotStoppedException"/>, <see cref="BackupArchiveException"/> or <see cref="BackupMismatchException"/>
        /// before anything is written.
        /// </summary>
        public async Task<BackupInfo> RestoreAsync(string containerId, string server, string archivePath, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(containerId))
            {
                throw new ArgumentException("A container id is required.", nameof(containerId));
            }

            if (string.IsNullOrWhiteSpace(archivePath))
            {
                throw new ArgumentException("An archive path is required.", nameof(archivePath));
            }

            var path = Path.GetFullPath(archivePath);
            if (!File.Exists(path))
            {
                throw new BackupArchiveException(path, null, "the file does not exist");
            }

            var container = await _volumes.InspectStoppedAsync(containerId, server, "restore", null, cancellationToken).ConfigureAwait(false);

            BackupLog.RestoreStarting(_logger, server, container.Id, path);
            var watch = Stopwatch.StartNew();

            // The file stays open from validation to the last write: what is written is what was checked.
            using var file = ArchiveValidator.Open(path);
            var checkedArchive = await ArchiveValidator.ValidateAsync(file, path, cancellationToken).ConfigureAwait(false);
            var manifest = checkedArchive.Manifest;
            var mountsByDestination = container.Mounts
                .Where(ServerVolumes.IsBackedUp)
                .ToDictionary(m => BackupPaths.NormalizeDestination(m.Destination), StringComparer.Ordinal);
            foreach (var volume in manifest.Volumes)
            {
                if (!mountsByDestination.TryGetValue(BackupPaths.NormalizeDestination(volume.Destination), out var mount))
                {
                    throw new BackupMismatchException(path, server, $"the backup holds the volume mounted at '{volume.Destination}', but the server has no volume or bind mounted there");
                }

                if (!mount.ReadWrite)
                {
                    throw new BackupMismatchException(path, server, $"'{volume.Destination}' is mounted read-only in the server");
                }
            }

            foreach (var destination in mountsByDestination.Keys.Where(d => manifest.Volumes.All(v => BackupPaths.NormalizeDestination(v.Destination) != d)))
            {
                BackupLog.MountNotInBackup(_logger, server, destination);
            }

            // Plan: what now exists in each volume but not in the backup, and which directories must be emptied first.
            var plans = new List<VolumePlan>();
            foreach (var volume in checkedArchive.Order)
            {
                var destination = BackupPaths.NormalizeDestination(volume.Destination);
                var nested = ServerVolumes.NestedMounts(container, destination);
                var backupNodes = checkedArchive.Contents[volume.Index].Nodes;
                foreach (var n in nested)
                {
                    for (var ancestor = n; ancestor.Length > 0; ancestor = VolumeContent.ParentOf(ancestor))
                    {
                        if (backupNodes.TryGetValue(ancestor, out var node) && node.Type != TarEntryType.Directory)
                        {
                            throw new BackupMismatchException(path, server, $"the backup has a {node.Type} at '{destination}/{ancestor}', where the server mounts '{destination}/{n}'");
                        }
                    }
                }

                plans.Add(await PlanVolumeAsync(container.Id, server, volume, destination, backupNodes, nested, cancellationToken).ConfigureAwait(false));
            }

            try
            {
                file.Seek(0, SeekOrigin.Begin);
                using var source = ArchiveValidator.DecompressIfNeeded(file, checkedArchive.Compressed);
                var cursor = new ArchiveCursor(new TarReader(source));
                foreach (var plan in plans)
                {
                    if (!await cursor.SeekVolumeAsync(plan.Volume.Entry, cancellationToken).ConfigureAwait(false))
                    {
                        throw new TarFormatException($"the entries of volume '{plan.Volume.Destination}' are missing on the second read (was the file changed?)");
                    }

                    await WriteVolumeAsync(container.Id, server, plan, cursor, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (TarFormatException ex)
            {
                BackupLog.RestoreFailed(_logger, server, path, ex.Message);
                throw new BackupArchiveException(path, ex.EntryName, ex.Message + " — the restore stopped part-way; restore again from a good archive", ex);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                BackupLog.RestoreFailed(_logger, server, path, ex.Message);
                throw;
            }

            watch.Stop();
            var removed = plans.SelectMany(p => p.Removed).ToList();
            var kept = plans.SelectMany(p => p.Kept).ToList();
            BackupLog.RestoreCompleted(_logger, server, path, watch.Elapsed.TotalSeconds, removed.Count, kept.Count);
            return manifest.ToInfo(path) with
            {
                ArchiveSize = checkedArchive.ArchiveSize,
                ArchiveSha256 = checkedArchive.ArchiveSha256,
                ExtraEntriesRemoved = removed,
                ExtraEntriesKept = kept,
            };
        }

        private async Task<VolumePlan> PlanVolumeAsync(string containerId, string server, ManifestVolume volume, string destination, IReadOnlyDictionary<string, VolumeContent.Node> backup, IReadOnlyList<string> nested, CancellationToken cancellationToken)
        {
            var plan = new VolumePlan(volume, destination);
            var baseName = BackupPaths.BaseName(destination);
            using var stream = await _volumes.ReadAsync(containerId, server, destination, cancellationToken).ConfigureAwait(false);
            var reader = new TarReader(stream);
            TarEntry? entry;
            try
            {
                while ((entry = await reader.GetNextEntryAsync(cancellationToken).ConfigureAwait(false)) != null)
                {
                    var rel = VolumeContent.RelativeTo(entry.Name, baseName + "/");
                    if (rel is null || rel.Length == 0 || backup.ContainsKey(rel))
                    {
                        continue;
                    }

                    if (nested.Any(n => rel == n || rel.StartsWith(n + "/", StringComparison.Ordinal)))
                    {
                        continue;
                    }

                    var parent = VolumeContent.ParentOf(rel);
                    var fullPath = destination + "/" + rel;
                    if (parent.Length == 0)
                    {
                        plan.Kept.Add(fullPath);
                        BackupLog.ExtraEntryKept(_logger, server, fullPath, "it is directly in the volume's root, which the engine's archive API cannot delete from");
                        continue;
                    }

                    if (!backup.TryGetValue(parent, out var parentNode))
                    {
                        // Its topmost missing ancestor is handled instead.
                        continue;
                    }

                    if (parentNode.Type == TarEntryType.Directory)
                    {
                        if (nested.Any(n => n == parent || n.StartsWith(parent + "/", StringComparison.Ordinal)))
                        {
                            plan.Kept.Add(fullPath);
                            BackupLog.ExtraEntryKept(_logger, server, fullPath, "its directory holds another mount, which must not be touched");
                            continue;
                        }

                        plan.Reset.Add(parent);
                    }

                    // Else the parent becomes a file or link from the backup, which replaces the whole directory.
                    plan.Removed.Add(fullPath);
                    BackupLog.ExtraEntryRemoved(_logger, server, fullPath);
                }
            }
            catch (TarFormatException ex)
            {
                throw new DockerOperationException("Reading the volume of server", server + ":" + destination, null, "the daemon's archive is not readable: " + ex.Message, ex);
            }

            return plan;
        }

        private async Task WriteVolumeAsync(string containerId, string server, VolumePlan plan, ArchiveCursor cursor, CancellationToken cancellationToken)
        {
            var destination = plan.Destination;
            var parent = BackupPaths.ParentDirectory(destination);
            var baseName = BackupPaths.BaseName(destination);
            var directories = new List<TarEntry>();
            var part = 0;
            while (true)
            {
                await _volumes.InspectStoppedAsync(containerId, server, "restore", " (it was started during the restore, which stopped part-way; stop it and restore again)", cancellationToken).ConfigureAwait(false);
                using var stream = RestorePartStream.ForEntries(cursor, plan.Volume.Entry, baseName, plan.Reset, directories, PartBytes);
                await _volumes.WriteAsync(containerId, server, destination, parent, stream, cancellationToken).ConfigureAwait(false);
                BackupLog.RestorePartWritten(_logger, server, destination, ++part, stream.BytesProduced);
                if (stream.VolumeFinished)
                {
                    break;
                }
            }

            if (part > 1)
            {
                // Later parts changed the times of directories written by earlier ones: set them again.
                using var stream = RestorePartStream.ForDirectories(directories, baseName);
                await _volumes.WriteAsync(containerId, server, destination, parent, stream, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>What a restore does to one volume.</summary>
        private sealed class VolumePlan
        {
            public VolumePlan(ManifestVolume volume, string destination)
            {
                Volume = volume;
                Destination = destination;
            }

            public ManifestVolume Volume { get; }

            public string Destination { get; }

            /// <summary>Directories (volume-relative) replaced by an empty one before their backup content is written.</summary>
            public HashSet<string> Reset { get; } = new HashSet<string>(StringComparer.Ordinal);

            public List<string> Removed { get; } = new List<string>();

            public List<string> Kept { get; } = new List<string>();
        }
    }
}
