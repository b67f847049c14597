using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Registry;

namespace ArkManager.Images.Docker
{
    /// <summary>Everything the library does to local images, over one engine; failures are this library's exceptions.</summary>
    internal interface IImageOperations
    {
        /// <summary>The image by reference or id, or null when it is not present.</summary>
        Task<ImageDetails?> TryInspectAsync(string referenceOrId, CancellationToken cancellationToken);

        /// <summary>The image's full inspect as the daemon's JSON (for snapshots).</summary>
        Task<string> InspectJsonAsync(string id, CancellationToken cancellationToken);

        /// <summary>Every local image (one list call).</summary>
        Task<IReadOnlyList<ImageDetails>> ListAsync(CancellationToken cancellationToken);

        /// <summary>
        /// Pulls, because a person asked; every message of the stream goes to <paramref name="messages"/>. A failure in
        /// the stream or the call is an <see cref="ImagePullException"/>.
        /// </summary>
        Task PullAsync(ImageReference reference, RegistryCredential? credential, Action<PullMessage> messages, CancellationToken cancellationToken);

        Task TagAsync(string imageId, string repository, string tag, CancellationToken cancellationToken);

        /// <summary>Removes one reference (tag or digest) or id, never forced; gone already is success.</summary>
        Task RemoveAsync(string referenceOrId, CancellationToken cancellationToken);
    }
}
