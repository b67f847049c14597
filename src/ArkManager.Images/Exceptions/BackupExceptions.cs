using System;

namespace ArkManager.Images
{
    /// <summary>A backup or restore was refused because the server's container is running (or paused, or restarting).</summary>
    public sealed class ServerNotStoppedException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public ServerNotStoppedException(string server, string operation, string state)
            : base($"Cannot {operation} server '{server}' while it is {state}: stop it first (Stop-ArkServer -Name '{server}'), then run the command again.")
        {
            Server = server;
            Operation = operation;
            State = state;
        }

        /// <summary>The server.</summary>
        public string Server { get; }

        /// <summary>What was attempted ("back up", "restore").</summary>
        public string Operation { get; }

        /// <summary>Docker's state of the container.</summary>
        public string State { get; }

        /// <inheritdoc />
        public override string ErrorId => "ServerNotStopped";

        /// <inheritdoc />
        public override object? Target => Server;
    }

    /// <summary>
    /// A backup archive (or the daemon's stream of a volume) is damaged, incomplete or unsafe: a missing or unreadable
    /// manifest, a checksum mismatch, a truncated stream, or an entry that would write outside its volume. Nothing was
    /// written into the server.
    /// </summary>
    public sealed class BackupArchiveException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public BackupArchiveException(string archivePath, string? entry, string problem, Exception? innerException = null)
            : base(entry is null
                    ? $"Backup archive '{archivePath}' cannot be used: {Clause(problem)}. Nothing was written; use another archive."
                    : $"Backup archive '{archivePath}' cannot be used: entry '{entry}': {Clause(problem)}. Nothing was written; use another archive.", innerException)
        {
            ArchivePath = archivePath;
            Entry = entry;
            Problem = problem;
        }

        /// <summary>Creates the exception with a complete message (used while a backup is being written).</summary>
        internal BackupArchiveException(string archivePath, string? entry, string problem, string message, Exception? innerException)
            : base(message, innerException)
        {
            ArchivePath = archivePath;
            Entry = entry;
            Problem = problem;
        }

        /// <summary>The archive (or, during a backup, the volume) concerned.</summary>
        public string ArchivePath { get; }

        /// <summary>The offending entry, when one is to blame.</summary>
        public string? Entry { get; }

        /// <summary>What is wrong.</summary>
        public string Problem { get; }

        /// <inheritdoc />
        public override string ErrorId => "InvalidBackupArchive";

        /// <summary>The problem as a clause that a period can follow: without its own closing period(s).</summary>
        internal static string Clause(string? problem) => (problem ?? string.Empty).TrimEnd().TrimEnd('.');

        /// <inheritdoc />
        public override object? Target => ArchivePath;
    }

    /// <summary>A valid backup does not fit the server it is restored into (a volume of the backup is not mounted there, or read-only).</summary>
    public sealed class BackupMismatchException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public BackupMismatchException(string archivePath, string server, string problem)
            : base($"Backup archive '{archivePath}' does not fit server '{server}': {BackupArchiveException.Clause(problem)}. Nothing was written.")
        {
            ArchivePath = archivePath;
            Server = server;
            Problem = problem;
        }

        /// <summary>The archive.</summary>
        public string ArchivePath { get; }

        /// <summary>The server.</summary>
        public string Server { get; }

        /// <summary>What does not fit.</summary>
        public string Problem { get; }

        /// <inheritdoc />
        public override string ErrorId => "BackupDoesNotFitServer";

        /// <inheritdoc />
        public override object? Target => Server;
    }

    /// <summary>
    /// Writing a backup archive failed (the destination is full, read-only or not permitted). The partial file was
    /// removed: nothing that looks like a complete archive is left behind.
    /// </summary>
    public sealed class BackupWriteException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public BackupWriteException(string server, string path, string reason, Exception? innerException = null)
            : base($"Backing up server '{server}' failed while writing '{path}': {reason}. Nothing was kept; check the destination's free space and permissions.", innerException)
        {
            Server = server;
            Path = path;
            Reason = reason;
        }

        /// <summary>The server.</summary>
        public string Server { get; }

        /// <summary>The archive that could not be written.</summary>
        public string Path { get; }

        /// <summary>What the file system said.</summary>
        public string Reason { get; }

        /// <inheritdoc />
        public override string ErrorId => "BackupWriteFailed";

        /// <inheritdoc />
        public override object? Target => Path;
    }
}
