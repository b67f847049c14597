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

    /// <summary>
    /// Registry reachable: one <c>GET /v2/</c> per registry host of the required images (a login challenge counts as
    /// reachable), so a registry that is down shows even while an image is not local; Degraded naming each registry that
    /// did not answer.
    /// </summary>
    internal sealed class ArkRegistryHealthCheck : IHealthCheck
    {
        private readonly IArkImageManager _ark;

        public ArkRegistryHealthCheck(IArkImageManager ark)
        {
            _ark = ark;
        }

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var probes = await _ark.ProbeRegistriesAsync(cancellationToken).ConfigureAwait(false);
                var failed = probes.Where(p => !p.Reachable).ToList();
                var data = new Dictionary<string, object> { ["registries"] = probes.ToDictionary(p => p.Registry, p => (object)p.Detail) };
                if (failed.Count == 0)
                {
                    return HealthCheckResult.Healthy($"All {probes.Count} registr{(probes.Count == 1 ? "y" : "ies")} answered: " + string.Join("; ", probes.Select(p => $"{p.Registry}: {p.Detail}")) + ".", data);
                }

                data["failed"] = failed.Select(p => p.Registry).ToArray();
                return HealthCheckResult.Degraded("Registry unreachable: " + string.Join("; ", failed.Select(p => $"{p.Registry} ({p.Url}): {p.Detail}")), data: data);
            }
            catch (ArkManagerException ex)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, ex.Message, data: new Dictionary<string, object> { ["errorId"] = ex.ErrorId });
            }
        }
    }
}
