using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ArkManager.Images.AspNetCore.HealthChecks
{
    /// <summary>Docker reachable: Healthy with the engine version, Unhealthy when the engine does not answer.</summary>
    internal sealed class ArkDockerHealthCheck : IHealthCheck
    {
        private readonly IArkImageManager _ark;

        public ArkDockerHealthCheck(IArkImageManager ark)
        {
            _ark = ark;
        }

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var engine = await _ark.GetEngineInfoAsync(cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Healthy($"Docker {engine.Version} (API {engine.ApiVersion}) at {engine.Endpoint}.",
                    new Dictionary<string, object> { ["version"] = engine.Version, ["apiVersion"] = engine.ApiVersion });
            }
            catch (ArkManagerException ex)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, ex.Message, data: new Dictionary<string, object> { ["errorId"] = ex.ErrorId });
            }
        }
    }

    /// <summary>Required images present: Healthy when all are local, Degraded naming the missing ones (looks locally only).</summary>
    internal sealed class ArkRequiredImagesHealthCheck : IHealthCheck
    {
        private readonly IArkImageManager _ark;

        public ArkRequiredImagesHealthCheck(IArkImageManager ark)
        {
            _ark = ark;
        }

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var missing = await _ark.ValidateRequiredImagesAsync(cancellationToken).ConfigureAwait(false);
                if (missing.Count == 0)
                {
                    return HealthCheckResult.Healthy($"All {_ark.Options.RequiredImages.Count} required image(s) are present.");
                }

                return HealthCheckResult.Degraded("Missing required image(s): " + string.Join(", ", missing) + ". Pull them by hand.",
                    data: new Dictionary<string, object> { ["missing"] = missing.ToArray() });
            }
            catch (ArkManagerException ex)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, ex.Message, data: new Dictionary<string, object> { ["errorId"] = ex.ErrorId });
            }
        }
    }

    /// <summary>Registry reachable: one manifest HEAD per required image; Degraded naming each image whose registry did not answer.</summary>
    internal sealed class ArkRegistryHealthCheck : IHealthCheck
    {
        private static readonly ImageUpdateState[] Unreachable = { ImageUpdateState.RegistryUnreachable, ImageUpdateState.AuthenticationFailed, ImageUpdateState.NotFoundInRegistry, ImageUpdateState.Error };
        private readonly IArkImageManager _ark;

        public ArkRegistryHealthCheck(IArkImageManager ark)
        {
            _ark = ark;
        }

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var checks = await _ark.CheckImageUpdatesAsync(cancellationToken).ConfigureAwait(false);
                var failed = checks.Values.Where(c => Unreachable.Contains(c.State)).ToList();
                if (failed.Count == 0)
                {
                    return HealthCheckResult.Healthy($"The registry answered for all {checks.Count} required image(s).");
                }

                var text = string.Join("; ", failed.Select(c => $"{c.Image}: {c.State}{(string.IsNullOrEmpty(c.Error) ? string.Empty : " (" + c.Error + ")")}"));
                return HealthCheckResult.Degraded("Registry check failed for " + text,
                    data: new Dictionary<string, object> { ["failed"] = failed.Select(c => c.Image).ToArray() });
            }
            catch (ArkManagerException ex)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, ex.Message, data: new Dictionary<string, object> { ["errorId"] = ex.ErrorId });
            }
        }
    }
}
