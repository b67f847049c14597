using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images
{
    /// <summary>Updates, cleanup and history over several hosts.</summary>
    public sealed partial class ArkFleetManager
    {
        /// <inheritdoc />
        public async Task<IReadOnlyList<UpdatePlanItem>> PlanUpdateAsync(string reference, UpdateOptions? options = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var (items, errors) = await _updates.PlanManyAsync(new[] { ImageReference.Parse(reference) }, options ?? new UpdateOptions(), cancellationToken).ConfigureAwait(false);
            return new HostResultList<UpdatePlanItem>(items, errors);
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<UpdatePlanItem>> PlanAllAsync(UpdateOptions? options = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var (items, errors) = await _updates.PlanManyAsync(RequiredReferences(), options ?? new UpdateOptions(), cancellationToken).ConfigureAwait(false);
            return new HostResultList<UpdatePlanItem>(items, errors);
        }

        /// <inheritdoc />
        /// <remarks>
        /// One check of the image, a pull on each host that is behind, then the affected servers of every host in one rolling
        /// run. The result is the image's result on the first host when only one is configured; otherwise a result that
        /// gathers every host's servers (<see cref="ImageUpdateResult.Host"/> null) and fails when any host failed.
        /// </remarks>
        public async Task<ImageUpdateResult> UpdateImageAsync(string reference, UpdateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var parsed = ImageReference.Parse(reference);
            var batch = await UpdateManyAsync(new[] { parsed }, "UpdateImage", parsed.ToString(), options, progress, cancellationToken).ConfigureAwait(false);
            if (batch.Images.Count == 1)
            {
                return batch.Images[0];
            }

            var failed = batch.Images.FirstOrDefault(i => !i.Succeeded);
            return new ImageUpdateResult
            {
                Image = parsed.ToString(),
                Check = batch.Images.Select(i => i.Check).FirstOrDefault(c => c != null),
                Pulled = batch.Images.Any(i => i.Pulled),
                Servers = batch.Images.SelectMany(i => i.Servers).ToList(),
                Succeeded = batch.Succeeded,
                Summary = string.Join("; ", batch.Images.Select(i => i.Summary)),
                Error = failed is null ? null : failed.Host + ": " + (failed.Error ?? failed.FirstFailure?.Error),
                ErrorId = failed?.ErrorId,
            };
        }

        /// <inheritdoc />
        /// <remarks><see cref="BatchUpdateResult.Images"/> holds one result per image and host (<see cref="ImageUpdateResult.Host"/>).</remarks>
        public Task<BatchUpdateResult> UpdateAllImagesAsync(UpdateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return UpdateManyAsync(RequiredReferences(), "UpdateAllImages", string.Join(",", Options.RequiredImages), options, progress, cancellationToken);
        }

        /// <inheritdoc />
        /// <remarks>On every host; <see cref="ImageCleanupEntry.Host"/> says where. A host that cannot be reached fails the call after the others are done.</remarks>
        public Task<ImageCleanupResult> RemoveOldImagesAsync(string reference, int keep = 1, CancellationToken cancellationToken = default) =>
            CleanupAsync(reference, (m, r) => m.RemoveOldImagesAsync(r, keep, cancellationToken), cancellationToken);

        /// <inheritdoc />
        public Task<ImageCleanupResult> PlanRemoveOldImagesAsync(string reference, int keep = 1, CancellationToken cancellationToken = default) =>
            CleanupAsync(reference, (m, r) => m.PlanRemoveOldImagesAsync(r, keep, cancellationToken), cancellationToken);

        /// <inheritdoc />
        /// <remarks>
        /// Every host's history (kept under <c>hosts/&lt;name&gt;</c> of the state directory), each record with its
        /// <see cref="UpdateHistoryRecord.Host"/>, oldest first. <see cref="UpdateHistoryFilter.Server"/> may be <c>host/name</c>.
        /// </remarks>
        public async Task<IReadOnlyList<UpdateHistoryRecord>> GetUpdateHistoryAsync(UpdateHistoryFilter? filter = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            string? onlyHost = null;
            if (filter?.Server is string server && server.IndexOf('/') is int slash && slash >= 0)
            {
                onlyHost = HostByName(server.Substring(0, slash)).Name;
                filter = filter with { Server = server.Substring(slash + 1) };
            }

            var perHost = await Task.WhenAll(_hosts.Where(h => onlyHost is null || h.Name == onlyHost).Select(async h =>
                (await h.Manager.GetUpdateHistoryAsync(filter is null ? null : filter with { Last = null }, cancellationToken).ConfigureAwait(false)).Select(r => r with { Host = h.Name }))).ConfigureAwait(false);
            var all = perHost.SelectMany(r => r).OrderBy(r => r.StartedAt).ToList();
            return filter?.Last is int last && last >= 0 && all.Count > last ? all.Skip(all.Count - last).ToList() : all;
        }

        private async Task<BatchUpdateResult> UpdateManyAsync(IReadOnlyList<ImageReference> references, string operation, string target, UpdateOptions? options,
            IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            var run = options ?? new UpdateOptions();
            return await _hosts[0].Manager.RunNotifiedAsync(operation, target, references, async () =>
            {
                var result = await _updates.UpdateManyAsync(references, run, progress, cancellationToken).ConfigureAwait(false);
                return (result, result.Images);
            }, r => r.Summary).ConfigureAwait(false);
        }

        private async Task<ImageCleanupResult> CleanupAsync(string reference, Func<ArkImageManager, string, Task<ImageCleanupResult>> body, CancellationToken cancellationToken)
        {
            ThrowIfDisposed();
            var parsed = ImageReference.Parse(reference);
            var results = await AcrossAsync<(string Host, ImageCleanupResult Result)>(async (host, m) =>
            {
                var r = await body(m, parsed.ToString()).ConfigureAwait(false);
                return new[] { (Host: host, Result: r) };
            }, cancellationToken).ConfigureAwait(false);
            if (results.HostErrors.Count > 0)
            {
                throw new DockerUnavailableException(string.Join(", ", results.HostErrors.Select(e => e.Host)),
                    "these hosts could not be reached" + (results.Count > 0 ? $" (the others were done: {string.Join(", ", results.Select(r => r.Host))})" : string.Empty) + ": " + string.Join("; ", results.HostErrors.Select(e => e.Error)));
            }

            return new ImageCleanupResult
            {
                Repository = results.Count > 0 ? results[0].Result.Repository : parsed.FamiliarRepository,
                Removed = results.SelectMany(r => r.Result.Removed.Select(e => e with { Host = r.Host })).ToList(),
                Kept = results.SelectMany(r => r.Result.Kept.Select(e => e with { Host = r.Host })).ToList(),
                IsPlan = results.Count > 0 && results[0].Result.IsPlan,
            };
        }
    }
}
