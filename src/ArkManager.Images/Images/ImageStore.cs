using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using ArkManager.Images.Internal;
using ArkManager.Images.Registry;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Images
{
    /// <summary>Local images: inspect and (only when asked) pull.</summary>
    internal sealed class ImageStore
    {
        private readonly IImageOperations _images;
        private readonly ILogger _logger;
        private readonly Func<ImageReference, CancellationToken, Task<RegistryCredential?>> _credentialFor;

        public ImageStore(IImageOperations images, ILogger logger, Func<ImageReference, CancellationToken, Task<RegistryCredential?>> credentialFor)
        {
            _images = images;
            _logger = logger;
            _credentialFor = credentialFor;
        }

        /// <summary>Inspects a local image by reference; null when absent.</summary>
        public async Task<ImageInfo?> InspectAsync(ImageReference reference, CancellationToken cancellationToken)
        {
            var details = await _images.TryInspectAsync(reference.ToString(), cancellationToken).ConfigureAwait(false);
            if (details is null)
            {
                return null;
            }

            var info = ToInfo(details, reference);
            Log.ImagePresent(_logger, reference.ToString(), info.Id);
            return info;
        }

        /// <summary>Every local image of the reference's repository (by tag or digest), from one list call.</summary>
        public async Task<IReadOnlyList<ImageDetails>> ListRepositoryAsync(ImageReference reference, CancellationToken cancellationToken)
        {
            var all = await _images.ListAsync(cancellationToken).ConfigureAwait(false);
            return all.Where(i => i.RepoTags.Any(reference.IsSameRepository) || i.RepoDigests.Any(reference.IsSameRepository)).ToList();
        }

        /// <summary>Every local image, from one list call (for a run over many references: see <see cref="FindLocal"/>).</summary>
        public Task<IReadOnlyList<ImageDetails>> ListAllAsync(CancellationToken cancellationToken) => _images.ListAsync(cancellationToken);

        /// <summary>
        /// The local image a reference names, found in a list from <see cref="ListAllAsync"/> the way an inspect by
        /// reference finds it (by tag, or by repository digest for a pinned reference); null when absent.
        /// </summary>
        public static ImageInfo? FindLocal(IReadOnlyList<ImageDetails> images, ImageReference reference)
        {
            foreach (var image in images)
            {
                var found = reference.Digest is null
                    ? image.RepoTags.Any(tag => ImageReference.TryParse(tag, out var parsed, out _) && parsed!.Digest is null &&
                                                parsed.FullRepository == reference.FullRepository && string.Equals(parsed.Tag, reference.Tag, StringComparison.Ordinal))
                    : image.RepoDigests.Any(d => reference.IsSameRepository(d) && string.Equals(ImageReference.DigestOf(d), reference.Digest, StringComparison.OrdinalIgnoreCase));
                if (found)
                {
                    return ToInfo(image, reference);
                }
            }

            return null;
        }

        /// <summary>The repository digest of an image (by id) for the reference's repository; null when unknown or gone.</summary>
        public async Task<string?> DigestOfAsync(string imageId, ImageReference reference, CancellationToken cancellationToken)
        {
            var image = await _images.TryInspectAsync(imageId, cancellationToken).ConfigureAwait(false);
            return image?.RepoDigests.Where(reference.IsSameRepository).Select(ImageReference.DigestOf).FirstOrDefault();
        }

        /// <summary>A local image by id; null when it is gone.</summary>
        public Task<ImageDetails?> InspectByIdAsync(string imageId, CancellationToken cancellationToken) => _images.TryInspectAsync(imageId, cancellationToken);

        /// <summary>Pulls an image; the caller asked for it. Errors in the progress stream throw.</summary>
        public async Task<ImageInfo> PullAsync(ImageReference reference, IProgress<PullProgress>? progress, CancellationToken cancellationToken)
        {
            var image = reference.ToString();
            Log.PullStarting(_logger, image);
            var tracker = new PullProgressTracker(image);
            var credential = await _credentialFor(reference, cancellationToken).ConfigureAwait(false);
            try
            {
                await _images.PullAsync(reference, credential, message =>
                {
                    if (string.IsNullOrEmpty(message.Status))
                    {
                        return;
                    }

                    if (message.Status != "Downloading" && message.Status != "Extracting")
                    {
                        Log.PullStatus(_logger, image, message.Id, message.Status!);
                    }

                    var report = tracker.Update(message.Id, message.Status, message.Current, message.Total);
                    progress?.Report(report);
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (ImagePullException ex)
            {
                Log.PullFailed(_logger, image, ex.DaemonMessage);
                throw;
            }

            var info = await InspectAsync(reference, cancellationToken).ConfigureAwait(false)
                       ?? throw new ImagePullException(image, "the daemon reported success but the image is not present afterwards");
            progress?.Report(tracker.Complete());
            Log.PullCompleted(_logger, image, info.Id, info.Digest ?? tracker.Digest);
            return info;
        }

        internal static ImageInfo ToInfo(ImageDetails details, ImageReference reference)
        {
            var digest = reference.Digest ?? details.RepoDigests.Where(reference.IsSameRepository).Select(ImageReference.DigestOf).FirstOrDefault();
            return new ImageInfo
            {
                Reference = reference.ToString(),
                Id = details.Id,
                RepoTags = details.RepoTags,
                RepoDigests = details.RepoDigests,
                Digest = digest,
                Created = details.Created,
                Size = details.Size,
                Os = details.Os,
                Architecture = details.Architecture,
                Labels = details.Labels,
            };
        }
    }
}
