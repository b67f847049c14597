using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArkManager.Images.Backups
{
    /// <summary>
    /// The manifest of a backup archive: the last entry of the archive (<see cref="EntryName"/>), and with the archive's
    /// own size and SHA-256 added, the sidecar file <c>&lt;archive&gt;.manifest.json</c>.
    /// </summary>
    internal sealed class BackupManifest
    {
        public const string EntryName = "manifest.json";
        public const string FormatName = "arkmanager-volume-backup";
        public const int CurrentFormatVersion = 1;
        public const string VolumesDirectory = "volumes/";

        /// <summary>The largest manifest accepted (it is read into memory).</summary>
        public const int MaxSize = 16 * 1024 * 1024;

        internal static readonly JsonSerializerOptions Json = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = true,
        };

        public string Format { get; set; } = FormatName;

        public int FormatVersion { get; set; } = CurrentFormatVersion;

        public string Tool { get; set; } = "ArkManager.Images";

        public string ToolVersion { get; set; } = CurrentToolVersion;

        public string Server { get; set; } = string.Empty;

        public string ContainerId { get; set; } = string.Empty;

        public string? ContainerName { get; set; }

        public string Image { get; set; } = string.Empty;

        public string ImageId { get; set; } = string.Empty;

        public string? ImageDigest { get; set; }

        public DateTimeOffset CreatedAt { get; set; }

        public bool Compressed { get; set; }

        public string ContentDigestAlgorithm { get; set; } = VolumeContent.DigestAlgorithm;

        public List<ManifestVolume> Volumes { get; set; } = new List<ManifestVolume>();

        /// <summary>Sidecar only: the archive file itself.</summary>
        public ManifestArchive? Archive { get; set; }

        public static string CurrentToolVersion
        {
            get
            {
                var assembly = typeof(BackupManifest).Assembly;
                var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
                return informational ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
            }
        }

        /// <summary>The entry prefix of volume <paramref name="index"/>: <c>volumes/&lt;index&gt;/</c>.</summary>
        public static string PrefixOf(int index) => VolumesDirectory + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/";

        public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

        public static BackupManifest Parse(byte[] utf8) => JsonSerializer.Deserialize<BackupManifest>(utf8, Json)
            ?? throw new JsonException("The manifest is empty (null).");

        public BackupInfo ToInfo(string path, IReadOnlyList<string>? pruned = null) => new BackupInfo
        {
            Path = path,
            Server = Server,
            ContainerId = ContainerId,
            Image = Image,
            ImageId = ImageId,
            ImageDigest = ImageDigest,
            CreatedAt = CreatedAt,
            Size = Volumes.Sum(v => v.ContentSize),
            Compressed = Compressed,
            Volumes = Volumes.Select(v => new BackupVolume
            {
                Destination = v.Destination,
                Source = v.Name ?? v.Source,
                Type = v.Type,
                Entry = v.Entry,
                Size = v.StreamSize,
                Sha256 = v.StreamSha256,
                ContentSha256 = v.ContentSha256,
                ContentSize = v.ContentSize,
                Entries = v.EntryCount,
            }).ToList(),
            Pruned = pruned ?? Array.Empty<string>(),
            ArchiveSize = Archive?.Size ?? 0,
            ArchiveSha256 = Archive?.Sha256,
        };
    }

    /// <summary>One volume of a backup.</summary>
    internal sealed class ManifestVolume
    {
        public int Index { get; set; }

        /// <summary>The prefix of the volume's entries in the archive (<c>volumes/0/</c>); the prefix itself is the volume root.</summary>
        public string Entry { get; set; } = string.Empty;

        /// <summary>The mount point inside the container.</summary>
        public string Destination { get; set; } = string.Empty;

        /// <summary>volume or bind.</summary>
        public string Type { get; set; } = string.Empty;

        /// <summary>The volume name (named and anonymous volumes).</summary>
        public string? Name { get; set; }

        /// <summary>The host path (binds) or the volume's data path.</summary>
        public string Source { get; set; } = string.Empty;

        public bool ReadWrite { get; set; }

        /// <summary>Bytes of the tar stream the daemon sent for the volume.</summary>
        public long StreamSize { get; set; }

        /// <summary>SHA-256 of the tar stream the daemon sent (a record of what was received; not re-computable from the archive).</summary>
        public string StreamSha256 { get; set; } = string.Empty;

        /// <summary>SHA-256 of the volume's content (<see cref="VolumeContent"/>), checked before every restore.</summary>
        public string ContentSha256 { get; set; } = string.Empty;

        /// <summary>Bytes of file data.</summary>
        public long ContentSize { get; set; }

        /// <summary>Entries, the root included.</summary>
        public int EntryCount { get; set; }

        /// <summary>Paths of the volume that were not archived (devices, fifos) — nothing with data.</summary>
        public List<string> Skipped { get; set; } = new List<string>();

        /// <summary>Mount points (relative, of any type) nested inside this volume: their content is not part of this volume.</summary>
        public List<string> NestedMounts { get; set; } = new List<string>();
    }

    /// <summary>The archive file (sidecar only).</summary>
    internal sealed class ManifestArchive
    {
        public string File { get; set; } = string.Empty;

        public long Size { get; set; }

        public string Sha256 { get; set; } = string.Empty;
    }
}
