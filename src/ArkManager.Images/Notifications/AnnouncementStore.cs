using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ArkManager.Images.Internal;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Notifications
{
    /// <summary>
    /// Remembers which registry digest of an image was last announced to which webhook:
    /// <c>&lt;state&gt;/notifications/announced.json</c>, written whole with <see cref="AtomicFile"/> while the caller holds
    /// the exclusive lock <c>announced.lock</c> next to it. A webhook is keyed by a SHA-256 of its URL, so the file never
    /// holds a webhook's secret. Only the last digest per (webhook, image) is kept, so the file stays small.
    /// </summary>
    internal sealed class AnnouncementStore
    {
        public const string FolderName = "notifications";
        public const string FileName = "announced.json";
        public const string LockFileName = "announced.lock";
        public const int CurrentVersion = 1;

        private readonly ILogger _logger;

        public AnnouncementStore(string stateDirectory, ILogger logger)
        {
            if (string.IsNullOrWhiteSpace(stateDirectory))
            {
                throw new ArgumentException("A state directory is required.", nameof(stateDirectory));
            }

            _logger = logger ?? throw new ArgumentNullException(nameof(logger));
            Directory = Path.Combine(Path.GetFullPath(stateDirectory), FolderName);
            FilePath = Path.Combine(Directory, FileName);
            LockPath = Path.Combine(Directory, LockFileName);
        }

        public string Directory { get; }

        public string FilePath { get; }

        public string LockPath { get; }

        /// <summary>A stable, non-secret key of a webhook: the first 16 hex digits of the SHA-256 of its URL.</summary>
        public static string HookKey(WebhookOptions hook)
        {
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes((hook.Url ?? string.Empty).Trim()));
            var sb = new StringBuilder(16);
            for (var i = 0; i < 8; i++)
            {
                sb.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }

        /// <summary>Reads the file; a missing file is empty, an unreadable or broken one is logged and treated as empty.</summary>
        public Dictionary<(string Hook, string Image), AnnouncementRecord> Load()
        {
            var map = new Dictionary<(string Hook, string Image), AnnouncementRecord>();
            AnnouncementFile? file;
            try
            {
                if (!File.Exists(FilePath))
                {
                    return map;
                }

                file = JsonSerializer.Deserialize<AnnouncementFile>(File.ReadAllText(FilePath), StateJson.Options);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is JsonException)
            {
                NotificationLog.StateUnreadable(_logger, FilePath, ex.Message);
                return map;
            }

            if (file is null || file.Version != CurrentVersion)
            {
                NotificationLog.StateUnreadable(_logger, FilePath, file is null ? "the file is empty" : $"unknown version {file.Version}");
                return map;
            }

            foreach (var record in file.Announced ?? new List<AnnouncementRecord>())
            {
                if (record != null && !string.IsNullOrEmpty(record.Hook) && !string.IsNullOrEmpty(record.Image) && !string.IsNullOrEmpty(record.Digest))
                {
                    map[(record.Hook, record.Image)] = record;
                }
            }

            return map;
        }

        /// <summary>Writes the file atomically; returns false (logged) when it cannot be written.</summary>
        public bool Save(Dictionary<(string Hook, string Image), AnnouncementRecord> map)
        {
            var file = new AnnouncementFile
            {
                Version = CurrentVersion,
                Announced = map.Values.OrderBy(r => r.Image, StringComparer.Ordinal).ThenBy(r => r.Hook, StringComparer.Ordinal).ToList(),
            };

            try
            {
                AtomicFile.WriteAllText(FilePath, JsonSerializer.Serialize(file, StateJson.Options));
                return true;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                NotificationLog.StateUnwritable(_logger, FilePath, ex.Message);
                return false;
            }
        }

        /// <summary>The JSON shape of announced.json.</summary>
        internal sealed class AnnouncementFile
        {
            public int Version { get; set; }

            public List<AnnouncementRecord>? Announced { get; set; }
        }
    }

    /// <summary>One announcement: webhook key, image, the registry digest announced and when.</summary>
    internal sealed class AnnouncementRecord
    {
        public string Hook { get; set; } = string.Empty;

        public string Image { get; set; } = string.Empty;

        public string Digest { get; set; } = string.Empty;

        public DateTimeOffset AnnouncedAt { get; set; }
    }
}
