using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Images;
using ArkManager.Images.Servers;

namespace ArkManager.Images.Updates
{
    /// <summary>Which servers an image affects, and what an update will do with each (the -WhatIf answer).</summary>
    internal sealed class UpdatePlanner
    {
        private readonly ImageStore _images;
        private readonly ServerManager _servers;
        private readonly UpdateHistoryStore _history;
        private readonly QuarantineStore _quarantine;

        public UpdatePlanner(ImageStore images, ServerManager servers, UpdateHistoryStore history, QuarantineStore quarantine)
        {
            _images = images;
            _servers = servers;
            _history = history;
            _quarantine = quarantine;
        }

        /// <summary>The image ids a reference has had: local images carrying a tag or digest of its repository, and history.</summary>
        public async Task<ISet<string>> KnownImageIdsAsync(ImageReference reference, ImageInfo? current, CancellationToken cancellationToken)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            if (current != null)
            {
                ids.Add(current.Id);
            }

            foreach (var image in await _images.ListRepositoryAsync(reference, cancellationToken).ConfigureAwait(false))
            {
                ids.Add(image.Id);
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

        public async Task<IReadOnlyList<ContainerInfo>> GetContainersByImageAsync(ImageReference reference, ImageInfo? current, CancellationToken cancellationToken)
        {
            var ids = await KnownImageIdsAsync(reference, current, cancellationToken).ConfigureAwait(false);
            return await _servers.ListByImageAsync(reference, ids, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The servers of <paramref name="owner"/> (null: all) that run or ran the reference; <paramref name="newest"/> is its local image.</summary>
        public async Task<IReadOnlyList<AffectedServer>> GetAffectedServersAsync(ImageReference reference, ImageInfo? newest, string? owner, CancellationToken cancellationToken)
        {
            var containers = await GetContainersByImageAsync(reference, newest, cancellationToken).ConfigureAwait(false);
            var servers = await _servers.ListAsync(null, cancellationToken, owner).ConfigureAwait(false);
            var result = new List<AffectedServer>();
            foreach (var server in servers.Where(s => s.Problem is null && (containers.Any(c => c.Id == s.ContainerId) || IsServiceOf(s, reference))))
            {
                if (server.Kind == ServerKind.Service)
                {
                    result.Add(new AffectedServer
                    {
                        Kind = ServerKind.Service, Name = server.Name, ContainerId = server.ContainerId, State = server.State, Image = server.Image,
                        Digest = server.PinnedDigest, NewestImageId = newest?.Id, OnNewestImage = newest?.Digest != null && newest.Digest == server.PinnedDigest, Owner = server.Owner,
                    });
                    continue;
                }

                var digest = newest != null && newest.Id == server.ImageId
                    ? newest.Digest
                    : await _images.DigestOfAsync(server.ImageId, reference, cancellationToken).ConfigureAwait(false);
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

        /// <summary>
        /// One plan item per affected server. <paramref name="check"/> is the registry's answer (null: planning after the
        /// pull, against the local image); a failed check blocks the image unless the update runs offline.
        /// </summary>
        public async Task<IReadOnlyList<UpdatePlanItem>> PlanAsync(ImageReference reference, UpdateOptions options, ImageUpdateCheck? check, ImageInfo? local, CancellationToken cancellationToken)
        {
            var affected = await GetAffectedServersAsync(reference, local, options.Owner, cancellationToken).ConfigureAwait(false);
            var blocked = check != null && !options.Offline && UpdateJudge.CheckFailure(check) != null;
            var willPull = check != null && !blocked && !options.Offline && (check.UpdateAvailable || check.State == ImageUpdateState.NotPresentLocally || options.Force);
            var target = check?.UpdateAvailable == true && !options.Offline ? check.RemoteDigest : local?.Digest ?? check?.RemoteDigest;
            // A target that failed its health gate before is held back until another digest is offered (or Force).
            var targetId = check?.UpdateAvailable == true && !options.Offline ? null : local?.Id;
            var quarantine = UpdateJudge.QuarantineOf(_quarantine.Read(reference.ToString()), target, targetId);
            var items = new List<UpdatePlanItem>();
            foreach (var server in affected)
            {
                if (options.Servers != null && !options.Servers.Contains(server.Name, StringComparer.Ordinal))
                {
                    continue;
                }

                // A service pins a digest: it is current when it pins the target, whatever this engine has locally.
                var current = server.Kind == ServerKind.Service ? target != null && server.Digest == target : !willPull && server.OnNewestImage;
                var status = blocked ? UpdatePlanStatus.Blocked
                    : !options.Recreate ? UpdatePlanStatus.PullOnly
                    : current && !options.Force ? UpdatePlanStatus.AlreadyCurrent
                    : quarantine != null && !options.Force ? UpdatePlanStatus.Quarantined
                    : UpdatePlanStatus.Recreate;
                items.Add(new UpdatePlanItem
                {
                    Server = server.Name,
                    Image = reference.ToString(),
                    CurrentDigest = server.Digest,
                    TargetDigest = target,
                    Status = status,
                    Steps = status == UpdatePlanStatus.Recreate && server.Kind == ServerKind.Service ? new[] { UpdateStep.ServiceUpdate, UpdateStep.Rollout }
                        : status == UpdatePlanStatus.Recreate ? TransactionSteps.Planned(server.State == "running" || server.State == "restarting", options.BackupVolumes) : Array.Empty<UpdateStep>(),
                    Reason = status switch
                    {
                        UpdatePlanStatus.Blocked => "left as it is: the registry check failed (" + (check!.Error ?? check.State.ToString()) + ")",
                        UpdatePlanStatus.PullOnly => "recreate not requested (the image is only pulled)",
                        UpdatePlanStatus.AlreadyCurrent => "already runs the newest image",
                        UpdatePlanStatus.Quarantined => UpdateJudge.QuarantineReason(quarantine!),
                        _ when server.Kind == ServerKind.Service => "the engine will update the service to the target digest (stop-first, rolled back by the engine on failure)" +
                             (quarantine is null ? string.Empty : ", although " + UpdateJudge.QuarantineReason(quarantine, forced: true)),
                        _ => (willPull ? "will be recreated on the pulled image" : "will be recreated on the newest local image") +
                             (quarantine is null ? string.Empty : ", although " + UpdateJudge.QuarantineReason(quarantine, forced: true)),
                    },
                });
            }

            return items;
        }

        private static bool IsServiceOf(ServerInfo server, ImageReference reference) =>
            server.Kind == ServerKind.Service && ImageReference.TryParse(server.Image, out var own, out _) && own!.Equals(reference);
    }
}
