using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// Tells, for a listing, which servers have an unfinished transaction in the journal and what the next call that
    /// touches them will do about it (the rule of <see cref="TransactionRecovery"/>). Reads only; changes nothing.
    /// </summary>
    internal sealed class PendingTransactions
    {
        private readonly UpdateJournal _journal;
        private readonly ServerLock _lock;

        public PendingTransactions(UpdateJournal journal, ServerLock serverLock)
        {
            _journal = journal;
            _lock = serverLock;
        }

        /// <summary><paramref name="servers"/> with <see cref="ServerInfo.PendingTransaction"/> filled where the journal has one.</summary>
        public IReadOnlyList<ServerInfo> Enrich(IReadOnlyList<ServerInfo> servers)
        {
            var journaled = new HashSet<string>(_journal.ServersWithJournals(), StringComparer.Ordinal);
            if (journaled.Count == 0)
            {
                return servers;
            }

            return servers.Select(s => journaled.Contains(s.Name) ? s with { PendingTransaction = Describe(s.Name) } : s).ToList();
        }

        /// <summary>The server with <see cref="ServerInfo.PendingTransaction"/> filled, or null for null.</summary>
        public ServerInfo? Enrich(ServerInfo? server) => server is null ? null : Enrich(new[] { server })[0];

        /// <summary>What is pending for <paramref name="server"/>, in words; null when nothing is.</summary>
        public string? Describe(string server)
        {
            if (!ServerSpecParser.IsValidName(server))
            {
                return null;
            }

            JournalEntry? entry;
            try
            {
                entry = _journal.Read(server);
            }
            catch (ArkConfigurationException ex)
            {
                return "The update journal is damaged: " + ex.Message;
            }

            if (entry is null)
            {
                return null;
            }

            var step = entry.Steps.LastOrDefault()?.Step.ToString() ?? "the start";
            if (IsRunning(entry))
            {
                return $"{entry.Kind} in progress at {step} (pid {entry.ProcessId})";
            }

            return TransactionRecovery.WillFinish(entry)
                ? $"{entry.Kind} interrupted at {step}: the next call will finish it"
                : $"{entry.Kind} interrupted at {step}: the next call will undo it";
        }

        // A run is live when its process exists and holds the server's lock (a free lock means the run was killed).
        private bool IsRunning(JournalEntry entry)
        {
            try
            {
                using var process = Process.GetProcessById(entry.ProcessId);
                if (process.HasExited)
                {
                    return false;
                }
            }
            catch (ArgumentException)
            {
                return false;
            }
            catch (InvalidOperationException)
            {
                return false;
            }

            try
            {
                var held = _lock.TryAcquire(entry.Server, "inspection of");
                held?.Dispose();
                return held is null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return true;
            }
        }
    }
}
