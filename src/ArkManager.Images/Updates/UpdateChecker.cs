using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using ArkManager.Images.Images;
using ArkManager.Images.Internal;
using ArkManager.Images.Registry;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// Compares the local image's digest for a repository with the registry's digest for the tag: one manifest HEAD per
    /// image, never a pull, a manifest GET or a blob GET. A run over several images takes the local digests from one image
    /// list call and keeps an adaptive number of checks in flight per registry (<see cref="RegistryConcurrency"/>),
    /// retrying a check the registry refused with 429 after a back-off.
    /// </summary>
    internal sealed class UpdateChecker
    {
        private readonly ImageStore _images;
        private readonly RegistryClient _registry;
        private readonly ILogger _logger;
        private readonly int _maxConcurrency;

        /// <summary>How far the in-flight checks per registry may grow over the configured number.</summary>
        internal const int GrowthFactor = 8;

        /// <summary>How often a check refused with 429 is tried again (after 250 ms, 500 ms, 1 s).</summary>
        internal const int RateLimitRetries = 3;

        internal static TimeSpan RateLimitBackOff { get; set; } = TimeSpan.FromMilliseconds(250);

        public UpdateChecker(ImageStore images, RegistryClient registry, ILogger logger, int maxConcurrency)
        {
            _images = images;
            _registry = registry;
            _logger = logger;
            _maxConcurrency = Math.Max(1, maxConcurrency);
        }

        public Task<ImageUpdateCheck> CheckAsync(ImageReference reference, CancellationToken cancellationToken) =>
            TracedAsync(reference, async () =>
            {
                var local = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false);
                return await CheckAsync(reference, local, null, cancellationToken).ConfigureAwait(false);
            });

        /// <summary>One check as a span and a count (tag outcome; an exception counts as failed and is thrown on).</summary>
        private static async Task<ImageUpdateCheck> TracedAsync(ImageReference reference, Func<Task<ImageUpdateCheck>> check)
        {
            var image = reference.ToString();
            using var activity = Telemetry.Start(Telemetry.CheckActivity, Telemetry.T("arkmanager.image", image), Telemetry.T("arkmanager.registry", reference.Registry));
            try
            {
                var result = await check().ConfigureAwait(false);
                var outcome = Telemetry.CheckOutcome(result.State);
                activity?.SetTag("arkmanager.state", result.State.ToString());
                activity?.SetTag("arkmanager.outcome", outcome);
                if (outcome == "failed")
                {
                    activity?.SetStatus(ActivityStatusCode.Error, result.State.ToString());
                }

                Telemetry.Checks.Add(1, Telemetry.T("image", image), Telemetry.T("registry", reference.Registry), Telemetry.T("state", result.State.ToString()), Telemetry.T("outcome", outcome));
                return result;
            }
            catch (Exception ex)
            {
                Telemetry.Failed(activity, ex);
                Telemetry.Checks.Add(1, Telemetry.T("image", image), Telemetry.T("registry", reference.Registry), Telemetry.T("state", "Exception"), Telemetry.T("outcome", "failed"));
                throw;
            }
        }

        /// <summary>
        /// Asks the registry only (one manifest HEAD), comparing with no local image: <see cref="ImageUpdateCheck.RemoteDigest"/>
        /// or the failure. Several engines then compare it with their own image (<see cref="RegistryAnswer"/>).
        /// </summary>
        public Task<ImageUpdateCheck> AskRegistryAsync(ImageReference reference, CancellationToken cancellationToken) =>
            CheckAsync(reference, new ImageInfo(), null, cancellationToken);

        private async Task<ImageUpdateCheck> CheckAsync(ImageReference reference, ImageInfo? local, RegistryConcurrency? concurrency, CancellationToken cancellationToken)
        {
            var image = reference.ToString();
            var result = new ImageUpdateCheck { Image = image, Registry = reference.Registry, CheckedAt = DateTimeOffset.UtcNow };
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
                var remote = await HeadAsync(reference, concurrency, cancellationToken).ConfigureAwait(false);
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
            var distinct = references.Distinct().ToList();
            // One list call gives every local digest; a daemon that cannot list falls back to one inspect per image.
            IReadOnlyList<ImageDetails>? locals = null;
            if (distinct.Count > 1)
            {
                try
                {
                    locals = await _images.ListAllAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ArkManagerException ex) when (!(ex is DockerUnavailableException))
                {
                    locals = null;
                }
            }

            var limiters = distinct.Select(r => r.Registry).Distinct(StringComparer.OrdinalIgnoreCase)
                .ToDictionary(r => r, _ => new RegistryConcurrency(_maxConcurrency, _maxConcurrency * GrowthFactor), StringComparer.OrdinalIgnoreCase);
            try
            {
                var tasks = distinct.Select(reference => CheckOneSafelyAsync(reference, locals, limiters[reference.Registry], cancellationToken)).ToList();
                var results = await Task.WhenAll(tasks).ConfigureAwait(false);
                var map = new Dictionary<string, ImageUpdateCheck>(StringComparer.Ordinal);
                foreach (var r in results)
                {
                    map[r.Image] = r;
                }

                return map;
            }
            finally
            {
                foreach (var limiter in limiters.Values)
                {
                    limiter.Dispose();
                }
            }
        }

        // The registry's digest under the registry's limit; a 429 lowers the limit and is tried again after a back-off.
        private async Task<string> HeadAsync(ImageReference reference, RegistryConcurrency? concurrency, CancellationToken cancellationToken)
        {
            for (var attempt = 0; ; attempt++)
            {
                if (concurrency is null)
                {
                    return await _registry.GetManifestDigestAsync(reference, cancellationToken).ConfigureAwait(false);
                }

                await concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
                var watch = Stopwatch.StartNew();
                var rateLimited = false;
                try
                {
                    return await _registry.GetManifestDigestAsync(reference, cancellationToken).ConfigureAwait(false);
                }
                catch (RegistryException ex) when (ex.StatusCode == 429 && attempt < RateLimitRetries)
                {
                    rateLimited = true;
                    concurrency.BackOff();
                }
                finally
                {
                    concurrency.Release(rateLimited ? TimeSpan.Zero : watch.Elapsed);
                }

                await Task.Delay(TimeSpan.FromTicks(RateLimitBackOff.Ticks << attempt), cancellationToken).ConfigureAwait(false);
            }
        }

        private Task<ImageUpdateCheck> CheckOneSafelyAsync(ImageReference reference, IReadOnlyList<ImageDetails>? locals, RegistryConcurrency concurrency, CancellationToken cancellationToken) =>
            TracedAsync(reference, () => CheckOneAsync(reference, locals, concurrency, cancellationToken));

        private async Task<ImageUpdateCheck> CheckOneAsync(ImageReference reference, IReadOnlyList<ImageDetails>? locals, RegistryConcurrency concurrency, CancellationToken cancellationToken)
        {
            try
            {
                var local = locals is null
                    ? await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false)
                    : ImageStore.FindLocal(locals, reference);
                return await CheckAsync(reference, local, concurrency, cancellationToken).ConfigureAwait(false);
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
