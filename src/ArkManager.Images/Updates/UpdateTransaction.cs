using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Backups;
using ArkManager.Images.Docker;
using ArkManager.Images.Internal;
using ArkManager.Images.Servers;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Updates
{
    /// <summary>What one transaction is asked to do.</summary>
    internal sealed record TransactionRequest
    {
        public string Kind { get; init; } = "Update";

        public ServerInfo Server { get; init; } = new ServerInfo();

        /// <summary>The reference the server is known by (label io.arkmanager.image) after the transaction.</summary>
        public string ImageReference { get; init; } = string.Empty;

        /// <summary>What goes into Config.Image of the replacement (a reference, or an image id for a rollback).</summary>
        public string TargetConfigImage { get; init; } = string.Empty;

        public string TargetImageId { get; init; } = string.Empty;

        public string? TargetDigest { get; init; }

        public string? OldDigest { get; init; }

        public RecreateOptions Options { get; init; } = new RecreateOptions();
    }

    /// <summary>
    /// Replaces one server's container through named steps, each journaled before it runs and each with an undo:
    /// Snapshot → Create (temporary name) → Stop (its StopTimeout/StopSignal) → Backup (optional, of the stopped
    /// container, so it holds the final save) → RenameOld → RenameNew → Start → HealthGate → Commit.
    /// A failure before Commit undoes the completed steps in reverse order; a crash is finished or undone by
    /// <see cref="RecoverAsync"/> on the next call. Volumes are never removed.
    /// </summary>
    internal sealed class UpdateTransaction
    {
        public const string TempSuffix = "-ark-new";
        public const string AsideSuffix = "-ark-old";
        public const string RollbackTagPrefix = "ark-rollback-";

        private readonly DockerConnection _connection;
        private readonly UpdateJournal _journal;
        private readonly UpdateHistoryStore _history;
        private readonly VolumeBackupService _backups;
        private readonly ServerManager _servers;
        private readonly HealthGate _gate;
        private readonly ArkManagerOptions _options;
        private readonly ILogger _logger;

        public UpdateTransaction(DockerConnection connection, UpdateJournal journal, UpdateHistoryStore history, VolumeBackupService backups,
            ServerManager servers, ArkManagerOptions options, ILogger logger)
        {
            _connection = connection;
            _journal = journal;
            _history = history;
            _backups = backups;
            _servers = servers;
            _options = options;
            _logger = logger;
            _gate = new HealthGate(connection);
        }

        /// <summary>Test seam: runs after a step is journaled as started and before it executes.</summary>
        internal Func<UpdateStep, Task>? StepStarting { get; set; }

        public string LockPath(string server) => Path.Combine(_options.EffectiveStateDirectory, "locks", server + ".lock");

        /// <summary>Takes the server's cross-process lock (or fails with who holds it).</summary>
        public Task<FileLock> LockAsync(string server, string operation, TimeSpan timeout, CancellationToken cancellationToken) =>
            FileLock.AcquireAsync(LockPath(server), operation + " " + server, timeout, cancellationToken, holder => new ServerLockedException(server, holder));

        /// <summary>Finishes or undoes an unfinished transaction of the server (the caller holds the lock). Null when there was none.</summary>
        public async Task<ServerUpdateResult?> RecoverAsync(string server, CancellationToken cancellationToken)
        {
            var entry = _journal.Read(server);
            if (entry is null)
            {
                return null;
            }

            UpdateLog.Recovering(_logger, server, entry.Id, entry.Steps.LastOrDefault()?.Step.ToString() ?? "none");
            var records = new List<StepRecord>();
            var forward = entry.Reached(UpdateStep.Commit) || entry.StatusOf(UpdateStep.HealthGate) == JournalStepStatus.Completed ||
                          (!entry.OldWasRunning && entry.StatusOf(UpdateStep.RenameNew) == JournalStepStatus.Completed);
            ServerUpdateResult result;
            if (forward)
            {
                var newId = await FindNewContainerAsync(entry, CancellationToken.None).ConfigureAwait(false);
                await CommitAsync(entry, newId, CancellationToken.None).ConfigureAwait(false);
                result = Result(entry, UpdateOutcome.Recovered, newId ?? string.Empty, records,
                    $"an interrupted {entry.Kind.ToLowerInvariant()} (after its health gate) was completed");
            }
            else
            {
                var last = entry.Steps.LastOrDefault()?.Step.ToString() ?? "the start";
                var undoError = await UndoAsync(entry, records).ConfigureAwait(false);
                result = Result(entry, undoError is null ? UpdateOutcome.RolledBack : UpdateOutcome.Failed, entry.OldContainerId, records,
                    $"an interrupted {entry.Kind.ToLowerInvariant()} (stopped during step {last}) was undone" + (undoError is null ? string.Empty : "; undo failed: " + undoError));
                if (undoError != null)
                {
                    throw new ServerUpdateException($"Server '{server}': recovering an interrupted {entry.Kind.ToLowerInvariant()} failed: {undoError}. The journal {_journal.PathOf(server)} is kept; fix the cause and run again.", result);
                }
            }

            await AppendHistoryAsync(entry, result).ConfigureAwait(false);
            _journal.Delete(server);
            return result;
        }

        /// <summary>Runs the transaction. The caller holds the server's lock and has recovered any older journal.</summary>
        public async Task<ServerUpdateResult> RunAsync(TransactionRequest request, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var server = request.Server;
            var oldInspect = await client.Containers.InspectContainerAsync(server.ContainerId, cancellationToken).ConfigureAwait(false);
            await PreflightAsync(client, server, cancellationToken).ConfigureAwait(false);
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
                OldContainerId = server.ContainerId,
                OldImageId = oldInspect.Image,
                OldDigest = request.OldDigest,
                OldWasRunning = oldInspect.State?.Running == true || oldInspect.State?.Restarting == true,
                TempName = server.Name + TempSuffix,
                AsideName = server.Name + AsideSuffix,
                StartedAt = DateTimeOffset.UtcNow,
                ProcessId = Process.GetCurrentProcess().Id,
            };

            var records = new List<StepRecord>();
            var steps = PlannedSteps(entry.OldWasRunning, request.Options.BackupVolumes);
            string? newId = null;
            try
            {
                foreach (var step in steps)
                {
                    Report(progress, entry, step, steps, "running");
                    entry = await ExecuteAsync(entry, step, records, async current =>
                    {
                        switch (step)
                        {
                            case UpdateStep.Snapshot:
                                return (current with { SnapshotDirectory = await SnapshotAsync(client, current, oldInspect, cancellationToken).ConfigureAwait(false) }, "container and image inspect saved");
                            case UpdateStep.Create:
                                var created = await CreateReplacementAsync(client, current, request, oldInspect, cancellationToken).ConfigureAwait(false);
                                newId = created.Id;
                                return (current with { NewContainerId = created.Id }, created.Detail);
                            case UpdateStep.Stop:
                                return (current, await StopOldAsync(client, current, oldInspect, request.Options.SafeStop, progress, cancellationToken).ConfigureAwait(false));
                            case UpdateStep.Backup:
                                var backup = await _backups.BackupAsync(current.OldContainerId, current.Server, current.Image, current.OldImageId, current.OldDigest,
                                    request.Options.BackupDirectory ?? Path.Combine(_options.EffectiveStateDirectory, "backups", current.Server),
                                    new BackupOptions { Compress = true }, cancellationToken).ConfigureAwait(false);
                                return (current with { BackupPath = backup.Path }, backup.Path);
                            case UpdateStep.RenameOld:
                                await client.Containers.RenameContainerAsync(current.OldContainerId, new ContainerRenameParameters { NewName = current.AsideName }, cancellationToken).ConfigureAwait(false);
                                return (current, $"old container renamed to {current.AsideName}");
                            case UpdateStep.RenameNew:
                                await client.Containers.RenameContainerAsync(current.NewContainerId!, new ContainerRenameParameters { NewName = current.Server }, cancellationToken).ConfigureAwait(false);
                                return (current, $"replacement renamed to {current.Server}");
                            case UpdateStep.Start:
                                await client.Containers.StartContainerAsync(current.NewContainerId!, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
                                return (current, "replacement started");
                            case UpdateStep.HealthGate:
                                var gate = await _gate.WaitAsync(current.NewContainerId!, request.Options.HealthTimeout, request.Options.StableFor, request.Options.ReadinessPatterns, cancellationToken).ConfigureAwait(false);
                                if (!gate.Passed)
                                {
                                    throw new HealthGateFailedException(gate.Detail);
                                }

                                return (current, gate.Detail);
                            case UpdateStep.Commit:
                                await CommitAsync(current, current.NewContainerId, cancellationToken).ConfigureAwait(false);
                                return (current, "old container removed (its volumes kept); old image kept as rollback target");
                            default:
                                throw new InvalidOperationException("Unknown step " + step);
                        }
                    }).ConfigureAwait(false);
                }

                var done = Result(entry, UpdateOutcome.Updated, newId ?? entry.NewContainerId ?? string.Empty, records, null);
                done = await AppendHistoryAsync(entry, done).ConfigureAwait(false);
                _journal.Delete(server.Name);
                Report(progress, entry, null, steps, "done");
                UpdateLog.Updated(_logger, server.Name, entry.OldImageId, entry.TargetImageId);
                return done;
            }
            catch (Exception ex)
            {
                // The journal on disk knows the step that failed (and a replacement created just before the failure).
                entry = _journal.Read(server.Name) ?? entry;
                var reason = ex is HealthGateFailedException ? ex.Message : Describe(ex);
                var cancelled = ex is OperationCanceledException;
                UpdateLog.RollingBack(_logger, server.Name, reason);
                Report(progress, entry, null, steps, "rolling back: " + reason);
                var undoError = await UndoAsync(entry, records).ConfigureAwait(false);
                var outcome = undoError is null ? UpdateOutcome.RolledBack : UpdateOutcome.Failed;
                var result = Result(entry, outcome, undoError is null ? entry.OldContainerId : entry.NewContainerId ?? string.Empty, records,
                    (cancelled ? "cancelled by the caller" : reason) + (undoError is null ? string.Empty : "; the rollback failed too: " + undoError));
                result = await AppendHistoryAsync(entry, result).ConfigureAwait(false);
                if (undoError is null)
                {
                    _journal.Delete(server.Name);
                }

                if (cancelled)
                {
                    throw;
                }

                return result;
            }
        }

        internal static IReadOnlyList<UpdateStep> PlannedSteps(bool running, bool backup)
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

        private async Task<JournalEntry> ExecuteAsync(JournalEntry entry, UpdateStep step, List<StepRecord> records, Func<JournalEntry, Task<(JournalEntry Entry, string? Detail)>> action)
        {
            var startedAt = DateTimeOffset.UtcNow;
            var steps = entry.Steps.ToList();
            steps.Add(new JournalStep { Step = step, Status = JournalStepStatus.Started, At = startedAt });
            entry = entry with { Steps = steps };
            _journal.Write(entry);
            if (StepStarting != null)
            {
                await StepStarting(step).ConfigureAwait(false);
            }

            var watch = Stopwatch.StartNew();
            try
            {
                var (next, detail) = await action(entry).ConfigureAwait(false);
                var completed = next.Steps.ToList();
                completed[completed.Count - 1] = completed[completed.Count - 1] with { Status = JournalStepStatus.Completed, CompletedAt = DateTimeOffset.UtcNow, Detail = detail };
                next = next with { Steps = completed };
                _journal.Write(next);
                records.Add(new StepRecord { Step = step, StartedAt = startedAt, Duration = watch.Elapsed, Status = "Completed", Detail = detail });
                UpdateLog.Step(_logger, entry.Server, step.ToString(), watch.Elapsed.TotalSeconds, detail ?? string.Empty);
                return next;
            }
            catch (Exception ex)
            {
                records.Add(new StepRecord { Step = step, StartedAt = startedAt, Duration = watch.Elapsed, Status = "Failed", Detail = ex is HealthGateFailedException ? ex.Message : Describe(ex) });
                throw;
            }
        }

        private async Task PreflightAsync(DockerClient client, ServerInfo server, CancellationToken cancellationToken)
        {
            foreach (var suffix in new[] { TempSuffix, AsideSuffix })
            {
                var name = server.Name + suffix;
                ContainerInspectResponse? leftover = null;
                try
                {
                    leftover = await client.Containers.InspectContainerAsync(name, cancellationToken).ConfigureAwait(false);
                }
                catch (DockerContainerNotFoundException)
                {
                }
                catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                }

                if (leftover != null && leftover.ID != server.ContainerId)
                {
                    throw new ServerUpdateException(
                        $"Server '{server.Name}': a container named '{name}' already exists (left by an earlier run that had no journal?). It may hold data: inspect it, then remove it (docker rm {name}, without -v) and retry.",
                        new ServerUpdateResult { Server = server.Name, Outcome = UpdateOutcome.Failed, OldContainerId = server.ContainerId, ContainerId = server.ContainerId, Error = $"container '{name}' is in the way" });
                }
            }
        }

        private async Task<string> SnapshotAsync(DockerClient client, JournalEntry entry, ContainerInspectResponse oldInspect, CancellationToken cancellationToken)
        {
            var dir = Path.Combine(_options.EffectiveStateDirectory, "snapshots", entry.Server, entry.StartedAt.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + entry.Id.Substring(0, 8));
            Directory.CreateDirectory(dir);
            var oldImage = await client.Images.InspectImageAsync(entry.OldImageId, cancellationToken).ConfigureAwait(false);
            var newImage = await client.Images.InspectImageAsync(entry.TargetImageId, cancellationToken).ConfigureAwait(false);
            AtomicFile.WriteAllText(Path.Combine(dir, "container.json"), JsonSerializer.Serialize(oldInspect, SnapshotJson));
            AtomicFile.WriteAllText(Path.Combine(dir, "image.json"), JsonSerializer.Serialize(oldImage, SnapshotJson));
            AtomicFile.WriteAllText(Path.Combine(dir, "target-image.json"), JsonSerializer.Serialize(newImage, SnapshotJson));
            return dir;
        }

        private static readonly JsonSerializerOptions SnapshotJson = new JsonSerializerOptions { WriteIndented = true };

        private async Task<(string Id, string Detail)> CreateReplacementAsync(DockerClient client, JournalEntry entry, TransactionRequest request, ContainerInspectResponse oldInspect, CancellationToken cancellationToken)
        {
            var oldImage = await client.Images.InspectImageAsync(entry.OldImageId, cancellationToken).ConfigureAwait(false);
            var newImage = await client.Images.InspectImageAsync(entry.TargetImageId, cancellationToken).ConfigureAwait(false);
            var plan = RecreateSpec.Build(oldInspect, oldImage, newImage, entry.TargetConfigImage, entry.TempName, _connection.ApiVersion);
            var labels = plan.Create.Labels ?? new Dictionary<string, string>();
            labels[ServerLabels.Server] = entry.Server;
            labels[ServerLabels.Image] = entry.Image;
            if (!string.IsNullOrEmpty(entry.Owner))
            {
                labels[ServerLabels.Owner] = entry.Owner!;
            }

            plan.Create.Labels = labels;
            foreach (var warning in plan.Warnings)
            {
                UpdateLog.RecreateWarning(_logger, entry.Server, warning);
            }

            var created = await client.Containers.CreateContainerAsync(plan.Create, cancellationToken).ConfigureAwait(false);
            // Journal the id at once so an undo can find it even if a network connect below fails.
            _journal.Write(entry with { NewContainerId = created.ID });
            foreach (var network in plan.ConnectAfterCreate)
            {
                await client.Networks.ConnectNetworkAsync(network.NetworkName, new NetworkConnectParameters { Container = created.ID, EndpointConfig = network.Settings }, cancellationToken).ConfigureAwait(false);
            }

            return (created.ID, $"replacement {created.ID.Substring(0, 12)} created as {entry.TempName}" + (plan.Warnings.Count == 0 ? string.Empty : "; " + string.Join("; ", plan.Warnings)));
        }

        private async Task<string> StopOldAsync(DockerClient client, JournalEntry entry, ContainerInspectResponse oldInspect, SafeStopOptions? safeStop, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            // A server with RCON gets ARK's own shutdown: warnings to players, SaveWorld (confirmed), DoExit; Docker's
            // stop with the container's StopTimeout/StopSignal is the fallback and the way for servers without RCON.
            var containers = new ContainerOperations(_connection);
            var current = await containers.TryInspectAsync(entry.OldContainerId, cancellationToken).ConfigureAwait(false) ?? throw new ContainerNotFoundException(entry.OldContainerId);
            var rcon = Rcon.RconSettingsResolver.FromContainer(current);
            var forward = progress is null ? null : new StopForward(p => progress.Report(new UpdateProgress { Server = entry.Server, Step = UpdateStep.Stop, Phase = "Server", Message = $"Stop ({p.Phase}): {p.Message}" }));
            var result = await Rcon.SafeStop.StopAsync(containers, current, rcon, safeStop ?? new SafeStopOptions(), forward, _logger, cancellationToken).ConfigureAwait(false);
            var after = await client.Containers.InspectContainerAsync(entry.OldContainerId, cancellationToken).ConfigureAwait(false);
            if (after.State?.Running == true)
            {
                throw new InvalidOperationException($"the old container is still running after the stop ({result.Reason})");
            }

            var timeout = oldInspect.Config?.StopTimeout ?? TimeSpan.FromSeconds(10);
            return result.UsedRcon && !result.FellBackToDockerStop
                ? $"stopped by RCON in {result.Duration.TotalSeconds:0.0} s ({result.WarningsSent.Count} warning(s), {result.PlayersOnline.Count} player(s) online, SaveWorld confirmed: {result.Saved}, DoExit, exit code {after.State?.ExitCode})"
                : $"stopped in {result.Duration.TotalSeconds:0.0} s (stop timeout {timeout.TotalSeconds:0} s, signal {oldInspect.Config?.StopSignal ?? "SIGTERM"}, exit code {after.State?.ExitCode}){(result.UsedRcon ? "; RCON stop failed: " + result.Reason : string.Empty)}";
        }

        private sealed class StopForward : IProgress<StopProgress>
        {
            private readonly Action<StopProgress> _action;

            public StopForward(Action<StopProgress> action) => _action = action;

            public void Report(StopProgress value) => _action(value);
        }

        private async Task<string?> FindNewContainerAsync(JournalEntry entry, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            foreach (var candidate in new[] { entry.NewContainerId, entry.TempName })
            {
                if (string.IsNullOrEmpty(candidate))
                {
                    continue;
                }

                var found = await TryInspectAsync(client, candidate!, cancellationToken).ConfigureAwait(false);
                if (found != null && found.ID != entry.OldContainerId &&
                    found.Config?.Labels != null && found.Config.Labels.TryGetValue(ServerLabels.Server, out var s) && s == entry.Server)
                {
                    return found.ID;
                }
            }

            return null;
        }

        private async Task CommitAsync(JournalEntry entry, string? newId, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            if (newId != null)
            {
                var fresh = await TryInspectAsync(client, newId, cancellationToken).ConfigureAwait(false);
                if (fresh != null && fresh.Name.TrimStart('/') != entry.Server)
                {
                    var old = await TryInspectAsync(client, entry.OldContainerId, cancellationToken).ConfigureAwait(false);
                    if (old != null && old.Name.TrimStart('/') == entry.Server)
                    {
                        await client.Containers.RenameContainerAsync(old.ID, new ContainerRenameParameters { NewName = entry.AsideName }, cancellationToken).ConfigureAwait(false);
                    }

                    await client.Containers.RenameContainerAsync(newId, new ContainerRenameParameters { NewName = entry.Server }, cancellationToken).ConfigureAwait(false);
                }

                if (fresh != null && entry.OldWasRunning && fresh.State?.Running != true)
                {
                    await client.Containers.StartContainerAsync(newId, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
                }
            }

            // Keep the old image reachable by name so a prune cannot take the rollback target away.
            if (entry.OldImageId != entry.TargetImageId && ImageReference.TryParse(entry.Image, out var reference, out _))
            {
                var tag = RollbackTagPrefix + entry.Server;
                if (tag.Length <= 128)
                {
                    try
                    {
                        await client.Images.TagImageAsync(entry.OldImageId, new ImageTagParameters { RepositoryName = reference!.FamiliarRepository, Tag = tag }, cancellationToken).ConfigureAwait(false);
                    }
                    catch (DockerApiException ex)
                    {
                        UpdateLog.RecreateWarning(_logger, entry.Server, "could not tag the rollback image: " + DockerErrors.MessageOf(ex));
                    }
                }
            }

            var oldContainer = await TryInspectAsync(client, entry.OldContainerId, cancellationToken).ConfigureAwait(false);
            if (oldContainer != null && oldContainer.ID != newId)
            {
                if (oldContainer.State?.Running == true)
                {
                    await client.Containers.StopContainerAsync(oldContainer.ID, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling((oldContainer.Config?.StopTimeout ?? TimeSpan.FromSeconds(10)).TotalSeconds) }, cancellationToken).ConfigureAwait(false);
                }

                await client.Containers.RemoveContainerAsync(oldContainer.ID, new ContainerRemoveParameters { RemoveVolumes = false, Force = false }, cancellationToken).ConfigureAwait(false);
            }

            await _servers.ForgetRegistrationAsync(entry.Server, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Undoes the journal's steps in reverse order. Returns null on success, else what failed. Never removes a volume.</summary>
        private async Task<string?> UndoAsync(JournalEntry entry, List<StepRecord> records)
        {
            var ct = CancellationToken.None;
            var client = await _connection.GetClientAsync(ct).ConfigureAwait(false);
            var newId = await FindNewContainerAsync(entry, ct).ConfigureAwait(false);
            var reached = entry.Steps.Where(s => s.Status == JournalStepStatus.Started || s.Status == JournalStepStatus.Completed || s.Status == JournalStepStatus.Failed)
                .Select(s => s.Step).Distinct().Reverse().ToList();
            foreach (var step in reached)
            {
                var watch = Stopwatch.StartNew();
                var startedAt = DateTimeOffset.UtcNow;
                string? detail = null;
                try
                {
                    switch (step)
                    {
                        case UpdateStep.Start:
                        case UpdateStep.HealthGate:
                            if (newId != null && await TryInspectAsync(client, newId, ct).ConfigureAwait(false) is { } n && (n.State?.Running == true || n.State?.Restarting == true))
                            {
                                await client.Containers.StopContainerAsync(newId, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling((n.Config?.StopTimeout ?? TimeSpan.FromSeconds(10)).TotalSeconds) }, ct).ConfigureAwait(false);
                                detail = "replacement stopped";
                            }

                            break;
                        case UpdateStep.RenameNew:
                            if (newId != null && await TryInspectAsync(client, newId, ct).ConfigureAwait(false) is { } r && r.Name.TrimStart('/') == entry.Server)
                            {
                                await client.Containers.RenameContainerAsync(newId, new ContainerRenameParameters { NewName = entry.TempName }, ct).ConfigureAwait(false);
                                detail = "replacement renamed back to " + entry.TempName;
                            }

                            break;
                        case UpdateStep.RenameOld:
                            if (await TryInspectAsync(client, entry.OldContainerId, ct).ConfigureAwait(false) is { } o && o.Name.TrimStart('/') != entry.Server)
                            {
                                await client.Containers.RenameContainerAsync(entry.OldContainerId, new ContainerRenameParameters { NewName = entry.Server }, ct).ConfigureAwait(false);
                                detail = "old container renamed back to " + entry.Server;
                            }

                            break;
                        case UpdateStep.Stop:
                            if (entry.OldWasRunning && await TryInspectAsync(client, entry.OldContainerId, ct).ConfigureAwait(false) is { } old)
                            {
                                if (entry.StatusOf(UpdateStep.Stop) != JournalStepStatus.Completed && old.State?.Running == true)
                                {
                                    // Interrupted mid-stop: let the stop (and the world save) finish before starting again.
                                    await client.Containers.StopContainerAsync(old.ID, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling((old.Config?.StopTimeout ?? TimeSpan.FromSeconds(10)).TotalSeconds) }, ct).ConfigureAwait(false);
                                }

                                await client.Containers.StartContainerAsync(old.ID, new ContainerStartParameters(), ct).ConfigureAwait(false);
                                detail = "old container started again";
                            }

                            break;
                        case UpdateStep.Create:
                            if (newId != null)
                            {
                                await client.Containers.RemoveContainerAsync(newId, new ContainerRemoveParameters { RemoveVolumes = false, Force = true }, ct).ConfigureAwait(false);
                                detail = "replacement removed (volumes kept)";
                            }

                            break;
                    }

                    records.Add(new StepRecord { Step = step, StartedAt = startedAt, Duration = watch.Elapsed, Status = "Undone", Detail = detail });
                }
                catch (Exception ex)
                {
                    records.Add(new StepRecord { Step = step, StartedAt = startedAt, Duration = watch.Elapsed, Status = "UndoFailed", Detail = Describe(ex) });
                    UpdateLog.UndoFailed(_logger, entry.Server, step.ToString(), Describe(ex));
                    var marked = entry with { Steps = entry.Steps.Concat(new[] { new JournalStep { Step = step, Status = JournalStepStatus.Failed, At = DateTimeOffset.UtcNow, Detail = "undo failed: " + Describe(ex) } }).ToList() };
                    _journal.Write(marked);
                    return $"undoing {step} failed: {Describe(ex)}";
                }
            }

            return null;
        }

        private static async Task<ContainerInspectResponse?> TryInspectAsync(DockerClient client, string idOrName, CancellationToken cancellationToken)
        {
            try
            {
                return await client.Containers.InspectContainerAsync(idOrName, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerContainerNotFoundException)
            {
                return null;
            }
            catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return null;
            }
        }

        private ServerUpdateResult Result(JournalEntry entry, UpdateOutcome outcome, string containerId, IReadOnlyList<StepRecord> records, string? error) => new ServerUpdateResult
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

        private async Task<ServerUpdateResult> AppendHistoryAsync(JournalEntry entry, ServerUpdateResult result)
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

        private static void Report(IProgress<UpdateProgress>? progress, JournalEntry entry, UpdateStep? step, IReadOnlyList<UpdateStep> steps, string message)
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

        internal static string Describe(Exception ex) => ex switch
        {
            DockerApiException api => DockerErrors.MessageOf(api),
            ArkManagerException ark => ark.Message,
            OperationCanceledException => "cancelled",
            _ => ex.Message,
        };
    }

    /// <summary>The replacement container did not prove healthy.</summary>
    internal sealed class HealthGateFailedException : Exception
    {
        public HealthGateFailedException(string detail)
            : base("health gate failed: " + detail)
        {
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
