using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
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
    /// <remarks>
    /// The work is done by <see cref="BackupWriter"/> (with <see cref="BackupRetention"/>), <see cref="ArchiveValidator"/>
    /// and <see cref="VolumeRestorer"/>; <see cref="ServerVolumes"/> is their only way to the engine.
    /// </remarks>
    internal sealed class VolumeBackupService
    {
        /// <summary>Bytes of tar sent per engine request during a restore (each request is bounded by the client's timeout).</summary>
        internal const long DefaultRestorePartBytes = 128L * 1024 * 1024;

        private readonly BackupWriter _writer;
        private readonly VolumeRestorer _restorer;

        public VolumeBackupService(IContainerOperations containers, ILogger logger)
        {
            if (containers is null)
            {
                throw new ArgumentNullException(nameof(containers));
            }

            if (logger is null)
            {
                throw new ArgumentNullException(nameof(logger));
            }

            var volumes = new ServerVolumes(containers, logger);
            _writer = new BackupWriter(volumes, new BackupRetention(logger), logger);
            _restorer = new VolumeRestorer(volumes, logger);
        }

        /// <summary>Bytes of tar sent per engine request during a restore.</summary>
        internal long RestorePartBytes
        {
            get => _restorer.PartBytes;
            set => _restorer.PartBytes = value;
        }

        /// <summary>Archives the volumes of the stopped container into one file in <paramref name="destinationDirectory"/>.</summary>
        public Task<BackupInfo> BackupAsync(string containerId, string server, string image, string imageId, string? imageDigest, string destinationDirectory, BackupOptions options, CancellationToken cancellationToken) =>
            _writer.BackupAsync(containerId, server, image, imageId, imageDigest, destinationDirectory, options, cancellationToken);

        /// <summary>
        /// Restores an archive into the stopped container after checking all of it (see the class summary); throws
        /// <see cref="ServerNotStoppedException"/>, <see cref="BackupArchiveException"/> or <see cref="BackupMismatchException"/>
        /// before anything is written.
        /// </summary>
        public Task<BackupInfo> RestoreAsync(string containerId, string server, string archivePath, CancellationToken cancellationToken) =>
            _restorer.RestoreAsync(containerId, server, archivePath, cancellationToken);

        /// <summary>Reads and checks a whole archive (see <see cref="ArchiveValidator.ValidateAsync"/>).</summary>
        internal static Task<CheckedArchive> ValidateArchiveAsync(Stream file, string path, CancellationToken cancellationToken) =>
            ArchiveValidator.ValidateAsync(file, path, cancellationToken);
    }
}
