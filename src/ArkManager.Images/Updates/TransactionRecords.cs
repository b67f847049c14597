using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Updates
{
    /// <summary>Turns a finished transaction into its result and its history record; reports progress.</summary>
    internal sealed class TransactionRecords
    {
        private readonly UpdateHistoryStore _history;
        private readonly ILogger _logger;

        public TransactionRecords(UpdateHistoryStore history, ILogger logger)
        {
            _history = history;
            _logger = logger;
        }

        /// <summary>The outcome of a transaction of <paramref name="kind"/> that completed: a manual rollback is Reverted, anything else Updated.</summary>
        public static UpdateOutcome SuccessOf(string kind) =>
            string.Equals(kind, "Rollback", StringComparison.Ordinal) ? UpdateOutcome.Reverted : UpdateOutcome.Updated;

        /// <summary>
        /// True when <paramref name="record"/> is a successful forward change (an update or recreate, or a completed
        /// recovery of one): a rollback (Reverted, or any record of Kind "Rollback") is never a rollback target itself.
        /// </summary>
        public static bool IsForwardSuccess(UpdateHistoryRecord record) =>
            (record.Outcome == UpdateOutcome.Updated || record.Outcome == UpdateOutcome.Recovered)
            && !string.Equals(record.Kind, "Rollback", StringComparison.Ordinal);

        public static ServerUpdateResult Result(JournalEntry entry, UpdateOutcome outcome, string containerId, IReadOnlyList<StepRecord> records, string? error) => new ServerUpdateResult
        {
            Server = entry.Server,
            Image = entry.Image,
            Outcome = outcome,
            OldContainerId = entry.OldContainerId,
            ContainerId = containerId,
            OldImageId = entry.OldImageId,
            NewImageId = entry.TargetImageId,
            OldDigest = entry.OldDigest,
            NewDigest = entry.TargetDigest,
            Error = error,
            Steps = records.ToList(),
            BackupPath = entry.BackupPath,
        };

        /// <summary>Appends the history record (a write failure is logged: the result still stands) and returns the result with its id.</summary>
        public async Task<ServerUpdateResult> AppendHistoryAsync(JournalEntry entry, ServerUpdateResult result)
        {
            var id = Guid.NewGuid().ToString("N");
            var record = new UpdateHistoryRecord
            {
                Id = id,
                Kind = entry.Kind,
                Server = entry.Server,
                Owner = entry.Owner,
                Image = entry.Image,
                OldImageId = entry.OldImageId,
                NewImageId = entry.TargetImageId,
                OldDigest = entry.OldDigest,
                NewDigest = entry.TargetDigest,
                OldContainerId = entry.OldContainerId,
                NewContainerId = result.ContainerId,
                Outcome = result.Outcome,
                Error = result.Error,
                StartedAt = entry.StartedAt,
                FinishedAt = DateTimeOffset.UtcNow,
                Steps = result.Steps,
                BackupPath = entry.BackupPath,
            };
            try
            {
                await _history.AppendAsync(record, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                UpdateLog.HistoryFailed(_logger, entry.Server, ex.Message);
            }

            return result with { HistoryId = id };
        }

        public static void Report(IProgress<UpdateProgress>? progress, JournalEntry entry, UpdateStep? step, IReadOnlyList<UpdateStep> steps, string message)
        {
            if (progress is null)
            {
                return;
            }

            var index = step is UpdateStep s ? steps.ToList().IndexOf(s) : steps.Count;
            progress.Report(new UpdateProgress
            {
                Server = entry.Server,
                Step = step,
                Phase = "Server",
                Message = step is null ? message : $"{step}: {message}",
                Fraction = steps.Count == 0 ? 1 : Math.Max(0, Math.Min(1, (double)index / steps.Count)),
            });
        }

        /// <summary>What went wrong, in the library's words.</summary>
        public static string Describe(Exception ex) => ex switch
        {
            ArkManagerException ark => ark.Message,
            OperationCanceledException => "cancelled",
            _ => ex.Message,
        };
    }
}
