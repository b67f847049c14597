using System;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// One registry answer (a manifest HEAD made for one engine) compared with another engine's local image, so that
    /// several hosts share one check per image.
    /// </summary>
    internal static class RegistryAnswer
    {
        public static ImageUpdateCheck AgainstLocal(ImageUpdateCheck registry, ImageInfo? local, ImageReference reference)
        {
            var image = reference.ToString();
            if (local is null)
            {
                return registry with
                {
                    LocalDigest = null,
                    UpdateAvailable = false,
                    State = ImageUpdateState.NotPresentLocally,
                    Error = $"'{image}' is not present locally, so there is nothing to compare; pull it with Install-ArkImage -Image '{image}'.",
                };
            }

            if (registry.RemoteDigest is null)
            {
                // The registry did not answer with a digest: its failure stands for every engine.
                return registry with { LocalDigest = local.Digest, UpdateAvailable = false };
            }

            if (local.Digest is null)
            {
                return registry with
                {
                    LocalDigest = null,
                    UpdateAvailable = false,
                    State = ImageUpdateState.NoLocalDigest,
                    Error = $"The local image has no digest for {reference.FamiliarRepository} (built or tagged locally, never pulled from it), so it cannot be compared.",
                };
            }

            var differs = !string.Equals(local.Digest, registry.RemoteDigest, StringComparison.OrdinalIgnoreCase);
            return registry with
            {
                LocalDigest = local.Digest,
                UpdateAvailable = differs,
                State = differs ? ImageUpdateState.UpdateAvailable : ImageUpdateState.UpToDate,
                Error = null,
            };
        }
    }
}
