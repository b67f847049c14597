using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;

namespace ArkManager.Images.Images
{
    /// <summary>
    /// Removes older local images of a repository, keeping the newest N, the one the reference points to, every image a
    /// container uses and every rollback target. Only this repository's tags and digests are removed.
    /// </summary>
    internal sealed class ImageCleanup
    {
        private readonly IImageOperations _images;
        private readonly IContainerOperations _containers;
        private readonly ImageStore _store;

        public ImageCleanup(IImageOperations images, IContainerOperations containers, ImageStore store)
        {
            _images = images;
            _containers = containers;
            _store = store;
        }

        /// <param name="reference">The repository (its tag says which image is current).</param>
        /// <param name="keep">How many of the newest images to keep besides the protected ones.</param>
        /// <param name="rollbackTargets">Image ids that are rollback targets (from the update history).</param>
        /// <param name="cancellationToken">Cancels the run.</param>
        /// <param name="whatIf">True: decide the same way but remove nothing (the result lists what would be removed).</param>
        public async Task<ImageCleanupResult> RemoveOldAsync(ImageReference reference, int keep, ISet<string> rollbackTargets, CancellationToken cancellationToken, bool whatIf = false)
        {
            if (keep < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(keep), "keep cannot be negative.");
            }

            var current = await _store.InspectAsync(reference, cancellationToken).ConfigureAwait(false);
            var images = (await _store.ListRepositoryAsync(reference, cancellationToken).ConfigureAwait(false)).OrderByDescending(i => i.Created).ToList();
            var containers = await _containers.ListAsync(null, cancellationToken).ConfigureAwait(false);
            var used = new HashSet<string>(containers.Select(c => c.ImageId), StringComparer.Ordinal);
            var removed = new List<ImageCleanupEntry>();
            var kept = new List<ImageCleanupEntry>();
            var newerKept = 0;
            foreach (var image in images)
            {
                var entry = new ImageCleanupEntry { Id = image.Id, Tags = image.RepoTags.ToList(), Created = image.Created };
                string? keepReason = null;
                if (current != null && image.Id == current.Id)
                {
                    keepReason = $"{reference} points to it";
                    newerKept++;
                }
                else if (used.Contains(image.Id))
                {
                    keepReason = "a container uses it: " + string.Join(", ", containers.Where(c => c.ImageId == image.Id).Select(c => c.Name));
                }
                else if (rollbackTargets.Contains(image.Id) || image.RepoTags.Any(t => t.Contains(":" + ServerLabels.RollbackTagPrefix)))
                {
                    keepReason = "it is a rollback target (see Get-ArkUpdateHistory)";
                }
                else if (newerKept < keep)
                {
                    keepReason = $"among the newest {keep}";
                    newerKept++;
                }

                if (keepReason != null)
                {
                    kept.Add(entry with { Reason = keepReason });
                    continue;
                }

                if (whatIf)
                {
                    removed.Add(entry with { Reason = "older than the newest " + keep + ", unused, not a rollback target" });
                    continue;
                }

                try
                {
                    // Remove only this repository's references: an image also tagged elsewhere stays for that repository.
                    var refs = image.RepoTags.Where(reference.IsSameRepository).Concat(image.RepoDigests.Where(reference.IsSameRepository)).ToList();
                    if (refs.Count == 0)
                    {
                        refs.Add(image.Id);
                    }

                    foreach (var r in refs)
                    {
                        await _images.RemoveAsync(r, cancellationToken).ConfigureAwait(false);
                    }

                    removed.Add(entry with { Reason = "older than the newest " + keep + ", unused, not a rollback target" });
                }
                catch (DockerOperationException ex)
                {
                    kept.Add(entry with { Reason = "the daemon refused: " + ex.DaemonMessage });
                }
            }

            return new ImageCleanupResult { Repository = reference.FamiliarRepository, Removed = removed, Kept = kept, IsPlan = whatIf };
        }
    }
}
