using System;
using ArkManager.Images.AspNetCore;
using ArkManager.Images.AspNetCore.Endpoints;
using ArkManager.Images.AspNetCore.Jobs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.AspNetCore.Builder
{
    /// <summary>Maps the ArkManager.Images HTTP API (the seed's routes plus affected servers, plan, history, rollback, backup and jobs).</summary>
    public static class ArkImageEndpointRouteBuilderExtensions
    {
        /// <summary>
        /// Maps the API under <paramref name="prefix"/>: <c>GET servers/images/status</c>, <c>POST servers/images/pull</c>,
        /// <c>GET servers/images/check-updates</c>, <c>GET servers/images/checks</c>, <c>GET servers/images/affected?image=</c>,
        /// <c>GET servers/images/plan?image=</c>, <c>POST servers/images/update</c>, <c>GET servers</c>,
        /// <c>POST servers/{id}/recreate</c>, <c>POST servers/{id}/rollback</c>, <c>POST servers/{id}/backup</c>,
        /// <c>GET servers/history</c>, <c>GET jobs/{id}</c> and <c>GET jobs/{id}/events</c>.
        /// </summary>
        /// <remarks>
        /// Needs <see cref="ArkManager.Images.IArkImageManager"/> in the services (<c>AddArkImageManagement</c>) and authentication and
        /// authorization in the pipeline. Every endpoint requires <see cref="ArkImageEndpointOptions.Policy"/>; a caller sees
        /// only the servers of its owner claim, and another owner's server is 404. Pull, update, recreate and rollback run as
        /// background jobs that a disconnect never cancels; they answer 202 with the job, or stream its events as
        /// Server-Sent Events when the request accepts <c>text/event-stream</c>. Errors are RFC 9457 Problem Details with
        /// the library's <c>errorId</c>.
        /// </remarks>
        /// <param name="endpoints">The application (or any route builder).</param>
        /// <param name="prefix">The route prefix, e.g. <c>/api</c>.</param>
        /// <param name="configure">Sets the policy, owner claim, administrator role, … (see <see cref="ArkImageEndpointOptions"/>).</param>
        /// <returns>The route group, to add conventions (rate limiting, CORS, more metadata).</returns>
        public static RouteGroupBuilder MapArkImageEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "/api", Action<ArkImageEndpointOptions>? configure = null)
        {
            if (endpoints is null)
            {
                throw new ArgumentNullException(nameof(endpoints));
            }

            var options = new ArkImageEndpointOptions();
            configure?.Invoke(options);
            var logger = endpoints.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger("ArkManager.Images.AspNetCore");
            var context = new ArkEndpointContext(options, new ArkJobRegistry(options.FinishedJobsKept, logger));

            var normalized = "/" + (prefix ?? string.Empty).Trim('/');
            var group = endpoints.MapGroup(normalized).WithTags("ArkManager.Images");
            if (options.Policy is null)
            {
                group.RequireAuthorization();
            }
            else
            {
                group.RequireAuthorization(options.Policy);
            }

            var jobsPrefix = (normalized == "/" ? string.Empty : normalized) + "/jobs";
            ArkImageRoutes.Map(group, context, jobsPrefix);
            ArkServerRoutes.Map(group, context, jobsPrefix);
            return group;
        }
    }
}
