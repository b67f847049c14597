using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using ArkManager.Images.Images;
using ArkManager.Images.Servers;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Updates
{
    /// <summary>Check → pull → plan → one transaction per server → history; plus recreate, rollback and image cleanup.</summary>
    internal sealed class UpdateCoordinator
    {
        private readonly DockerConnection _connection;
        private readonly ImageStore _images;
        private readonly ServerManager _servers;
        private readonly UpdateChecker _checker;
        private readonly UpdateTransaction _transaction;
        private readonly UpdateHistoryStore _history;
        private readonly UpdateJournal _journal;
        private readonly ILogger _logger;

        public UpdateCoordinator(DockerConnection connection, ImageStore images, ServerManager servers, UpdateChecker checker,
            UpdateTransaction transaction, UpdateHistoryStore history, UpdateJournal journal, ILogger logger)
        {
            _connection = connection;
            _images = images;
            _servers = servers;
            _checker = checker;
            _transaction = transaction;
            _history = history;
            _journal = journal;
            _logger = logger;
        }

        /// <summary>Finishes or undoes unfinished transactions whose lock is free (a held lock means a live run).</summary>
        public async Task<IReadOnlyList<ServerUpdateResult>> RecoverAllAsync(CancellationToken cancellationToken)
        {
            var results = new List<ServerUpdateResult>();
            foreach (var server in _journal.ServersWithJournals())
            {
                var held = Internal.FileLock.TryAcquire(_transaction.LockPath(server), "recovery of " + server);
                if (held is null)
                {
                    continue;
                }

                using (held)
                {
                    var recovered = await _transaction.RecoverAsync(server, cancellationToken).ConfigureAwait(false);
                    if (recovered != null)
                    {
                        results.Add(recovered);
                    }
                }
            }

            return results;
        }

        /// <summary>Recovers one server's unfinished transaction, if any, under its lock.</summary>
        public async Task RecoverAsync(string server, TimeSpan lockTimeout, CancellationToken cancellationToken)
        {
            if (_journal.Read(server) is null)
            {
                return;
            }

            using (await _transaction.LockAsync(server, "recovery of", lockTimeout, cancellationToken).ConfigureAwait(false))
            {
                await _transaction.RecoverAsync(server, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>The image ids a reference has had: local images carrying a tag or digest of its repository, and history.</summary>
        public async Task<ISet<string>> KnownImageIdsAsync(ImageReference reference, CancellationToken cancellationToken)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var current = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false);
            if (current != null)
            {
                ids.Add(current.Id);
            }

            foreach (var image in await ListRepositoryImagesAsync(reference, cancellationToken).ConfigureAwait(false))
            {
                ids.Add(image.ID);
            }

            foreach (var record in await _history.ReadAsync(new UpdateHistoryFilter { Image = reference.ToString() }, cancellationToken).ConfigureAwait(false))
            {
                if (!string.IsNullOrEmpty(record.OldImageId))
                {
                    ids.Add(record.OldImageId);
                }

                if (!string.IsNullOrEmpty(record.NewImageId))
                {
                    ids.Add(record.NewImageId);
                }
            }

            return ids;
        }

        public async Task<IReadOnlyList<ContainerInfo>> GetContainersByImageAsync(ImageReference reference, CancellationToken cancellationToken)
        {
            var ids = await KnownImageIdsAsync(reference, cancellationToken).ConfigureAwait(false);
            return await _servers.ListByImageAsync(reference, ids, cancellationToken).ConfigureAwait(false);
        }

        public async Task<IReadOnlyList<AffectedServer>> GetAffectedServersAsync(ImageReference reference, string? owner, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var newest = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false);
            var containers = await GetContainersByImageAsync(reference, cancellationToken).ConfigureAwait(false);
            var servers = await _servers.ListAsync(null, cancellationToken, owner).ConfigureAwait(false);
            var result = new List<AffectedServer>();
            foreach (var server in servers)
            {
                if (!containers.Any(c => c.Id == server.ContainerId))
                {
                    continue;
                }

                string? digest = null;
                try
                {
                    var image = await client.Images.InspectImageAsync(server.ImageId, cancellationToken).ConfigureAwait(false);
                    digest = image.RepoDigests?.Where(reference.IsSameRepository).Select(ImageReference.DigestOf).FirstOrDefault();
                }
                catch (DockerApiException)
                {
                }

                result.Add(new AffectedServer
                {
                    Name = server.Name,
                    ContainerId = server.ContainerId,
                    State = server.State,
                    Image = server.Image,
                    ImageId = server.ImageId,
                    Digest = digest,
                    NewestImageId = newest?.Id,
                    OnNewestImage = newest != null && newest.Id == server.ImageId,
                    Owner = server.Owner,
                });
            }

            return result;
        }

        public async Task<IReadOnlyList<UpdatePlanItem>> PlanAsync(ImageReference reference, UpdateOptions options, ImageUpdateCheck? check, CancellationToken cancellationToken)
        {
            var affected = await GetAffectedServersAsync(reference, options.Owner, cancellationToken).ConfigureAwait(false);
            var local = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false);
            var target = check?.UpdateAvailable == true ? check.RemoteDigest : local?.Digest ?? check?.RemoteDigest;
            var willPull = check != null && (check.UpdateAvailable || check.State == ImageUpdateState.NotPresentLocally || options.Force) &&
                           check.State != ImageUpdateState.RegistryUnreachable && check.State != ImageUpdateState.AuthenticationFailed;
            var items = new List<UpdatePlanItem>();
            foreach (var server in affected)
            {
                if (options.Servers != null && !options.Servers.Contains(server.Name, StringComparer.Ordinal))
                {
                    continue;
                }

                var current = !willPull && server.OnNewestImage;
                var include = options.Recreate && (!current || options.Force);
                items.Add(new UpdatePlanItem
                {
                    Server = server.Name,
                    Image = reference.ToString(),
                    CurrentDigest = server.Digest,
                    TargetDigest = target,
                    Steps = include ? UpdateTransaction.PlannedSteps(server.State == "running" || server.State == "restarting", options.BackupVolumes) : Array.Empty<UpdateStep>(),
                    Reason = !options.Recreate ? "recreate not requested (the image is only pulled)"
                        : include ? (willPull ? "will be recreated on the pulled image" : "will be recreated on the newest local image")
                        : "already runs the newest image",
                });
            }

            return items;
        }

        public async Task<ImageUpdateResult> UpdateImageAsync(ImageReference reference, UpdateOptions options, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            var batch = await UpdateManyAsync(new[] { reference }, options, progress, cancellationToken).ConfigureAwait(false);
            return batch.Images[0];
        }

        /// <summary>
        /// Checks and pulls every image once, then replaces the affected servers in a rolling order: at most
        /// <see cref="UpdateOptions.MaxParallel"/> windows at a time, a window being one server or all servers of one
        /// cluster (label io.arkmanager.cluster) one after another; the next window starts only after the previous
        /// server passed its health gate. The first failure stops what has not started, unless ContinueOnError.
        /// </summary>
        public async Task<BatchUpdateResult> UpdateManyAsync(IReadOnlyList<ImageReference> references, UpdateOptions options, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            if (options.MaxParallel < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "MaxParallel must be at least 1.");
            }

            await RecoverAllAsync(cancellationToken).ConfigureAwait(false);
            var phases = new List<ImagePhase>();
            foreach (var reference in references.Distinct())
            {
                phases.Add(await PrepareAsync(reference, options, progress, cancellationToken).ConfigureAwait(false));
            }

            // Windows: a cluster's servers go together, one after another; other servers are a window each.
            var work = phases.SelectMany(p => p.Plan.Where(i => i.Steps.Count > 0).Select(i => (Phase: p, Item: i))).ToList();
            var clusters = await ClusterOfAsync(work.Select(w => w.Item.Server), cancellationToken).ConfigureAwait(false);
            var windows = work
                .GroupBy(w => clusters.TryGetValue(w.Item.Server, out var c) && c != null ? "cluster:" + c : "server:" + w.Item.Server)
                .Select(g => g.ToList())
                .ToList();

            var results = new Dictionary<string, ServerUpdateResult>(StringComparer.Ordinal);
            var stop = false;
            var gate = new SemaphoreSlim(options.MaxParallel, options.MaxParallel);
            var running = new List<Task>();
            foreach (var window in windows)
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (Volatile.Read(ref stop))
                {
                    gate.Release();
                    foreach (var w in window)
                    {
                        lock (results)
                        {
                            results[w.Item.Server] = Skipped(w.Item, w.Phase, "not attempted: an earlier server failed (use ContinueOnError to go on)");
                        }
                    }

                    continue;
                }

                running.Add(Task.Run(async () =>
                {
                    try
                    {
                        foreach (var (phase, item) in window)
                        {
                            if (Volatile.Read(ref stop))
                            {
                                lock (results)
                                {
                                    results[item.Server] = Skipped(item, phase, "not attempted: an earlier server failed (use ContinueOnError to go on)");
                                }

                                continue;
                            }

                            var result = await UpdateOneAsync(item, phase, options, progress, cancellationToken).ConfigureAwait(false);
                            lock (results)
                            {
                                results[item.Server] = result;
                            }

                            if ((result.Outcome == UpdateOutcome.RolledBack || result.Outcome == UpdateOutcome.Failed) && !options.ContinueOnError)
                            {
                                Volatile.Write(ref stop, true);
                            }
                        }
                    }
                    finally
                    {
                        gate.Release();
                    }
                }, CancellationToken.None));
            }

            await Task.WhenAll(running).ConfigureAwait(false);

            var imageResults = new List<ImageUpdateResult>();
            foreach (var phase in phases)
            {
                var serverResults = phase.Plan.Select(i => i.Steps.Count == 0
                        ? new ServerUpdateResult { Server = i.Server, Image = i.Image, Outcome = i.Reason.StartsWith("already", StringComparison.Ordinal) ? UpdateOutcome.AlreadyCurrent : UpdateOutcome.Skipped, Error = i.Reason.StartsWith("already", StringComparison.Ordinal) ? null : i.Reason, NewDigest = phase.After.Digest, OldDigest = i.CurrentDigest, NewImageId = phase.After.Id }
                        : results[i.Server])
                    .ToList();
                var ok = serverResults.All(r => r.Outcome != UpdateOutcome.RolledBack && r.Outcome != UpdateOutcome.Failed);
                imageResults.Add(new ImageUpdateResult
                {
                    Image = phase.Reference.ToString(),
                    Check = phase.Check,
                    Pulled = phase.Pulled,
                    OldImageId = phase.Before?.Id,
                    NewImageId = phase.After.Id,
                    Servers = serverResults,
                    Succeeded = ok,
                    Summary = $"{phase.Reference}: {(phase.Pulled ? "pulled" : "not pulled")}; " +
                              (serverResults.Count == 0 ? "no server uses it" : string.Join(", ", serverResults.Select(r => $"{r.Server} {r.Outcome}"))),
                });
            }

            var all = imageResults.SelectMany(i => i.Servers).ToList();
            return new BatchUpdateResult
            {
                Images = imageResults,
                Servers = all,
                Succeeded = imageResults.All(i => i.Succeeded),
                Summary = string.Join("; ", imageResults.Select(i => i.Summary)),
            };
        }

        private async Task<ImagePhase> PrepareAsync(ImageReference reference, UpdateOptions options, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            progress?.Report(new UpdateProgress { Phase = "Check", Message = $"Checking {reference} against its registry" });
            var check = await _checker.CheckAsync(reference, cancellationToken).ConfigureAwait(false);
            var before = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false);
            var pulled = false;
            var needsPull = check.UpdateAvailable || check.State == ImageUpdateState.NotPresentLocally || options.Force;
            if (needsPull && check.State != ImageUpdateState.RegistryUnreachable && check.State != ImageUpdateState.AuthenticationFailed)
            {
                progress?.Report(new UpdateProgress { Phase = "Pull", Message = $"Pulling {reference}" });
                var pullProgress = progress is null ? null : new Forward(p => progress.Report(new UpdateProgress { Phase = "Pull", Message = p.Status, Pull = p, Fraction = p.OverallFraction }));
                await _images.PullAsync(reference, pullProgress, cancellationToken).ConfigureAwait(false);
                pulled = true;
            }
            else if (before is null)
            {
                throw new MissingImagesException(new[] { reference.ToString() }, $"Updating {reference} ({check.Error ?? check.State.ToString()})");
            }

            var after = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false)
                        ?? throw new MissingImagesException(new[] { reference.ToString() }, $"Updating {reference}");
            var plan = await PlanAsync(reference, options, null, cancellationToken).ConfigureAwait(false);
            progress?.Report(new UpdateProgress { Phase = "Plan", Message = $"{reference}: {plan.Count(i => i.Steps.Count > 0)} server(s) to update" });
            return new ImagePhase(reference, check, before, after, pulled, plan);
        }

        private async Task<ServerUpdateResult> UpdateOneAsync(UpdatePlanItem item, ImagePhase phase, UpdateOptions options, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            var recreate = new RecreateOptions
            {
                BackupVolumes = options.BackupVolumes,
                BackupDirectory = options.BackupDirectory,
                HealthTimeout = options.HealthTimeout,
                StableFor = options.StableFor,
                LockTimeout = options.LockTimeout,
                Owner = options.Owner,
                Force = options.Force,
                SafeStop = options.SafeStop,
            };
            try
            {
                return await RecreateAsync(item.Server, phase.Reference, recreate, "Update", progress, cancellationToken).ConfigureAwait(false);
            }
            catch (ArkManagerException ex) when (!(ex is DockerUnavailableException))
            {
                // A server that could not even start its transaction (locked, vanished, a container in the way):
                // nothing of it was changed; report it and let the batch decide whether to go on.
                return new ServerUpdateResult
                {
                    Server = item.Server,
                    Image = item.Image,
                    Outcome = UpdateOutcome.Failed,
                    Error = ex.Message,
                    OldDigest = item.CurrentDigest,
                    NewDigest = phase.After.Digest,
                    NewImageId = phase.After.Id,
                };
            }
        }

        private static ServerUpdateResult Skipped(UpdatePlanItem item, ImagePhase phase, string why) => new ServerUpdateResult
        {
            Server = item.Server,
            Image = item.Image,
            Outcome = UpdateOutcome.Skipped,
            Error = why,
            OldDigest = item.CurrentDigest,
            NewDigest = phase.After.Digest,
            NewImageId = phase.After.Id,
        };

        private async Task<IReadOnlyDictionary<string, string?>> ClusterOfAsync(IEnumerable<string> servers, CancellationToken cancellationToken)
        {
            var map = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var name in servers.Distinct())
            {
                var server = await _servers.FindAsync(name, cancellationToken).ConfigureAwait(false);
                map[name] = server != null && server.Labels.TryGetValue(ServerLabels.Cluster, out var cluster) && !string.IsNullOrWhiteSpace(cluster) ? cluster : null;
            }

            return map;
        }

        private sealed record ImagePhase(ImageReference Reference, ImageUpdateCheck Check, ImageInfo? Before, ImageInfo After, bool Pulled, IReadOnlyList<UpdatePlanItem> Plan);

        /// <summary>Recreates a server on the newest local image of <paramref name="target"/> (never pulls).</summary>
        public async Task<ServerUpdateResult> RecreateAsync(string name, ImageReference? target, RecreateOptions options, string kind, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            using (await _transaction.LockAsync(name, kind, options.LockTimeout, cancellationToken).ConfigureAwait(false))
            {
                await _transaction.RecoverAsync(name, cancellationToken).ConfigureAwait(false);
                var server = await _servers.GetRequiredAsync(name, cancellationToken).ConfigureAwait(false);
                if (options.Owner != null && !string.Equals(server.Owner, options.Owner, StringComparison.Ordinal))
                {
                    throw new ServerNotFoundException(name);
                }

                var reference = target ?? ImageReference.Parse(server.Image);
                var image = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false)
                            ?? throw new MissingImagesException(new[] { reference.ToString() }, $"Recreating server '{name}'");
                if (image.Id == server.ImageId && !options.Force && reference.ToString() == server.Image)
                {
                    return new ServerUpdateResult { Server = name, Image = reference.ToString(), Outcome = UpdateOutcome.AlreadyCurrent, OldContainerId = server.ContainerId, ContainerId = server.ContainerId, OldImageId = server.ImageId, NewImageId = image.Id, NewDigest = image.Digest, OldDigest = image.Digest };
                }

                var oldDigest = await DigestOfAsync(server.ImageId, reference, cancellationToken).ConfigureAwait(false);
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
            }
        }

        public async Task<ServerUpdateResult> RollbackAsync(string name, RecreateOptions options, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            using (await _transaction.LockAsync(name, "Rollback", options.LockTimeout, cancellationToken).ConfigureAwait(false))
            {
                await _transaction.RecoverAsync(name, cancellationToken).ConfigureAwait(false);
                var server = await _servers.GetRequiredAsync(name, cancellationToken).ConfigureAwait(false);
                if (options.Owner != null && !string.Equals(server.Owner, options.Owner, StringComparison.Ordinal))
                {
                    throw new ServerNotFoundException(name);
                }

                var history = await _history.ReadAsync(new UpdateHistoryFilter { Server = name }, cancellationToken).ConfigureAwait(false);
                var last = history.LastOrDefault(r => (r.Outcome == UpdateOutcome.Updated || r.Outcome == UpdateOutcome.Recovered) && r.NewImageId == server.ImageId && r.OldImageId != r.NewImageId);
                if (last is null)
                {
                    throw new NoRollbackTargetException(name, "the history has no successful update that led to the image it runs now.");
                }

                var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
                ImageInspectResponse target;
                try
                {
                    target = await client.Images.InspectImageAsync(last.OldImageId, cancellationToken).ConfigureAwait(false);
                }
                catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    throw new NoRollbackTargetException(name, $"the previous image {last.OldImageId} is no longer on this host.");
                }

                var reference = ImageReference.Parse(last.Image);
                var rollbackTag = reference.FamiliarRepository + ":" + UpdateTransaction.RollbackTagPrefix + name;
                var configImage = target.RepoTags != null && target.RepoTags.Contains(rollbackTag) ? rollbackTag : last.OldImageId;
                return await _transaction.RunAsync(new TransactionRequest
                {
                    Kind = "Rollback",
                    Server = server,
                    ImageReference = reference.ToString(),
                    TargetConfigImage = configImage,
                    TargetImageId = target.ID,
                    TargetDigest = last.OldDigest,
                    OldDigest = last.NewDigest,
                    Options = options,
                }, progress, cancellationToken).ConfigureAwait(false);
            }
        }

        public async Task<ImageCleanupResult> RemoveOldImagesAsync(ImageReference reference, int keep, CancellationToken cancellationToken)
        {
            if (keep < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(keep), "keep cannot be negative.");
            }

            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var current = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false);
            var images = (await ListRepositoryImagesAsync(reference, cancellationToken).ConfigureAwait(false)).OrderByDescending(i => i.Created).ToList();
            var containers = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, cancellationToken).ConfigureAwait(false);
            var used = new HashSet<string>(containers.Select(c => c.ImageID), StringComparer.Ordinal);
            var history = await _history.ReadAsync(null, cancellationToken).ConfigureAwait(false);
            var rollbackTargets = new HashSet<string>(history
                .Where(r => r.Outcome == UpdateOutcome.Updated || r.Outcome == UpdateOutcome.Recovered)
                .GroupBy(r => r.Server)
                .Select(g => g.Last().OldImageId), StringComparer.Ordinal);
            var removed = new List<ImageCleanupEntry>();
            var kept = new List<ImageCleanupEntry>();
            var newerKept = 0;
            foreach (var image in images)
            {
                var tags = (image.RepoTags ?? new List<string>()).Where(t => t != "<none>:<none>").ToList();
                var entry = new ImageCleanupEntry { Id = image.ID, Tags = tags, Created = new DateTimeOffset(DateTime.SpecifyKind(image.Created, DateTimeKind.Utc)) };
                string? keepReason = null;
                if (current != null && image.ID == current.Id)
                {
                    keepReason = $"{reference} points to it";
                }
                else if (used.Contains(image.ID))
                {
                    keepReason = "a container uses it: " + string.Join(", ", containers.Where(c => c.ImageID == image.ID).Select(c => c.Names.FirstOrDefault()?.TrimStart('/')));
                }
                else if (rollbackTargets.Contains(image.ID) || tags.Any(t => t.Contains(":" + UpdateTransaction.RollbackTagPrefix)))
                {
                    keepReason = "it is a rollback target (see Get-ArkUpdateHistory)";
                }
                else if (newerKept < keep)
                {
                    keepReason = $"among the newest {keep}";
                }

                if (current != null && image.ID == current.Id)
                {
                    newerKept++;
                }
                else if (keepReason != null && keepReason.StartsWith("among", StringComparison.Ordinal))
                {
                    newerKept++;
                }

                if (keepReason != null)
                {
                    kept.Add(entry with { Reason = keepReason });
                    continue;
                }

                try
                {
                    // Remove only this repository's references: an image also tagged elsewhere stays for that repository.
                    var refs = tags.Where(reference.IsSameRepository).Concat((image.RepoDigests ?? new List<string>()).Where(reference.IsSameRepository)).ToList();
                    if (refs.Count == 0)
                    {
                        refs.Add(image.ID);
                    }

                    foreach (var r in refs)
                    {
                        try
                        {
                            await client.Images.DeleteImageAsync(r, new ImageDeleteParameters { Force = false, NoPrune = false }, cancellationToken).ConfigureAwait(false);
                        }
                        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
                        {
                            // Already gone with the previous reference.
                        }
                    }

                    removed.Add(entry with { Reason = "older than the newest " + keep + ", unused, not a rollback target" });
                }
                catch (DockerApiException ex)
                {
                    kept.Add(entry with { Reason = "the daemon refused: " + DockerErrors.MessageOf(ex) });
                }
            }

            return new ImageCleanupResult { Repository = reference.FamiliarRepository, Removed = removed, Kept = kept };
        }

        private async Task<IReadOnlyList<ImagesListResponse>> ListRepositoryImagesAsync(ImageReference reference, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var all = await DockerErrors.Call(_connection.Endpoint, "Listing images", reference.ToString(),
                () => client.Images.ListImagesAsync(new ImagesListParameters { All = false }, cancellationToken)).ConfigureAwait(false);
            return all.Where(i => (i.RepoTags ?? new List<string>()).Any(reference.IsSameRepository) ||
                                  (i.RepoDigests ?? new List<string>()).Any(reference.IsSameRepository)).ToList();
        }

        private async Task<string?> DigestOfAsync(string imageId, ImageReference reference, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var image = await client.Images.InspectImageAsync(imageId, cancellationToken).ConfigureAwait(false);
                return image.RepoDigests?.Where(reference.IsSameRepository).Select(ImageReference.DigestOf).FirstOrDefault();
            }
            catch (DockerApiException)
            {
                return null;
            }
        }

        private sealed class Forward : IProgress<PullProgress>
        {
            private readonly Action<PullProgress> _action;

            public Forward(Action<PullProgress> action) => _action = action;

            public void Report(PullProgress value) => _action(value);
        }
    }
}
