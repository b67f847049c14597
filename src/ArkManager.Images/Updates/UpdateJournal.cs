using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using ArkManager.Images.Internal;

namespace ArkManager.Images.Updates
{
    /// <summary>The state of one step in the journal.</summary>
    internal enum JournalStepStatus
    {
        Started,
        Completed,
        Undone,
        Failed,
    }

    internal sealed record JournalStep
    {
        public UpdateStep Step { get; init; }

        public JournalStepStatus Status { get; init; }

        public DateTimeOffset At { get; init; }

        public DateTimeOffset? CompletedAt { get; init; }

        public string? Detail { get; init; }
    }

    /// <summary>
    /// What a transaction needs to finish or undo itself after a crash: written (atomically) before every step, removed
    /// when the transaction ends. One file per server in &lt;state&gt;/journal/.
    /// </summary>
    internal sealed record JournalEntry
    {
        public string Id { get; init; } = string.Empty;

        public string Kind { get; init; } = "Update";

        public string Server { get; init; } = string.Empty;

        public string? Owner { get; init; }

        public string Image { get; init; } = string.Empty;

        public string TargetImageId { get; init; } = string.Empty;

        public string? TargetDigest { get; init; }

        public string TargetConfigImage { get; init; } = string.Empty;

        public string OldContainerId { get; init; } = string.Empty;

        public string OldImageId { get; init; } = string.Empty;

        public string? OldDigest { get; init; }

        public bool OldWasRunning { get; init; }

        public string? NewContainerId { get; init; }

        /// <summary>The old container's own name, which the replacement takes over (empty in journals of older versions).</summary>
        public string? ContainerName { get; init; }

        /// <summary>The name the server's container has outside a transaction: its own, or (older journals) the server name.</summary>
        public string NameInPlace => string.IsNullOrEmpty(ContainerName) ? Server : ContainerName!;

        public string TempName { get; init; } = string.Empty;

        public string AsideName { get; init; } = string.Empty;

        public string? BackupPath { get; init; }

        public string? SnapshotDirectory { get; init; }

        public DateTimeOffset StartedAt { get; init; }

        public int ProcessId { get; init; }

        public List<JournalStep> Steps { get; init; } = new List<JournalStep>();

        public JournalStepStatus? StatusOf(UpdateStep step) => Steps.LastOrDefault(s => s.Step == step)?.Status;

        public bool Reached(UpdateStep step) => Steps.Any(s => s.Step == step);
    }

    internal sealed class UpdateJournal
    {
        private readonly string _directory;

        public UpdateJournal(string stateDirectory)
        {
            _directory = Path.Combine(stateDirectory, "journal");
        }

        public string PathOf(string server)
        {
            ServerSpecParser.ValidateName(server); // a name from a label never steers a path
            return Path.Combine(_directory, server + ".json");
        }

        public JournalEntry? Read(string server)
        {
            var path = PathOf(server);
            if (!File.Exists(path))
            {
                return null;
            }

            try
            {
                return JsonSerializer.Deserialize<JournalEntry>(File.ReadAllText(path), StateJson.Options);
            }
            catch (JsonException ex)
            {
                // The journal is written by atomic rename, so a damaged one was edited by hand: refuse to guess.
                throw new ArkConfigurationException(path, ex.LineNumber is long l ? (int)l + 1 : (int?)null,
                    "the update journal of this server is damaged; inspect the server's containers (names ending in -ark-new / -ark-old) and remove the file once they are sorted out.", ex);
            }
        }

        public IReadOnlyList<string> ServersWithJournals() =>
            Directory.Exists(_directory)
                ? Directory.GetFiles(_directory, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).ToList()
                : (IReadOnlyList<string>)Array.Empty<string>();

        public void Write(JournalEntry entry) => AtomicFile.WriteAllText(PathOf(entry.Server), JsonSerializer.Serialize(entry, StateJson.Options));

        public void Delete(string server)
        {
            var path = PathOf(server);
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
    }
}
