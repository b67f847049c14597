using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Internal;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Notifications
{
    /// <summary>
    /// The notifications ("updated", "rolled back", "failed") a webhook did not accept even after its retries, kept in
    /// order until it does: <c>&lt;state&gt;/notifications/outbox/&lt;hook key&gt;.json</c>, one file per webhook (keyed by
    /// <see cref="AnnouncementStore.HookKey"/>, so no file holds a webhook's URL), written whole and owner-only with
    /// <see cref="AtomicFile"/> while the caller holds the exclusive lock <c>&lt;hook key&gt;.lock</c> beside it. An entry
    /// holds the body exactly as it would have been POSTed (built by <see cref="WebhookPayload"/>, secrets already redacted).
    /// </summary>
    internal sealed class WebhookOutbox
    {
        public const string FolderName = "outbox";
        public const int CurrentVersion = 1;

        private readonly ILogger _logger;

        public WebhookOutbox(string stateDirectory, ILogger logger)
        {
            Directory = Path.Combine(Path.GetFullPath(stateDirectory), AnnouncementStore.FolderName, FolderName);
            _logger = logger;
        }

        public string Directory { get; }

        /// <summary>Whether an event is kept when its delivery failed (an available update is announced again by the next check instead).</summary>
        public static bool IsDurable(NotificationEvent notificationEvent) =>
            notificationEvent == NotificationEvent.Updated || notificationEvent == NotificationEvent.RolledBack || notificationEvent == NotificationEvent.Failed;

        public string FileOf(string hookKey) => Path.Combine(Directory, hookKey + ".json");

        public bool HasEntries(string hookKey) => File.Exists(FileOf(hookKey));

        /// <summary>Takes the webhook's outbox lock (waits up to <paramref name="timeout"/>).</summary>
        public Task<FileLock> LockAsync(string hookKey, TimeSpan timeout, CancellationToken cancellationToken) =>
            FileLock.AcquireAsync(Path.Combine(Directory, hookKey + ".lock"), "webhook outbox", timeout, cancellationToken);

        /// <summary>The kept entries, oldest first. A missing file is empty; a broken one is logged and kept aside as <c>.broken</c>.</summary>
        public List<OutboxEntry> Read(string hookKey)
        {
            var path = FileOf(hookKey);
            try
            {
                if (!File.Exists(path))
                {
                    return new List<OutboxEntry>();
                }

                var file = JsonSerializer.Deserialize<OutboxFile>(File.ReadAllText(path), StateJson.Options);
                if (file is null || file.Version != CurrentVersion)
                {
                    throw new JsonException(file is null ? "the file is empty" : $"unknown version {file.Version}");
                }

                return (file.Entries ?? new List<OutboxEntry>()).Where(e => e != null && e.Body.Length > 0).ToList();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is JsonException)
            {
                NotificationLog.StateUnreadable(_logger, path, ex.Message);
                try
                {
                    File.Move(path, path + "." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + ".broken");
                }
                catch (Exception moveError) when (moveError is IOException || moveError is UnauthorizedAccessException)
                {
                }

                return new List<OutboxEntry>();
            }
        }

        /// <summary>Writes the entries (deletes the file when there are none). False (logged) when it cannot be written.</summary>
        public bool Write(string hookKey, IReadOnlyList<OutboxEntry> entries)
        {
            var path = FileOf(hookKey);
            try
            {
                if (entries.Count == 0)
                {
                    File.Delete(path);
                    return true;
                }

                AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new OutboxFile { Version = CurrentVersion, Entries = entries.ToList() }, StateJson.Options));
                return true;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                NotificationLog.StateUnwritable(_logger, path, ex.Message);
                return false;
            }
        }

        /// <summary>The JSON shape of an outbox file.</summary>
        internal sealed class OutboxFile
        {
            public int Version { get; set; }

            public List<OutboxEntry>? Entries { get; set; }
        }
    }

    /// <summary>One kept notification: what it was about, when it was first tried, and the body to POST.</summary>
    internal sealed class OutboxEntry
    {
        public string Event { get; set; } = string.Empty;

        public string Image { get; set; } = string.Empty;

        public string? Server { get; set; }

        public DateTimeOffset QueuedAt { get; set; }

        public string Body { get; set; } = string.Empty;
    }
}
