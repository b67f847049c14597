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
using global::Docker.DotNet;
using global::Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Backups
{
    /// <summary>
    /// Backs up and restores the volumes (named volumes and binds) of a stopped server container through the engine's
    /// archive API, so nothing runs in the container and nothing is pulled. Memory does not grow with file sizes: entries
    /// stream through one copy buffer (only the list of paths of a volume is kept, for the checks).
    /// <para>
    /// Archive layout (a POSIX tar, gzipped when <see cref="BackupOptions.Compress"/>): for each mount, in the order of
    /// their destinations, the volume root as the directory entry <c>volumes/&lt;n&gt;/</c> followed by its content under
    /// that prefix (names, modes, owners, times, symlinks, hard links and PAX records as the daemon sent them); then
    /// <c>manifest.json</c> as the last entry. The same manifest plus the archive's size and SHA-256 is written next to
    /// the archive as <c>&lt;archive&gt;.manifest.json</c>.
    /// </para>
    /// <para>
    /// A restore checks the whole archive before it writes anything (<see cref="ArchiveValidator.ValidateAsync"/>), then reads the
    /// server's volumes as they are now to find what the backup lacks. Such extra entries are removed by replacing their
    /// directory (the nearest one that the backup has) with an empty one just before the backup's content of that
    /// directory is written, so each volume ends with exactly the backup's content — except extra names directly in a
    /// volume's root directory (the archive API cannot delete them, and the mount point cannot be replaced) and around
    /// nested mounts: those are kept, logged as warnings and listed in <see cref="BackupInfo.ExtraEntriesKept"/>.
    /// The volume's data is sent in parts of <see cref="RestorePartBytes"/> (each engine request must end within the
    /// client's request timeout); after several parts the directory entries are sent once more to restore their times.
    /// </para>
    /// </summary>
    internal sealed class VolumeBackupService
    {
        /// <summary>Bytes of tar sent per engine request during a restore (each request is bounded by the client's timeout).</summary>
        internal const long DefaultRestorePartBytes = 128L * 1024 * 1024;

        private const int CopyBufferSize = 81920;
        private const int FileBufferSize = 1 << 20;

        private readonly DockerConnection _connection;
        private readonly ILogger _logger;

        public VolumeBackupService(DockerConnection connection, ILogger logger)
        {
            _connection = connection ?? throw new ArgumentNullException(nameof(connection));
            _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        }

        /// <summary>Bytes of tar sent per engine request during a restore.</summary>
        internal long RestorePartBytes { get; set; } = DefaultRestorePartBytes;

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

            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var container = await InspectAsync(client, containerId, server, cancellationToken).ConfigureAwait(false);
            var active = ActiveState(container);
            if (active != null)
            {
                throw new ServerNotStoppedException(server, "back up", active);
            }

            var mounts = BackedUpMounts(container, server);
            var directory = Path.GetFullPath(destinationDirectory);
            Directory.CreateDirectory(directory);
            var created = DateTimeOffset.UtcNow;
            var shortId = container.ID.Length >= 12 ? container.ID.Substring(0, 12).ToLowerInvariant() : container.ID.ToLowerInvariant().PadRight(12, '0');
            var finalPath = BackupPaths.ChooseArchivePath(directory, server, created, shortId, options.Compress);
            var tempPath = finalPath + ".partial-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            var sidecarPath = finalPath + ".manifest.json";
            var sidecarTemp = sidecarPath + ".partial-" + Guid.NewGuid().ToString("N").Substring(0, 8);

            BackupLog.BackupStarting(_logger, server, container.ID, mounts.Count, directory);
            var watch = Stopwatch.StartNew();
            var manifest = new BackupManifest
            {
                Server = server,
                ContainerId = container.ID,
                ContainerName = container.Name?.TrimStart('/'),
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
                        var gzip = options.Compress ? new GZipStream(hashing, CompressionLevel.Fastest, leaveOpen: true) : null;
                        try
                        {
                            var writer = new TarWriter((Stream?)gzip ?? hashing);
                            for (var i = 0; i < mounts.Count; i++)
                            {
                                var nested = NestedMounts(container, BackupPaths.NormalizeDestination(mounts[i].Destination));
                                manifest.Volumes.Add(await ArchiveVolumeAsync(client, container.ID, server, mounts[i], i, nested, writer, cancellationToken).ConfigureAwait(false));
                            }

                            var manifestBytes = manifest.ToUtf8();
                            await writer.WriteEntryAsync(
                                new TarEntry { Name = BackupManifest.EntryName, Type = TarEntryType.RegularFile, Mode = 0x1A4, ModTime = created.ToUnixTimeSeconds(), Size = manifestBytes.Length },
                                new MemoryStream(manifestBytes, false),
                                cancellationToken).ConfigureAwait(false);
                            await writer.FinishAsync(cancellationToken).ConfigureAwait(false);
                        }
                        finally
                        {
                            gzip?.Dispose();
                        }

                        await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
                        manifest.Archive = new ManifestArchive { File = Path.GetFileName(finalPath), Size = hashing.BytesHashed, Sha256 = hashing.Finish() };
                    }

                    file.Flush(true);
                }

                // A server started while its volumes were read gives an inconsistent backup: refuse to keep it.
                var after = await InspectAsync(client, container.ID, server, cancellationToken).ConfigureAwait(false);
                var activeAfter = ActiveState(after);
                if (activeAfter != null || after.State?.StartedAt != container.State?.StartedAt)
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
                    throw new ArkManagerException($"Backing up server '{server}' failed while writing '{finalPath}': {ex.Message}. Nothing was kept; check the destination's free space and permissions.", ex);
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
            var pruned = options.Keep > 0 ? new BackupRetention(_logger).Prune(directory, server, options.Keep, finalPath) : Array.Empty<string>();
            return manifest.ToInfo(finalPath, pruned);
        }

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

            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var container = await InspectAsync(client, containerId, server, cancellationToken).ConfigureAwait(false);
            var active = ActiveState(container);
            if (active != null)
            {
                throw new ServerNotStoppedException(server, "restore", active);
            }

            BackupLog.RestoreStarting(_logger, server, container.ID, path);
            var watch = Stopwatch.StartNew();

            // The file stays open from validation to the last write: what is written is what was checked.
            using var file = ArchiveValidator.Open(path);
            var checkedArchive = await ValidateArchiveAsync(file, path, cancellationToken).ConfigureAwait(false);
            var manifest = checkedArchive.Manifest;
            var mountsByDestination = (container.Mounts ?? new List<MountPoint>())
                .Where(m => m.Type == "volume" || m.Type == "bind")
                .ToDictionary(m => BackupPaths.NormalizeDestination(m.Destination), StringComparer.Ordinal);
            foreach (var volume in manifest.Volumes)
            {
                if (!mountsByDestination.TryGetValue(BackupPaths.NormalizeDestination(volume.Destination), out var mount))
                {
                    throw new BackupMismatchException(path, server, $"the backup holds the volume mounted at '{volume.Destination}', but the server has no volume or bind mounted there");
                }

                if (!mount.RW)
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
                var nested = NestedMounts(container, destination);
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

                plans.Add(await PlanVolumeAsync(client, container.ID, server, volume, destination, backupNodes, nested, cancellationToken).ConfigureAwait(false));
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

                    await WriteVolumeAsync(client, container.ID, server, plan, cursor, cancellationToken).ConfigureAwait(false);
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

        /// <summary>Reads and checks a whole archive (see <see cref="ArchiveValidator.ValidateAsync"/>).</summary>
        internal static Task<CheckedArchive> ValidateArchiveAsync(Stream file, string path, CancellationToken cancellationToken) =>
            ArchiveValidator.ValidateAsync(file, path, cancellationToken);

        private async Task<ManifestVolume> ArchiveVolumeAsync(DockerClient client, string containerId, string server, MountPoint mount, int index, IReadOnlyList<string> nested, TarWriter writer, CancellationToken cancellationToken)
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
                Type = mount.Type ?? string.Empty,
                Name = string.IsNullOrEmpty(mount.Name) ? null : mount.Name,
                Source = mount.Source ?? string.Empty,
                ReadWrite = mount.RW,
                NestedMounts = nested.ToList(),
            };

            var response = await DockerErrors.Call(_connection.Endpoint, "Reading the volume of server", server + ":" + destination,
                () => client.Containers.GetArchiveFromContainerAsync(containerId, new ContainerPathStatParameters { Path = destination }, false, cancellationToken)).ConfigureAwait(false);
            using var stream = response.Stream ?? throw new DockerOperationException("Reading the volume of server", server + ":" + destination, null, "the daemon returned no archive stream");
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

        private async Task<VolumePlan> PlanVolumeAsync(DockerClient client, string containerId, string server, ManifestVolume volume, string destination, IReadOnlyDictionary<string, VolumeContent.Node> backup, IReadOnlyList<string> nested, CancellationToken cancellationToken)
        {
            var plan = new VolumePlan(volume, destination);
            var baseName = BackupPaths.BaseName(destination);
            var response = await DockerErrors.Call(_connection.Endpoint, "Reading the volume of server", server + ":" + destination,
                () => client.Containers.GetArchiveFromContainerAsync(containerId, new ContainerPathStatParameters { Path = destination }, false, cancellationToken)).ConfigureAwait(false);
            using var stream = response.Stream ?? throw new DockerOperationException("Reading the volume of server", server + ":" + destination, null, "the daemon returned no archive stream");
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

        private async Task WriteVolumeAsync(DockerClient client, string containerId, string server, VolumePlan plan, ArchiveCursor cursor, CancellationToken cancellationToken)
        {
            var destination = plan.Destination;
            var parent = BackupPaths.ParentDirectory(destination);
            var baseName = BackupPaths.BaseName(destination);
            var directories = new List<TarEntry>();
            var part = 0;
            while (true)
            {
                await EnsureStoppedAsync(client, containerId, server, cancellationToken).ConfigureAwait(false);
                using var stream = RestorePartStream.ForEntries(cursor, plan.Volume.Entry, baseName, plan.Reset, directories, RestorePartBytes);
                await PutAsync(client, containerId, server, destination, parent, stream, cancellationToken).ConfigureAwait(false);
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
                await PutAsync(client, containerId, server, destination, parent, stream, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task PutAsync(DockerClient client, string containerId, string server, string destination, string parent, Stream stream, CancellationToken cancellationToken)
        {
            // noOverwriteDirNonDir stays unset (false): a directory that must be emptied is replaced by a file first.
            // The upload goes through the connection's client without a request timeout: its length grows with the data.
            var transfer = await _connection.GetTransferClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await DockerErrors.Call(_connection.Endpoint, "Restoring the volume of server", server + ":" + destination,
                    () => transfer.Containers.ExtractArchiveToContainerAsync(containerId, new CopyToContainerParameters { Path = parent }, stream, cancellationToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Docker.DotNet bounds an upload by the client's request timeout and reports it as a cancellation.
                throw new DockerOperationException("Restoring the volume of server", server + ":" + destination, null,
                    "the daemon did not take this part of the volume within the Docker request timeout (ArkManagerOptions.DockerRequestTimeout); " +
                    "the restore stopped part-way: raise the timeout and restore again", ex);
            }
        }

        private async Task EnsureStoppedAsync(DockerClient client, string containerId, string server, CancellationToken cancellationToken)
        {
            var container = await InspectAsync(client, containerId, server, cancellationToken).ConfigureAwait(false);
            var active = ActiveState(container);
            if (active != null)
            {
                throw new ServerNotStoppedException(server, "restore", active + " (it was started during the restore, which stopped part-way; stop it and restore again)");
            }
        }

        private async Task<ContainerInspectResponse> InspectAsync(DockerClient client, string containerId, string server, CancellationToken cancellationToken)
        {
            try
            {
                return await DockerErrors.Call(_connection.Endpoint, "Inspecting server", server,
                    () => client.Containers.InspectContainerAsync(containerId, cancellationToken)).ConfigureAwait(false);
            }
            catch (DockerOperationException ex) when (ex.StatusCode == 404)
            {
                throw new ServerNotFoundException(server);
            }
        }

        /// <summary>Mount points (of any type: volumes, binds, tmpfs) inside <paramref name="destination"/>, relative to it.</summary>
        private static List<string> NestedMounts(ContainerInspectResponse container, string destination) =>
            (container.Mounts ?? new List<MountPoint>())
                .Select(m => BackupPaths.NormalizeDestination(m.Destination))
                .Where(d => d != destination && BackupPaths.IsUnder(d, destination))
                .Select(d => BackupPaths.Relative(d, destination))
                .Distinct(StringComparer.Ordinal)
                .OrderBy(d => d, StringComparer.Ordinal)
                .ToList();

        private List<MountPoint> BackedUpMounts(ContainerInspectResponse container, string server)
        {
            var result = new List<MountPoint>();
            foreach (var mount in container.Mounts ?? new List<MountPoint>())
            {
                if (mount.Type == "volume" || mount.Type == "bind")
                {
                    result.Add(mount);
                }
                else
                {
                    BackupLog.MountSkipped(_logger, server, mount.Type ?? "unknown", mount.Destination ?? string.Empty);
                }
            }

            return result.OrderBy(m => BackupPaths.NormalizeDestination(m.Destination), StringComparer.Ordinal).ToList();
        }

        private static string? ActiveState(ContainerInspectResponse container)
        {
            var state = container.State;
            if (state is null)
            {
                return null;
            }

            if (state.Paused)
            {
                return "paused";
            }

            if (state.Restarting)
            {
                return "restarting";
            }

            return state.Running ? "running" : null;
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
