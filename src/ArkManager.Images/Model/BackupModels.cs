using System;
using System.Collections.Generic;

namespace ArkManager.Images
{
    /// <summary>How a backup is written.</summary>
    public sealed record BackupOptions
    {
        /// <summary>Gzip the archive.</summary>
        public bool Compress { get; init; } = true;

        /// <summary>Keep only the newest N archives of the server in the destination (0: keep all).</summary>
        public int Keep { get; init; }
    }

    /// <summary>One volume inside a backup.</summary>
    public sealed record BackupVolume
    {
        /// <summary>The mount point inside the container.</summary>
        public string Destination { get; init; } = string.Empty;

        /// <summary>The volume name or host path.</summary>
        public string Source { get; init; } = string.Empty;

        /// <summary>volume or bind.</summary>
        public string Type { get; init; } = string.Empty;

        /// <summary>The name of the entry in the archive.</summary>
        public string Entry { get; init; } = string.Empty;

        /// <summary>Bytes of the volume's tar stream.</summary>
        public long Size { get; init; }

        /// <summary>SHA-256 (hex) of the volume's tar stream.</summary>
        public string Sha256 { get; init; } = string.Empty;

        /// <summary>
        /// SHA-256 (hex) of the volume's content (paths, types, link targets, modes, owners, times and file bytes; the
        /// algorithm is named in the manifest), verified again before a restore writes anything.
        /// </summary>
        public string ContentSha256 { get; init; } = string.Empty;

        /// <summary>Bytes of file data in the volume.</summary>
        public long ContentSize { get; init; }

        /// <summary>Entries (files, directories, links) in the volume, its root included.</summary>
        public int Entries { get; init; }
    }

    /// <summary>A backup archive and its manifest.</summary>
    public sealed record BackupInfo
    {
        // ToString shows list properties as their values, not their type name (see RecordText).
        private bool PrintMembers(System.Text.StringBuilder builder) => RecordText.PrintMembers(this, builder);

        /// <summary>The archive file.</summary>
        public string Path { get; init; } = string.Empty;

        /// <summary>The server.</summary>
        public string Server { get; init; } = string.Empty;

        /// <summary>The container id at backup time.</summary>
        public string ContainerId { get; init; } = string.Empty;

        /// <summary>The image reference.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>The image id.</summary>
        public string ImageId { get; init; } = string.Empty;

        /// <summary>The repository digest of the image, when known.</summary>
        public string? ImageDigest { get; init; }

        /// <summary>When the backup was taken.</summary>
        public DateTimeOffset CreatedAt { get; init; }

        /// <summary>Total bytes of the volume data.</summary>
        public long Size { get; init; }

        /// <summary>Gzipped or not.</summary>
        public bool Compressed { get; init; }

        /// <summary>The volumes in it.</summary>
        public IReadOnlyList<BackupVolume> Volumes { get; init; } = Array.Empty<BackupVolume>();

        /// <summary>Older archives removed by retention.</summary>
        public IReadOnlyList<string> Pruned { get; init; } = Array.Empty<string>();

        /// <summary>Bytes of the archive file.</summary>
        public long ArchiveSize { get; init; }

        /// <summary>SHA-256 (hex) of the archive file as written (also in its sidecar manifest).</summary>
        public string? ArchiveSha256 { get; init; }

        /// <summary>
        /// Restore only: paths (inside the container) that existed in the volumes but not in the backup and were removed,
        /// so the volumes hold exactly the backup's content.
        /// </summary>
        public IReadOnlyList<string> ExtraEntriesRemoved { get; init; } = Array.Empty<string>();

        /// <summary>
        /// Restore only: paths (inside the container) that are not in the backup and were left in place — names directly
        /// in a volume's root directory (the archive API cannot delete them), and what lies around nested mounts.
        /// </summary>
        public IReadOnlyList<string> ExtraEntriesKept { get; init; } = Array.Empty<string>();
    }
}
