using System.Collections.Generic;
using ArkManager.Images.AspNetCore.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>Health checks of ArkManager.Images (they use the registered <c>IArkImageManager</c>).</summary>
    public static class ArkImageHealthCheckBuilderExtensions
    {
        /// <summary>The tag every ArkManager.Images health check carries (filter with <c>Predicate</c> in <c>MapHealthChecks</c>).</summary>
        public const string Tag = "arkmanager";

        /// <summary>
        /// Adds <c>ark-docker</c> (Docker reachable; Unhealthy when not), <c>ark-images</c> (every required image present;
        /// Degraded naming the missing ones) and, with <paramref name="includeRegistry"/>, <c>ark-registry</c> (one
        /// <c>GET /v2/</c> per registry host of the required images, a login challenge counting as an answer; Degraded
        /// naming the registries that did not answer, whether or not their images are local). Nothing is ever pulled.
        /// </summary>
        /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
        /// <param name="includeRegistry">Also ask the registry on every health probe (default false).</param>
        /// <returns><paramref name="builder"/>, for chaining.</returns>
        public static IHealthChecksBuilder AddArkImageChecks(this IHealthChecksBuilder builder, bool includeRegistry = false)
        {
            var tags = new[] { Tag };
            builder.AddCheck<ArkDockerHealthCheck>("ark-docker", HealthStatus.Unhealthy, tags);
            builder.AddCheck<ArkRequiredImagesHealthCheck>("ark-images", HealthStatus.Unhealthy, tags);
            if (includeRegistry)
            {
                builder.AddCheck<ArkRegistryHealthCheck>("ark-registry", HealthStatus.Degraded, tags);
            }

            return builder;
        }
    }
}
