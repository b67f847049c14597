using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using ArkManager.Images.Internal;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// Replaces one server's container by running the steps of <see cref="TransactionSteps"/> in order, each journaled
    /// before it runs and again when it completed. A failure before Commit undoes the reached steps in reverse order; a
    /// crash is finished or undone by <see cref="TransactionRecovery"/> on the next call. Volumes are never removed.
    /// </summary>
    internal sealed class UpdateTransaction
    {
        private readonly IContainerOperations _containers;
        private readonly UpdateJournal _journal;
        private readonly TransactionSteps _steps;
        private readonly TransactionRecords _records;
        private readonly TransactionAftermath _aftermath;
        private readonly ILogger _logger;

        public UpdateTransaction(IContainerOperations containers, UpdateJournal journal, TransactionSteps steps, TransactionRecords records, TransactionAftermath aftermath, ILogger logger)
        {
            _containers = containers;
            _journal = journal;
            _steps = steps;
            _records = records;
            _aftermath = aftermath;
            _logger = logger;
        }

        /// <summary>Test seam: runs after a step is journaled as started and before it acts.</summary>
        internal Func<UpdateStep, Task>? StepStarting { get; set; }

        /// <summary>Test seam: runs after a step acted and before it is journaled as completed.</summary>
        internal Func<UpdateStep, Task>? StepActed { get; set; }

        /// <summary>Test seam: runs before each step of an undo is undone (crash tests kill a run here).</summary>
        internal Func<UpdateStep, Task>? StepUndoing { get; set; }

        /// <summary>Runs the transaction. The caller holds the server's lock (see <see cref="ServerGate"/>).</summary>
        public async Task<ServerUpdateResult> RunAsync(TransactionRequest request, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            using var activity = Telemetry.Start(Telemetry.UpdateActivity, Telemetry.T("arkmanager.server", request.Server.Name),
                Telemetry.T("arkmanager.image", request.ImageReference), Telemetry.T("arkmanager.kind", request.Kind));
            var downtime = new Downtime();
            try
            {
                var result = await RunCoreAsync(request, progress, downtime, cancellationToken).ConfigureAwait(false);
                var outcome = Telemetry.Tag(result.Outcome.ToString());
                activity?.SetTag("arkmanager.outcome", outcome);
                if (!result.Succeeded)
                {
                    activity?.SetStatus(ActivityStatusCode.Error, result.Outcome.ToString());
                }

                Telemetry.Updates.Add(1, Telemetry.T("kind", request.Kind), Telemetry.T("image", request.ImageReference), Telemetry.T("outcome", outcome));
                downtime.Record(request.Kind, outcome);
                return result;
            }
            catch (Exception ex)
            {
                Telemetry.Failed(activity, ex);
                var outcome = ex is OperationCanceledException ? "cancelled" : "failed";
                activity?.SetTag("arkmanager.outcome", outcome);
                Telemetry.Updates.Add(1, Telemetry.T("kind", request.Kind), Telemetry.T("image", request.ImageReference), Telemetry.T("outcome", outcome));
                downtime.Record(request.Kind, outcome);
                throw;
            }
        }

        private async Task<ServerUpdateResult> RunCoreAsync(TransactionRequest request, IProgress<UpdateProgress>? progress, Downtime downtime, CancellationToken cancellationToken)
        {
            var server = request.Server;
            var old = await _containers.TryInspectAsync(server.ContainerId, cancellationToken).ConfigureAwait(false) ?? throw new ServerNotFoundException(server.Name);
            var entry = new JournalEntry
            {
                Id = Guid.NewGuid().ToString("N"),
                Kind = request.Kind,
                Server = server.Name,
                Owner = server.Owner,
                Image = request.ImageReference,
                TargetImageId = request.TargetImageId,
                TargetDigest = request.TargetDigest,
                TargetConfigImage = request.TargetConfigImage,
                OldContainerId = old.Id,
                OldImageId = old.ImageId,
                OldDigest = request.OldDigest,
                OldWasRunning = old.Running || old.Restarting,
                ContainerName = old.Name,
                TempName = old.Name + ServerLabels.TempSuffix,
                AsideName = old.Name + ServerLabels.AsideSuffix,
                StartedAt = DateTimeOffset.UtcNow,
                ProcessId = Process.GetCurrentProcess().Id,
            };
            var refused = await PreflightAsync(entry).ConfigureAwait(false);
            if (refused != null)
            {
                return refused;
            }

            var records = new List<StepRecord>();
            var plan = TransactionSteps.Planned(entry.OldWasRunning, request.Options.BackupVolumes);
            var context = new TransactionContext(entry, request, progress);
            try
            {
                foreach (var step in plan)
                {
                    TransactionRecords.Report(progress, context.Entry, step, plan, "running");
                    if (step == UpdateStep.Stop)
                    {
                        downtime.Begin();
                    }

                    await ExecuteAsync(context, _steps[step], records, cancellationToken).ConfigureAwait(false);
                    if (step == UpdateStep.HealthGate)
                    {
                        downtime.End();
                    }
                }

                var done = TransactionRecords.Result(context.Entry, TransactionRecords.SuccessOf(request.Kind), context.Entry.NewContainerId ?? string.Empty, records, null);
                done = await _records.AppendHistoryAsync(context.Entry, done).ConfigureAwait(false);
                _journal.Delete(server.Name);
                await _aftermath.AfterSuccessAsync(context.Entry).ConfigureAwait(false);
                TransactionRecords.Report(progress, context.Entry, null, plan, "done");
                UpdateLog.Updated(_logger, server.Name, entry.OldImageId, entry.TargetImageId);
                return done;
            }
            catch (Exception ex)
            {
                // The journal on disk knows the step that failed (and a replacement created just before the failure).
                var failed = _journal.Read(server.Name) ?? context.Entry;
                var reason = ex is HealthGateFailedException ? ex.Message : TransactionRecords.Describe(ex);
                var cancelled = ex is OperationCanceledException;
                UpdateLog.RollingBack(_logger, server.Name, reason);
                TransactionRecords.Report(progress, failed, null, plan, "rolling back: " + reason);
                var undoError = await UndoAsync(failed, records).ConfigureAwait(false);
                downtime.End();
                var result = TransactionRecords.Result(failed, undoError is null ? UpdateOutcome.RolledBack : UpdateOutcome.Failed,
                    undoError is null ? failed.OldContainerId : failed.NewContainerId ?? string.Empty, records,
                    (cancelled ? "cancelled by the caller" : reason) + (undoError is null ? string.Empty : "; the rollback failed too: " + undoError));
                result = await _records.AppendHistoryAsync(failed, result).ConfigureAwait(false);
                if (undoError is null)
                {
                    _journal.Delete(server.Name);
                }

                await _aftermath.AfterFailureAsync(failed, ex, result.Outcome).ConfigureAwait(false);

                if (cancelled)
                {
                    throw;
                }

                return result;
            }
        }

        /// <summary>Undoes the journal's reached steps in reverse order. Null on success, else what failed. Never removes a volume.</summary>
        public async Task<string?> UndoAsync(JournalEntry entry, List<StepRecord> records)
        {
            using var activity = Telemetry.Start(Telemetry.RollbackActivity, Telemetry.T("arkmanager.server", entry.Server), Telemetry.T("arkmanager.image", entry.Image));
            var error = await UndoCoreAsync(entry, records).ConfigureAwait(false);
            activity?.SetTag("arkmanager.outcome", error is null ? "rolled_back" : "failed");
            if (error != null)
            {
                activity?.SetStatus(ActivityStatusCode.Error, "rollback failed");
            }

            return error;
        }

        private async Task<string?> UndoCoreAsync(JournalEntry entry, List<StepRecord> records)
        {
            var newId = await _steps.FindReplacementAsync(entry, CancellationToken.None).ConfigureAwait(false);
            var reached = entry.Steps.Where(s => s.Status == JournalStepStatus.Started || s.Status == JournalStepStatus.Completed || s.Status == JournalStepStatus.Failed)
                .Select(s => s.Step).Distinct().Reverse().ToList();
            foreach (var step in reached)
            {
                var watch = Stopwatch.StartNew();
                var startedAt = DateTimeOffset.UtcNow;
                try
                {
                    if (StepUndoing != null)
                    {
                        await StepUndoing(step).ConfigureAwait(false);
                    }

                    var detail = await _steps[step].Undo(entry, newId).ConfigureAwait(false);
                    records.Add(new StepRecord { Step = step, StartedAt = startedAt, Duration = watch.Elapsed, Status = "Undone", Detail = detail });
                    Telemetry.StepDuration.Record(watch.Elapsed.TotalSeconds, Telemetry.T("step", step.ToString()), Telemetry.T("status", "undone"));
                }
                catch (Exception ex)
                {
                    var why = TransactionRecords.Describe(ex);
                    records.Add(new StepRecord { Step = step, StartedAt = startedAt, Duration = watch.Elapsed, Status = "UndoFailed", Detail = why });
                    UpdateLog.UndoFailed(_logger, entry.Server, step.ToString(), why);
                    _journal.Write(entry with { Steps = entry.Steps.Concat(new[] { new JournalStep { Step = step, Status = JournalStepStatus.Failed, At = DateTimeOffset.UtcNow, Detail = "undo failed: " + why } }).ToList() });
                    return $"undoing {step} failed: {why}";
                }
            }

            var restartError = await RestartOldAsync(entry, records).ConfigureAwait(false);
            if (restartError != null)
            {
                return restartError;
            }

            await _aftermath.KeepTaggedAsync(entry).ConfigureAwait(false);
            return null;
        }

        /// <summary>
        /// The server ran before the transaction, so it runs after the undo, even when its old container stopped outside
        /// the steps (a daemon restart stops every container; the Stop step may never have been reached).
        /// </summary>
        private async Task<string?> RestartOldAsync(JournalEntry entry, List<StepRecord> records)
        {
            if (!entry.OldWasRunning)
            {
                return null;
            }

            var watch = Stopwatch.StartNew();
            var startedAt = DateTimeOffset.UtcNow;
            try
            {
                var old = await _containers.TryInspectAsync(entry.OldContainerId, CancellationToken.None).ConfigureAwait(false);
                if (old is null || old.Running || old.Restarting)
                {
                    return null;
                }

                await _containers.StartAsync(old.Id, CancellationToken.None).ConfigureAwait(false);
                records.Add(new StepRecord { Step = UpdateStep.Stop, StartedAt = startedAt, Duration = watch.Elapsed, Status = "Undone", Detail = "old container started again (it had stopped outside the update, e.g. by a daemon restart)" });
                return null;
            }
            catch (Exception ex)
            {
                var why = TransactionRecords.Describe(ex);
                records.Add(new StepRecord { Step = UpdateStep.Stop, StartedAt = startedAt, Duration = watch.Elapsed, Status = "UndoFailed", Detail = why });
                UpdateLog.UndoFailed(_logger, entry.Server, UpdateStep.Stop.ToString(), why);
                return "starting the old container again failed: " + why;
            }
        }

        private async Task ExecuteAsync(TransactionContext context, TransactionStep step, List<StepRecord> records, CancellationToken cancellationToken)
        {
            using var activity = Telemetry.Start(Telemetry.StepActivity, Telemetry.T("arkmanager.server", context.Entry.Server), Telemetry.T("arkmanager.step", step.Step.ToString()));
            var startedAt = DateTimeOffset.UtcNow;
            context.Entry = context.Entry with { Steps = context.Entry.Steps.Concat(new[] { new JournalStep { Step = step.Step, Status = JournalStepStatus.Started, At = startedAt } }).ToList() };
            _journal.Write(context.Entry);
            if (StepStarting != null)
            {
                await StepStarting(step.Step).ConfigureAwait(false);
            }

            var watch = Stopwatch.StartNew();
            try
            {
                var detail = await step.Do(context, cancellationToken).ConfigureAwait(false);
                if (StepActed != null)
                {
                    await StepActed(step.Step).ConfigureAwait(false);
                }

                var steps = context.Entry.Steps.ToList();
                steps[steps.Count - 1] = steps[steps.Count - 1] with { Status = JournalStepStatus.Completed, CompletedAt = DateTimeOffset.UtcNow, Detail = detail };
                context.Entry = context.Entry with { Steps = steps };
                _journal.Write(context.Entry);
                records.Add(new StepRecord { Step = step.Step, StartedAt = startedAt, Duration = watch.Elapsed, Status = "Completed", Detail = detail });
                Telemetry.StepDuration.Record(watch.Elapsed.TotalSeconds, Telemetry.T("step", step.Step.ToString()), Telemetry.T("status", "completed"));
                UpdateLog.Step(_logger, context.Entry.Server, step.Step.ToString(), watch.Elapsed.TotalSeconds, detail ?? string.Empty);
            }
            catch (Exception ex)
            {
                records.Add(new StepRecord { Step = step.Step, StartedAt = startedAt, Duration = watch.Elapsed, Status = "Failed", Detail = ex is HealthGateFailedException ? ex.Message : TransactionRecords.Describe(ex) });
                Telemetry.StepDuration.Record(watch.Elapsed.TotalSeconds, Telemetry.T("step", step.Step.ToString()), Telemetry.T("status", "failed"));
                Telemetry.Failed(activity, ex);
                throw;
            }
        }

        /// <summary>A container already under the temporary or aside name may hold data: refuse (a Failed result) rather than guess.</summary>
        private async Task<ServerUpdateResult?> PreflightAsync(JournalEntry entry)
        {
            foreach (var name in new[] { entry.TempName, entry.AsideName })
            {
                var leftover = await _containers.TryInspectAsync(name, CancellationToken.None).ConfigureAwait(false);
                if (leftover != null && leftover.Id != entry.OldContainerId)
                {
                    return TransactionRecords.Result(entry, UpdateOutcome.Failed, entry.OldContainerId, Array.Empty<StepRecord>(),
                        $"a container named '{name}' already exists (left by an earlier run that had no journal?). It may hold data: inspect it, then remove it (docker rm {name}, without -v) and retry.");
                }
            }

            return null;
        }
    }

    /// <summary>The downtime of one transaction: from the old container's stop to the replacement passing its health gate (or the old one running again after an undo).</summary>
    internal sealed class Downtime
    {
        private readonly Stopwatch _watch = new Stopwatch();
        private TimeSpan? _measured;

        public void Begin() => _watch.Start();

        public void End()
        {
            if (_watch.IsRunning && _measured is null)
            {
                _measured = _watch.Elapsed;
            }
        }

        /// <summary>Records the downtime (nothing when the server was never stopped).</summary>
        public void Record(string kind, string outcome)
        {
            End();
            if (_measured is { } value)
            {
                Telemetry.Downtime.Record(value.TotalSeconds, Telemetry.T("kind", kind), Telemetry.T("outcome", outcome));
            }
        }
    }

    internal static partial class UpdateLog
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Server {Server}: {Step} done in {Seconds:0.0} s. {Detail}")]
        public static partial void Step(ILogger logger, string server, string step, double seconds, string detail);

        [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Server {Server}: rolling back: {Reason}")]
        public static partial void RollingBack(ILogger logger, string server, string reason);

        [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Server {Server}: undoing {Step} failed: {Reason}")]
        public static partial void UndoFailed(ILogger logger, string server, string step, string reason);

        [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Server {Server}: found an unfinished transaction {Id} (last step {Step}); finishing or undoing it first")]
        public static partial void Recovering(ILogger logger, string server, string id, string step);

        [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "Server {Server} updated from {OldImage} to {NewImage}")]
        public static partial void Updated(ILogger logger, string server, string oldImage, string newImage);

        [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "Server {Server}: {Warning}")]
        public static partial void RecreateWarning(ILogger logger, string server, string warning);

        [LoggerMessage(EventId = 306, Level = LogLevel.Error, Message = "Server {Server}: the history record could not be written: {Reason}")]
        public static partial void HistoryFailed(ILogger logger, string server, string reason);
    }
}
