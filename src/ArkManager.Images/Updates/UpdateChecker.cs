using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Images;
using ArkManager.Images.Internal;
using ArkManager.Images.Registry;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// Compares the local image's digest for a repository with the registry's digest for the tag: one manifest HEAD per
    /// image, never a pull, a manifest GET or a blob GET.
    /// </summary>
    internal sealed class UpdateChecker
    {
        private readonly ImageStore _images;
        private readonly RegistryClient _registry;
        private readonly ILogger _logger;
        private readonly int _maxConcurrency;

        public UpdateChecker(ImageStore images, RegistryClient registry, ILogger logger, int maxConcurrency)
        {
            _images = images;
            _registry = registry;
            _logger = logger;
            _maxConcurrency = Math.Max(1, maxConcurrency);
        }

        public async Task<ImageUpdateCheck> CheckAsync(ImageReference reference, CancellationToken cancellationToken)
        {
            var image = reference.ToString();
            var result = new ImageUpdateCheck { Image = image, Registry = reference.Registry, CheckedAt = DateTimeOffset.UtcNow };
            var local = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false);
            if (local is null)
            {
                result = result with
                {
                    State = ImageUpdateState.NotPresentLocally,
                    Error = $"'{image}' is not present locally, so there is nothing to compare; pull it with Install-ArkImage -Image '{image}'.",
                };
                Log.UpdateChecked(_logger, image, result.State, null, null);
                return result;
            }

            result = result with { LocalDigest = local.Digest };
            try
            {
                var remote = await _registry.GetManifestDigestAsync(reference, cancellationToken).ConfigureAwait(false);
                result = result with { RemoteDigest = remote };
                if (local.Digest is null)
                {
                    result = result with
                    {
                        State = ImageUpdateState.NoLocalDigest,
                        Error = $"The local image has no digest for {reference.FamiliarRepository} (built or tagged locally, never pulled from it), so it cannot be compared.",
                    };
                }
                else
                {
                    var differs = !string.Equals(local.Digest, remote, StringComparison.OrdinalIgnoreCase);
                    result = result with { UpdateAvailable = differs, State = differs ? ImageUpdateState.UpdateAvailable : ImageUpdateState.UpToDate };
                }
            }
            catch (RegistryAuthenticationException ex)
            {
                result = result with { State = ImageUpdateState.AuthenticationFailed, Error = ex.Message };
            }
            catch (RegistryRateLimitedException ex)
            {
                result = result with { State = ImageUpdateState.RateLimited, Error = ex.Message };
            }
            catch (RegistryUnreachableException ex)
            {
                result = result with { State = ImageUpdateState.RegistryUnreachable, Error = ex.Message };
            }
            catch (RegistryException ex) when (ex.StatusCode == 404)
            {
                result = result with { State = ImageUpdateState.NotFoundInRegistry, Error = ex.Message };
            }
            catch (RegistryException ex)
            {
                result = result with { State = ImageUpdateState.Error, Error = ex.Message };
            }

            if (result.Error != null && result.State != ImageUpdateState.NoLocalDigest)
            {
                Log.UpdateCheckFailed(_logger, image, result.Error);
            }
            else
            {
                Log.UpdateChecked(_logger, image, result.State, result.LocalDigest, result.RemoteDigest);
            }

            return result;
        }

        public async Task<IReadOnlyDictionary<string, ImageUpdateCheck>> CheckAllAsync(IReadOnlyList<ImageReference> references, CancellationToken cancellationToken)
        {
            using var gate = new SemaphoreSlim(_maxConcurrency, _maxConcurrency);
            var distinct = references.Distinct().ToList();
            var tasks = distinct.Select(async reference =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return await CheckOneSafelyAsync(reference, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();

            var results = await Task.WhenAll(tasks).ConfigureAwait(false);
            var map = new Dictionary<string, ImageUpdateCheck>(StringComparer.Ordinal);
            foreach (var r in results)
            {
                map[r.Image] = r;
            }

            return map;
        }

        private async Task<ImageUpdateCheck> CheckOneSafelyAsync(ImageReference reference, CancellationToken cancellationToken)
        {
            try
            {
                return await CheckAsync(reference, cancellationToken).ConfigureAwait(false);
            }
            catch (ArkManagerException ex) when (!(ex is DockerUnavailableException))
            {
                return new ImageUpdateCheck
                {
                    Image = reference.ToString(),
                    Registry = reference.Registry,
                    State = ImageUpdateState.Error,
                    Error = ex.Message,
                    CheckedAt = DateTimeOffset.UtcNow,
                };
            }
        }
    }
}
