using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Backups;
using ArkManager.Images.Docker;
using ArkManager.Images.Internal;
using ArkManager.Images.Servers;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Updates
{
    /// <summary>The state one transaction's steps share.</summary>
    internal sealed class TransactionContext
    {
        public TransactionContext(JournalEntry entry, TransactionRequest request, IProgress<UpdateProgress>? progress)
        {
            Entry = entry;
            Request = request;
            Progress = progress;
        }

        /// <summary>The journal entry; a step that learns something (the new id, the backup path) replaces it.</summary>
        public JournalEntry Entry { get; set; }

        public TransactionRequest Request { get; }

        public IProgress<UpdateProgress>? Progress { get; }
    }

    /// <summary>
    /// One step: what it does and, beside it, how it is undone. <see cref="Undo"/> gets the journal entry as it was when
    /// the run stopped and the replacement's id (null when there is none); it returns what it did, or null when there
    /// was nothing to undo. Undo never removes a volume.
    /// </summary>
    internal sealed record TransactionStep(
        UpdateStep Step,
        Func<TransactionContext, CancellationToken, Task<string?>> Do,
        Func<JournalEntry, string?, Task<string?>> Undo);

    /// <summary>
    /// The table of an update's steps, each with its undo next to it (Portainer's way):
    /// Snapshot → Create (temporary name) → Stop (its StopTimeout/StopSignal, RCON safe stop) → Backup (optional, of the
    /// stopped container, so it holds the final save) → RenameOld → RenameNew → Start → HealthGate → Commit.
    /// </summary>
    internal sealed class TransactionSteps
    {
        private readonly IContainerOperations _containers;
        private readonly IImageOperations _images;
        private readonly VolumeBackupService _backups;
        private readonly ServerManager _servers;
        private readonly HealthGate _gate;
        private readonly UpdateJournal _journal;
        private readonly SnapshotStore _snapshots;
        private readonly ArkManagerOptions _options;
        private readonly ILogger _logger;
        private readonly IReadOnlyDictionary<UpdateStep, TransactionStep> _table;

        public TransactionSteps(IContainerOperations containers, IImageOperations images, VolumeBackupService backups, ServerManager servers,
            UpdateJournal journal, SnapshotStore snapshots, ArkManagerOptions options, ILogger logger)
        {
            _containers = containers;
            _images = images;
            _backups = backups;
            _servers = servers;
            _journal = journal;
            _snapshots = snapshots;
            _options = options;
            _logger = logger;
            _gate = new HealthGate(containers);
            var none = (Func<JournalEntry, string?, Task<string?>>)((e, n) => Task.FromResult<string?>(null));
            _table = new[]
            {
                new TransactionStep(UpdateStep.Snapshot, SnapshotAsync, none),
                new TransactionStep(UpdateStep.Create, CreateAsync, UndoCreateAsync),
                new TransactionStep(UpdateStep.Stop, StopAsync, UndoStopAsync),
                new TransactionStep(UpdateStep.Backup, BackupAsync, none),
                new TransactionStep(UpdateStep.RenameOld, RenameOldAsync, UndoRenameOldAsync),
                new TransactionStep(UpdateStep.RenameNew, RenameNewAsync, UndoRenameNewAsync),
                new TransactionStep(UpdateStep.Start, StartAsync, StopReplacementAsync),
                new TransactionStep(UpdateStep.HealthGate, HealthGateAsync, StopReplacementAsync),
                new TransactionStep(UpdateStep.Commit, (c, ct) => CommitAsync(c.Entry, c.Entry.NewContainerId, ct), none),
            }.ToDictionary(s => s.Step);
        }

        public TransactionStep this[UpdateStep step] => _table[step];

        /// <summary>The steps a transaction runs, in order: a stopped server is not started, so it has no Stop/Start/HealthGate.</summary>
        public static IReadOnlyList<UpdateStep> Planned(bool running, bool backup)
        {
            var steps = new List<UpdateStep> { UpdateStep.Snapshot, UpdateStep.Create };
            if (running)
            {
                steps.Add(UpdateStep.Stop);
            }

            if (backup)
            {
                steps.Add(UpdateStep.Backup);
            }

            steps.Add(UpdateStep.RenameOld);
            steps.Add(UpdateStep.RenameNew);
            if (running)
            {
                steps.Add(UpdateStep.Start);
                steps.Add(UpdateStep.HealthGate);
            }

            steps.Add(UpdateStep.Commit);
            return steps;
        }

        // Snapshot: the inspect JSON of the container and both images (secrets redacted). Undo: nothing, it is a record.
        private async Task<string?> SnapshotAsync(TransactionContext context, CancellationToken cancellationToken)
        {
            var entry = context.Entry;
            var dir = await _snapshots.WriteAsync(entry, _containers, _images, cancellationToken).ConfigureAwait(false);
            context.Entry = entry with { SnapshotDirectory = dir };
            return "container and image inspect saved";
        }

        // Create: the replacement under the temporary name. Undo: remove it (never its volumes).
        private async Task<string?> CreateAsync(TransactionContext context, CancellationToken cancellationToken)
        {
            var entry = context.Entry;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ServerLabels.Server] = entry.Server,
                [ServerLabels.Image] = entry.Image,
            };
            if (!string.IsNullOrEmpty(entry.Owner))
            {
                labels[ServerLabels.Owner] = entry.Owner!;
            }

            var created = await _containers.CreateReplacementAsync(new ReplacementRequest
            {
                OldContainerId = entry.OldContainerId,
                OldImageId = entry.OldImageId,
                TargetImageId = entry.TargetImageId,
                TargetConfigImage = entry.TargetConfigImage,
                Name = entry.TempName,
                Labels = labels,
            }, id => _journal.Write(entry with { NewContainerId = id }), cancellationToken).ConfigureAwait(false); // journaled at once: an undo finds it even if a network connect fails
            foreach (var warning in created.Warnings)
            {
                UpdateLog.RecreateWarning(_logger, entry.Server, warning);
            }

            context.Entry = entry with { NewContainerId = created.Id };
            return $"replacement {Short(created.Id)} created as {entry.TempName}" + (created.Warnings.Count == 0 ? string.Empty : "; " + string.Join("; ", created.Warnings));
        }

        private async Task<string?> UndoCreateAsync(JournalEntry entry, string? newId)
        {
            if (newId is null)
            {
                return null;
            }

            await _containers.RemoveAsync(newId, force: true, CancellationToken.None).ConfigureAwait(false);
            return "replacement removed (volumes kept)";
        }

        // Stop: the old container, by RCON when configured, else Docker's stop with its StopTimeout/StopSignal. Undo: start it again.
        private async Task<string?> StopAsync(TransactionContext context, CancellationToken cancellationToken)
        {
            var entry = context.Entry;
            var progress = context.Progress;
            var forward = progress is null ? null : new Forward<StopProgress>(p => progress.Report(new UpdateProgress { Server = entry.Server, Step = UpdateStep.Stop, Phase = "Server", Message = $"Stop ({p.Phase}): {p.Message}" }));
            var current = await RequireAsync(entry.OldContainerId, cancellationToken).ConfigureAwait(false);
            var result = await _servers.SafeStopContainerAsync(current, context.Request.Options.SafeStop ?? new SafeStopOptions(), forward, cancellationToken).ConfigureAwait(false);
            var after = await RequireAsync(entry.OldContainerId, cancellationToken).ConfigureAwait(false);
            if (after.Running)
            {
                throw new InvalidOperationException($"the old container is still running after the stop ({result.Reason})");
            }

            var timeout = current.StopTimeout ?? ContainerOperations.DockerDefaultStopTimeout;
            return result.UsedRcon && !result.FellBackToDockerStop
                ? $"stopped by RCON in {result.Duration.TotalSeconds:0.0} s ({result.WarningsSent.Count} warning(s), {result.PlayersOnline.Count} player(s) online, SaveWorld confirmed: {result.Saved}, DoExit, exit code {after.ExitCode})"
                : $"stopped in {result.Duration.TotalSeconds:0.0} s (stop timeout {timeout.TotalSeconds:0} s, signal {current.StopSignal ?? "SIGTERM"}, exit code {after.ExitCode}){(result.UsedRcon ? "; RCON stop failed: " + result.Reason : string.Empty)}";
        }

        private async Task<string?> UndoStopAsync(JournalEntry entry, string? newId)
        {
            var old = await _containers.TryInspectAsync(entry.OldContainerId, CancellationToken.None).ConfigureAwait(false);
            if (!entry.OldWasRunning || old is null)
            {
                return null;
            }

            if (entry.StatusOf(UpdateStep.Stop) != JournalStepStatus.Completed && old.Running)
            {
                // Interrupted mid-stop: let the stop (and the world save) finish before starting again.
                await _containers.StopAsync(old.Id, null, CancellationToken.None).ConfigureAwait(false);
            }

            await _containers.StartAsync(old.Id, CancellationToken.None).ConfigureAwait(false);
            return "old container started again";
        }

        // Backup: every volume of the stopped old container. Undo: nothing; the archive stays.
        private async Task<string?> BackupAsync(TransactionContext context, CancellationToken cancellationToken)
        {
            var entry = context.Entry;
            var backup = await _backups.BackupAsync(entry.OldContainerId, entry.Server, entry.Image, entry.OldImageId, entry.OldDigest,
                context.Request.Options.BackupDirectory ?? Path.Combine(_options.EffectiveStateDirectory, "backups", entry.Server),
                new BackupOptions { Compress = true }, cancellationToken).ConfigureAwait(false);
            context.Entry = entry with { BackupPath = backup.Path };
            return backup.Path;
        }

        // RenameOld: the old container steps aside. Undo: it takes its own name back.
        private async Task<string?> RenameOldAsync(TransactionContext context, CancellationToken cancellationToken)
        {
            await _containers.RenameAsync(context.Entry.OldContainerId, context.Entry.AsideName, cancellationToken).ConfigureAwait(false);
            return $"old container renamed to {context.Entry.AsideName}";
        }

        private async Task<string?> UndoRenameOldAsync(JournalEntry entry, string? newId)
        {
            if (!(await _containers.TryInspectAsync(entry.OldContainerId, CancellationToken.None).ConfigureAwait(false) is { } old) || old.Name == entry.NameInPlace)
            {
                return null;
            }

            await _containers.RenameAsync(entry.OldContainerId, entry.NameInPlace, CancellationToken.None).ConfigureAwait(false);
            return "old container renamed back to " + entry.NameInPlace;
        }

        // RenameNew: the replacement takes the old container's own name. Undo: back to the temporary name.
        private async Task<string?> RenameNewAsync(TransactionContext context, CancellationToken cancellationToken)
        {
            await _containers.RenameAsync(context.Entry.NewContainerId!, context.Entry.NameInPlace, cancellationToken).ConfigureAwait(false);
            return $"replacement renamed to {context.Entry.NameInPlace}";
        }

        private async Task<string?> UndoRenameNewAsync(JournalEntry entry, string? newId)
        {
            if (newId is null || !(await _containers.TryInspectAsync(newId, CancellationToken.None).ConfigureAwait(false) is { } fresh) || fresh.Name != entry.NameInPlace)
            {
                return null;
            }

            await _containers.RenameAsync(newId, entry.TempName, CancellationToken.None).ConfigureAwait(false);
            return "replacement renamed back to " + entry.TempName;
        }

        // Start: the replacement. Undo (also of HealthGate): stop it, with its own stop timeout.
        private async Task<string?> StartAsync(TransactionContext context, CancellationToken cancellationToken)
        {
            await _containers.StartAsync(context.Entry.NewContainerId!, cancellationToken).ConfigureAwait(false);
            return "replacement started";
        }

        private async Task<string?> StopReplacementAsync(JournalEntry entry, string? newId)
        {
            if (newId is null || !(await _containers.TryInspectAsync(newId, CancellationToken.None).ConfigureAwait(false) is { } fresh) || !(fresh.Running || fresh.Restarting))
            {
                return null;
            }

            await _containers.StopAsync(newId, null, CancellationToken.None).ConfigureAwait(false);
            return "replacement stopped";
        }

        // HealthGate: the replacement proves itself (healthcheck, readiness line, or a stable run).
        private async Task<string?> HealthGateAsync(TransactionContext context, CancellationToken cancellationToken)
        {
            var options = context.Request.Options;
            var gate = await _gate.WaitAsync(context.Entry.NewContainerId!, options.HealthTimeout, options.StableFor, options.ReadinessPatterns, cancellationToken).ConfigureAwait(false);
            if (!gate.Passed)
            {
                throw new HealthGateFailedException(gate.Detail);
            }

            return gate.Detail;
        }

        /// <summary>
        /// Commit (also the forward half of a recovery): the replacement carries the name and runs when the old one
        /// ran; the old image is tagged as the rollback target; the old container is removed without its volumes.
        /// </summary>
        public async Task<string?> CommitAsync(JournalEntry entry, string? newId, CancellationToken cancellationToken)
        {
            if (newId != null && await _containers.TryInspectAsync(newId, cancellationToken).ConfigureAwait(false) is { } fresh)
            {
                if (fresh.Name != entry.NameInPlace)
                {
                    if (await _containers.TryInspectAsync(entry.OldContainerId, cancellationToken).ConfigureAwait(false) is { } old && old.Name == entry.NameInPlace)
                    {
                        await _containers.RenameAsync(old.Id, entry.AsideName, cancellationToken).ConfigureAwait(false);
                    }

                    await _containers.RenameAsync(newId, entry.NameInPlace, cancellationToken).ConfigureAwait(false);
                }

                if (entry.OldWasRunning && !fresh.Running)
                {
                    await _containers.StartAsync(newId, cancellationToken).ConfigureAwait(false);
                }
            }

            // Keep the old image reachable by name so a prune cannot take the rollback target away.
            if (entry.OldImageId != entry.TargetImageId && ImageReference.TryParse(entry.Image, out var reference, out _))
            {
                var tag = ServerLabels.RollbackTagPrefix + entry.Server;
                if (tag.Length <= 128)
                {
                    try
                    {
                        await _images.TagAsync(entry.OldImageId, reference!.FamiliarRepository, tag, cancellationToken).ConfigureAwait(false);
                    }
                    catch (DockerOperationException ex)
                    {
                        UpdateLog.RecreateWarning(_logger, entry.Server, "could not tag the rollback image: " + ex.DaemonMessage);
                    }
                }
            }

            if (await _containers.TryInspectAsync(entry.OldContainerId, cancellationToken).ConfigureAwait(false) is { } oldContainer && oldContainer.Id != newId)
            {
                await _containers.StopAsync(oldContainer.Id, null, cancellationToken).ConfigureAwait(false);
                await _containers.RemoveAsync(oldContainer.Id, force: false, cancellationToken).ConfigureAwait(false);
            }

            await _servers.ForgetRegistrationAsync(entry.Server, cancellationToken).ConfigureAwait(false);
            return "old container removed (its volumes kept); old image kept as rollback target";
        }

        /// <summary>The replacement of a journaled transaction, found by id or temporary name; null when there is none.</summary>
        public async Task<string?> FindReplacementAsync(JournalEntry entry, CancellationToken cancellationToken)
        {
            foreach (var candidate in new[] { entry.NewContainerId, entry.TempName })
            {
                if (string.IsNullOrEmpty(candidate))
                {
                    continue;
                }

                var found = await _containers.TryInspectAsync(candidate!, cancellationToken).ConfigureAwait(false);
                if (found != null && found.Id != entry.OldContainerId && found.Label(ServerLabels.Server) == entry.Server)
                {
                    return found.Id;
                }
            }

            return null;
        }

        private async Task<ContainerDetails> RequireAsync(string id, CancellationToken cancellationToken) =>
            await _containers.TryInspectAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new ContainerNotFoundException(id);

        private static string Short(string id) => id.Length > 12 ? id.Substring(0, 12) : id;
    }

    /// <summary>An <see cref="IProgress{T}"/> that calls a delegate synchronously (no SynchronizationContext hop).</summary>
    internal sealed class Forward<T> : IProgress<T>
    {
        private readonly Action<T> _action;

        public Forward(Action<T> action) => _action = action;

        public void Report(T value) => _action(value);
    }

    /// <summary>The replacement container did not prove healthy.</summary>
    internal sealed class HealthGateFailedException : Exception
    {
        public HealthGateFailedException(string detail)
            : base("health gate failed: " + detail)
        {
        }
    }
}
