using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Backups
{
    /// <summary>Log messages of volume backup and restore (EventIds 200-279).</summary>
    internal static partial class BackupLog
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Backing up {Count} volume(s) of server {Server} ({ContainerId}) to {Directory}")]
        public static partial void BackupStarting(ILogger logger, string server, string containerId, int count, string directory);

        [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Server {Server}: archived {Destination} ({Type} {Source}): {Entries} entries, {Bytes} bytes of data in {Seconds:0.0} s")]
        public static partial void VolumeArchived(ILogger logger, string server, string destination, string type, string source, int entries, long bytes, double seconds);

        [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Backed up server {Server} to {Path} ({Bytes} bytes) in {Seconds:0.0} s")]
        public static partial void BackupCompleted(ILogger logger, string server, string path, long bytes, double seconds);

        [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Server {Server}: {Path} is a {Kind} and holds no data; it is not backed up")]
        public static partial void EntrySkipped(ILogger logger, string server, string path, string kind);

        [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Server {Server}: removed old backup {Path} (keeping the newest {Keep})")]
        public static partial void BackupPruned(ILogger logger, string server, string path, int keep);

        [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Backup of server {Server} failed; nothing was kept: {Message}")]
        public static partial void BackupFailed(ILogger logger, string server, string message);

        [LoggerMessage(EventId = 206, Level = LogLevel.Debug, Message = "Server {Server}: skipping {Type} mount {Destination}")]
        public static partial void MountSkipped(ILogger logger, string server, string type, string destination);

        [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Could not delete {Path}: {Message}")]
        public static partial void CleanupFailed(ILogger logger, string path, string message);

        [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "Restoring server {Server} ({ContainerId}) from {Archive}")]
        public static partial void RestoreStarting(ILogger logger, string server, string containerId, string archive);

        [LoggerMessage(EventId = 211, Level = LogLevel.Debug, Message = "Archive {Archive} is valid: {Count} volume(s), {Bytes} bytes of data")]
        public static partial void ArchiveValidated(ILogger logger, string archive, int count, long bytes);

        [LoggerMessage(EventId = 212, Level = LogLevel.Debug, Message = "Server {Server}: wrote part {Part} of {Destination} ({Bytes} bytes)")]
        public static partial void RestorePartWritten(ILogger logger, string server, string destination, int part, long bytes);

        [LoggerMessage(EventId = 213, Level = LogLevel.Information, Message = "Restored server {Server} from {Archive} in {Seconds:0.0} s ({Removed} extra entries removed, {Kept} kept)")]
        public static partial void RestoreCompleted(ILogger logger, string server, string archive, double seconds, int removed, int kept);

        [LoggerMessage(EventId = 214, Level = LogLevel.Warning, Message = "Server {Server}: {Path} is not in the backup and is kept: {Reason}")]
        public static partial void ExtraEntryKept(ILogger logger, string server, string path, string reason);

        [LoggerMessage(EventId = 215, Level = LogLevel.Debug, Message = "Server {Server}: {Path} is not in the backup and is removed")]
        public static partial void ExtraEntryRemoved(ILogger logger, string server, string path);

        [LoggerMessage(EventId = 216, Level = LogLevel.Information, Message = "Server {Server}: mount {Destination} is not in the backup and is left as it is")]
        public static partial void MountNotInBackup(ILogger logger, string server, string destination);

        [LoggerMessage(EventId = 217, Level = LogLevel.Warning, Message = "Restore of server {Server} from {Archive} failed: {Message}")]
        public static partial void RestoreFailed(ILogger logger, string server, string archive, string message);
    }
}
