using System;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Backups;
using ArkManager.Images.Images;

namespace ArkManager.Images.Servers
{
    /// <summary>Backup and restore of a server's volumes, addressed by server name (the caller holds the server's lock).</summary>
    internal sealed class ServerBackups
    {
        private readonly ServerManager _servers;
        private readonly ImageStore _images;
        private readonly VolumeBackupService _backups;

        public ServerBackups(ServerManager servers, ImageStore images, VolumeBackupService backups)
        {
            _servers = servers;
            _images = images;
            _backups = backups;
        }

        public async Task<BackupInfo> BackupAsync(string server, string destinationDirectory, BackupOptions options, CancellationToken cancellationToken)
        {
            var info = await _servers.GetRequiredAsync(server, cancellationToken).ConfigureAwait(false);
            string? digest = null;
            if (ImageReference.TryParse(info.Image, out var reference, out _))
            {
                digest = await _images.DigestOfAsync(info.ImageId, reference!, cancellationToken).ConfigureAwait(false);
            }

            return await _backups.BackupAsync(info.ContainerId, info.Name, info.Image, info.ImageId, digest, destinationDirectory, options, cancellationToken).ConfigureAwait(false);
        }

        public async Task<BackupInfo> RestoreAsync(string server, string archivePath, CancellationToken cancellationToken)
        {
            var info = await _servers.GetRequiredAsync(server, cancellationToken).ConfigureAwait(false);
            return await _backups.RestoreAsync(info.ContainerId, info.Name, archivePath, cancellationToken).ConfigureAwait(false);
        }
    }
}
