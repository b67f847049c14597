using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Images;
using ArkManager.Images.Internal;
using ArkManager.Images.Servers;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// An image update from check to history: check every image once (one HEAD), pull what needs it, plan, replace the
    /// affected servers in a rolling order, and judge the outcome (<see cref="UpdateJudge"/>). Also recreate and rollback
    /// of one server. Failures of an image or a server come back in the results; only a daemon that cannot be reached
    /// (or a cancellation) throws.
    /// </summary>
    internal sealed class UpdateCoordinator
    {
        private readonly ImageStore _images;
        private readonly ServerManager _servers;
        private readonly UpdateChecker _checker;
        private readonly UpdatePlanner _planner;
        private readonly ServerGate _gate;
        private readonly UpdateTransaction _transaction;
        private readonly UpdateHistoryStore _history;
        private readonly ServiceUpdate? _serviceUpdate;

        public UpdateCoordinator(ImageStore images, ServerManager servers, UpdateChecker checker, UpdatePlanner planner, ServerGate gate,
            UpdateTransaction transaction, UpdateHistoryStore history, ServiceUpdate? serviceUpdate = null)
        {
            _serviceUpdate = serviceUpdate;
            _images = images;
            _servers = servers;
            _checker = checker;
            _planner = planner;
            _gate = gate;
            _transaction = transaction;
            _history = history;
        }

        /// <summary>The plan of every image (one check each), as <see cref="UpdateManyAsync"/> would start it.</summary>
        public async Task<IReadOnlyList<UpdatePlanItem>> PlanManyAsync(IReadOnlyList<ImageReference> references, UpdateOptions options, CancellationToken cancellationToken,
            IReadOnlyDictionary<string, ImageUpdateCheck>? registryAnswers = null)
        {
            var checks = registryAnswers is null ? await _checker.CheckAllAsync(references.Distinct().ToList(), cancellationToken).ConfigureAwait(false) : null;
            var items = new List<UpdatePlanItem>();
            foreach (var reference in references.Distinct())
            {
                var local = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false);
                ImageUpdateCheck? check;
                if (checks is null)
                {
                    check = registryAnswers!.TryGetValue(reference.ToString(), out var answer) ? RegistryAnswer.AgainstLocal(answer, local, reference) : null;
                }
                else
                {
                    checks.TryGetValue(reference.ToString(), out check);
                }

                items.AddRange(await _planner.PlanAsync(reference, options, options.Offline ? null : check, local, cancellationToken).ConfigureAwait(false));
            }

            return items;
        }

        public async Task<ImageUpdateResult> UpdateImageAsync(ImageReference reference, UpdateOptions options, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            var batch = await UpdateManyAsync(new[] { reference }, options, progress, cancellationToken).ConfigureAwait(false);
            return batch.Images[0];
        }

        public async Task<BatchUpdateResult> UpdateManyAsync(IReadOnlyList<ImageReference> references, UpdateOptions options, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            if (options.MaxParallel < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "MaxParallel must be at least 1.");
            }

            await _gate.RecoverAllAsync(cancellationToken).ConfigureAwait(false);
            var phases = new List<ImagePhase>();
            foreach (var reference in references.Distinct())
            {
                phases.Add(await PrepareAsync(reference, options, progress, cancellationToken).ConfigureAwait(false));
            }

            var work = phases.SelectMany(p => p.Plan.Where(i => i.Status == UpdatePlanStatus.Recreate).Select(i => (Phase: p, Item: i))).ToList();
            var clusters = await ClusterOfAsync(work.Select(w => w.Item.Server), cancellationToken).ConfigureAwait(false);
            var windows = RollingUpdate.Windows(work, w => w.Item.Server, s => clusters.TryGetValue(s, out var c) ? c : null);
            var ran = await RollingUpdate.RunAsync(windows, options.MaxParallel, options.ContinueOnError,
                w => UpdateOneAsync(w.Item, w.Phase, options, progress, cancellationToken),
                w => UpdateJudge.NotStarted(w.Item, w.Phase, "not attempted: an earlier server failed (use ContinueOnError to go on)", UpdateOutcome.Skipped),
                cancellationToken).ConfigureAwait(false);
            var byServer = ran.ToDictionary(r => r.Item.Item.Server, r => r.Result, StringComparer.Ordinal);
            return UpdateJudge.Batch(phases.Select(p => UpdateJudge.Judge(p, byServer, options.Owner)).ToList());
        }

        /// <summary>Finishes or undoes every transaction a crash left on this engine (before a run changes anything).</summary>
        public Task RecoverAllAsync(CancellationToken cancellationToken) => _gate.RecoverAllAsync(cancellationToken);

        /// <summary>
        /// Check (or take <paramref name="registryCheck"/>, the registry's answer already got for another engine, and compare
        /// it with this engine's image), then pull when the registry is ahead (or asked with Force), then plan on the local image.
        /// </summary>
        public async Task<ImagePhase> PrepareAsync(ImageReference reference, UpdateOptions options, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken,
            ImageUpdateCheck? registryCheck = null)
        {
            var before = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false);
            ImageUpdateCheck? check = null;
            if (!options.Offline)
            {
                progress?.Report(new UpdateProgress { Phase = "Check", Message = $"Checking {reference} against its registry" });
                check = registryCheck is null
                    ? await _checker.CheckAsync(reference, cancellationToken).ConfigureAwait(false)
                    : RegistryAnswer.AgainstLocal(registryCheck, before, reference);
                if (UpdateJudge.CheckFailure(check) is { } failure)
                {
                    var blockedPlan = await _planner.PlanAsync(reference, options, check, before, cancellationToken).ConfigureAwait(false);
                    return new ImagePhase(reference, check, before, before, false, blockedPlan) { Error = failure.Message, ErrorId = failure.ErrorId };
                }
            }

            var pulled = false;
            var after = before;
            if (check != null && (check.UpdateAvailable || check.State == ImageUpdateState.NotPresentLocally || options.Force))
            {
                progress?.Report(new UpdateProgress { Phase = "Pull", Message = $"Pulling {reference}" });
                var pullProgress = progress is null ? null : new Forward<PullProgress>(p => progress.Report(new UpdateProgress { Phase = "Pull", Message = p.Status, Pull = p, Fraction = p.OverallFraction }));
                try
                {
                    after = await Telemetry.TracePullAsync(reference.ToString(), () => _images.PullAsync(reference, pullProgress, cancellationToken)).ConfigureAwait(false);
                    pulled = true;
                }
                catch (ImagePullException ex)
                {
                    var plan = await _planner.PlanAsync(reference, options with { Recreate = false }, null, before, cancellationToken).ConfigureAwait(false);
                    return new ImagePhase(reference, check, before, before, false, plan) { Error = ex.Message, ErrorId = ex.ErrorId };
                }
            }

            if (after is null)
            {
                var missing = new MissingImagesException(new[] { reference.ToString() }, $"Updating {reference}");
                return new ImagePhase(reference, check, null, null, false, Array.Empty<UpdatePlanItem>()) { Error = missing.Message, ErrorId = missing.ErrorId };
            }

            var final = await _planner.PlanAsync(reference, options, null, after, cancellationToken).ConfigureAwait(false);
            progress?.Report(new UpdateProgress { Phase = "Plan", Message = $"{reference}: {final.Count(i => i.Status == UpdatePlanStatus.Recreate)} server(s) to update" });
            return new ImagePhase(reference, check, before, after, pulled, final);
        }

        public async Task<ServerUpdateResult> UpdateOneAsync(UpdatePlanItem item, ImagePhase phase, UpdateOptions options, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            try
            {
                return await RecreateAsync(item.Server, phase.Reference, options.Recreation, "Update", progress, cancellationToken).ConfigureAwait(false);
            }
            catch (ArkManagerException ex) when (!(ex is DockerUnavailableException))
            {
                // The transaction could not even start (locked, vanished, recovery failed): nothing of it was changed.
                return UpdateJudge.NotStarted(item, phase, ex.Message);
            }
        }

        public async Task<IReadOnlyDictionary<string, string?>> ClusterOfAsync(IEnumerable<string> servers, CancellationToken cancellationToken)
        {
            var all = await _servers.ListAsync(null, cancellationToken).ConfigureAwait(false);
            var wanted = new HashSet<string>(servers, StringComparer.Ordinal);
            return all.Where(s => wanted.Contains(s.Name)).ToDictionary(s => s.Name, s => string.IsNullOrWhiteSpace(s.Cluster) ? null : s.Cluster, StringComparer.Ordinal);
        }

        /// <summary>Recreates a server on the newest local image of <paramref name="target"/> (never pulls).</summary>
        public Task<ServerUpdateResult> RecreateAsync(string name, ImageReference? target, RecreateOptions options, string kind, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken) =>
            _gate.RunExclusiveAsync(name, kind, options.LockTimeout, async () =>
            {
                var server = await RequireOwnedAsync(name, options.Owner, cancellationToken).ConfigureAwait(false);
                var reference = target ?? ImageReference.Parse(server.Image);
                if (server.Kind == ServerKind.Service && _serviceUpdate != null)
                {
                    return await _serviceUpdate.UpdateAsync(server, reference, options, kind, progress, cancellationToken).ConfigureAwait(false);
                }

                var image = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false)
                            ?? throw new MissingImagesException(new[] { reference.ToString() }, $"Recreating server '{name}'");
                if (image.Id == server.ImageId && !options.Force && reference.ToString() == server.Image)
                {
                    return new ServerUpdateResult { Server = name, Image = reference.ToString(), Outcome = UpdateOutcome.AlreadyCurrent, OldContainerId = server.ContainerId, ContainerId = server.ContainerId, OldImageId = server.ImageId, NewImageId = image.Id, NewDigest = image.Digest, OldDigest = image.Digest };
                }

                var oldDigest = await _images.DigestOfAsync(server.ImageId, reference, cancellationToken).ConfigureAwait(false);
                return await _transaction.RunAsync(new TransactionRequest
                {
                    Kind = kind,
                    Server = server,
                    ImageReference = reference.ToString(),
                    TargetConfigImage = reference.ToString(),
                    TargetImageId = image.Id,
                    TargetDigest = image.Digest,
                    OldDigest = oldDigest,
                    Options = options,
                }, progress, cancellationToken).ConfigureAwait(false);
            }, cancellationToken);

        /// <summary>Recreates a server on the image it ran before its last successful update.</summary>
        public Task<ServerUpdateResult> RollbackAsync(string name, RecreateOptions options, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken) =>
            _gate.RunExclusiveAsync(name, "Rollback", options.LockTimeout, async () =>
            {
                var server = await RequireOwnedAsync(name, options.Owner, cancellationToken).ConfigureAwait(false);
                if (server.Kind == ServerKind.Service && _serviceUpdate != null)
                {
                    return await _serviceUpdate.UndoAsync(server, options, progress, cancellationToken).ConfigureAwait(false);
                }

                var history = await _history.ReadAsync(new UpdateHistoryFilter { Server = name }, cancellationToken).ConfigureAwait(false);
                var last = LastUpdateTo(history, server.ImageId)
                           ?? throw new NoRollbackTargetException(name, "the history has no successful update that led to the image it runs now.");
                var reference = ImageReference.Parse(last.Image);
                var rollbackTag = reference.FamiliarRepository + ":" + ServerLabels.RollbackTagPrefix + name;
                var target = await _images.InspectByIdAsync(last.OldImageId, cancellationToken).ConfigureAwait(false)
                             ?? throw new NoRollbackTargetException(name, $"the previous image {last.OldImageId} is no longer on this host.");
                return await _transaction.RunAsync(new TransactionRequest
                {
                    Kind = "Rollback",
                    Server = server,
                    ImageReference = reference.ToString(),
                    TargetConfigImage = target.RepoTags.Contains(rollbackTag) ? rollbackTag : last.OldImageId,
                    TargetImageId = target.Id,
                    TargetDigest = last.OldDigest,
                    OldDigest = last.NewDigest,
                    Options = options,
                }, progress, cancellationToken).ConfigureAwait(false);
            }, cancellationToken);

        /// <summary>
        /// The image ids cleanup keeps for rollbacks: for each server, the image its last successful change (update,
        /// recreate or rollback) left, and the image <see cref="RollbackAsync"/> would return to from the image it runs now (rollbacks are never targets).
        /// </summary>
        public async Task<ISet<string>> RollbackTargetsAsync(CancellationToken cancellationToken)
        {
            var history = await _history.ReadAsync(null, cancellationToken).ConfigureAwait(false);
            var running = (await _servers.ListAsync(null, cancellationToken).ConfigureAwait(false))
                .GroupBy(s => s.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().ImageId, StringComparer.Ordinal);
            var targets = new HashSet<string>(StringComparer.Ordinal);
            foreach (var group in history.Where(r => r.Outcome == UpdateOutcome.Updated || r.Outcome == UpdateOutcome.Recovered || r.Outcome == UpdateOutcome.Reverted).GroupBy(r => r.Server))
            {
                // The image the last change left (after a rollback: the newer image, kept so it can be updated to again).
                targets.Add(group.Last().OldImageId);
                if (running.TryGetValue(group.Key, out var imageId) && LastUpdateTo(group, imageId) is UpdateHistoryRecord next)
                {
                    targets.Add(next.OldImageId);
                }
            }

            return targets;
        }

        /// <summary>The last successful update (not a rollback) that led to <paramref name="imageId"/>: what a rollback undoes.</summary>
        private static UpdateHistoryRecord? LastUpdateTo(IEnumerable<UpdateHistoryRecord> history, string imageId) =>
            history.LastOrDefault(r => TransactionRecords.IsForwardSuccess(r) && r.NewImageId == imageId && r.OldImageId != r.NewImageId);

        private async Task<ServerInfo> RequireOwnedAsync(string name, string? owner, CancellationToken cancellationToken)
        {
            var server = await _servers.GetRequiredAsync(name, cancellationToken).ConfigureAwait(false);
            if (owner != null && !string.Equals(server.Owner, owner, StringComparison.Ordinal))
            {
                throw new ServerNotFoundException(name);
            }

            return server;
        }
    }
}
