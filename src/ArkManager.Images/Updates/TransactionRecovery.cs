using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// Finishes or undoes a transaction a killed run left in the journal: forward (commit) when the replacement had
    /// already proved healthy (or the server was not running and the names were already swapped), else undo.
    /// </summary>
    internal sealed class TransactionRecovery
    {
        private readonly UpdateJournal _journal;
        private readonly TransactionSteps _steps;
        private readonly UpdateTransaction _transaction;
        private readonly TransactionRecords _records;
        private readonly ILogger _logger;

        public TransactionRecovery(UpdateJournal journal, TransactionSteps steps, UpdateTransaction transaction, TransactionRecords records, ILogger logger)
        {
            _journal = journal;
            _steps = steps;
            _transaction = transaction;
            _records = records;
            _logger = logger;
        }

        /// <summary>
        /// The recovery rule: true when an interrupted transaction is finished (the replacement had proved healthy, or
        /// the server was not running and the names were already swapped), false when it is undone.
        /// </summary>
        public static bool WillFinish(JournalEntry entry) =>
            entry.Reached(UpdateStep.Commit) || entry.StatusOf(UpdateStep.HealthGate) == JournalStepStatus.Completed ||
            (!entry.OldWasRunning && entry.StatusOf(UpdateStep.RenameNew) == JournalStepStatus.Completed);

        /// <summary>
        /// Recovers the server's unfinished transaction (the caller holds the lock). Null when there was none. An undo that
        /// fails keeps the journal and throws <see cref="ServerUpdateException"/> carrying the Failed result: nothing else
        /// may touch the server until the cause is fixed.
        /// </summary>
        public async Task<ServerUpdateResult?> RecoverAsync(string server, CancellationToken cancellationToken)
        {
            var entry = _journal.Read(server);
            if (entry is null)
            {
                return null;
            }

            UpdateLog.Recovering(_logger, server, entry.Id, entry.Steps.LastOrDefault()?.Step.ToString() ?? "none");
            var records = new List<StepRecord>();
            var forward = WillFinish(entry);
            ServerUpdateResult result;
            if (forward)
            {
                var newId = await _steps.FindReplacementAsync(entry, CancellationToken.None).ConfigureAwait(false);
                await _steps.CommitAsync(entry, newId, CancellationToken.None).ConfigureAwait(false);
                result = TransactionRecords.Result(entry, UpdateOutcome.Recovered, newId ?? string.Empty, records,
                    $"an interrupted {entry.Kind.ToLowerInvariant()} (after its health gate) was completed");
            }
            else
            {
                var last = entry.Steps.LastOrDefault()?.Step.ToString() ?? "the start";
                var undoError = await _transaction.UndoAsync(entry, records).ConfigureAwait(false);
                result = TransactionRecords.Result(entry, undoError is null ? UpdateOutcome.RolledBack : UpdateOutcome.Failed, entry.OldContainerId, records,
                    $"an interrupted {entry.Kind.ToLowerInvariant()} (stopped during step {last}) was undone" + (undoError is null ? string.Empty : "; undo failed: " + undoError));
                if (undoError != null)
                {
                    throw new ServerUpdateException($"Server '{server}': recovering an interrupted {entry.Kind.ToLowerInvariant()} failed: {undoError}. The journal {_journal.PathOf(server)} is kept; fix the cause and run again.", result);
                }
            }

            await _records.AppendHistoryAsync(entry, result).ConfigureAwait(false);
            _journal.Delete(server);
            return result;
        }
    }
}
