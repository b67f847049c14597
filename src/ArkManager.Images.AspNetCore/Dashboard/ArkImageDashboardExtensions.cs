using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Reflection;
using System.Text;
using ArkManager.Images.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder
{
    /// <summary>Maps the image dashboard: one page (HTML, CSS, JS shipped inside this assembly; no CDN, no build step).</summary>
    public static class ArkImageDashboardExtensions
    {
        private static readonly ConcurrentDictionary<string, byte[]> Resources = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);

        /// <summary>
        /// Serves the dashboard at <paramref name="prefix"/> (e.g. <c>/ark/</c>): image status, pull with live per-layer
        /// progress, check for updates, the update dialog with affected servers and the risk notice, per-step progress,
        /// history and rollback. It calls the API mapped by <c>MapArkImageEndpoints(<paramref name="apiPrefix"/>)</c>.
        /// </summary>
        /// <param name="endpoints">The application.</param>
        /// <param name="prefix">Where the page lives, e.g. <c>/ark</c>.</param>
        /// <param name="apiPrefix">The prefix given to <c>MapArkImageEndpoints</c>.</param>
        /// <param name="policy">The authorization policy of the page; null: the default policy (an authenticated user).</param>
        /// <returns>The route group of the page.</returns>
        public static RouteGroupBuilder MapArkImageDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/ark", string apiPrefix = "/api", string? policy = null)
        {
            if (endpoints is null)
            {
                throw new ArgumentNullException(nameof(endpoints));
            }

            var normalized = "/" + (prefix ?? string.Empty).Trim('/');
            var api = "/" + (apiPrefix ?? string.Empty).Trim('/');
            var group = endpoints.MapGroup(normalized).ExcludeFromDescription();
            if (policy is null)
            {
                group.RequireAuthorization();
            }
            else
            {
                group.RequireAuthorization(policy);
            }

            var self = normalized == "/" ? string.Empty : normalized;
            // One route for "/ark" and "/ark/" (routing ignores a trailing slash): the page's relative links need the slash.
            group.MapGet("/", (HttpContext http) => http.Request.Path.Value?.EndsWith("/", StringComparison.Ordinal) == true
                ? Page(api)
                : Results.Redirect(http.Request.PathBase + self + "/"));
            group.MapGet("/app.css", () => Results.Bytes(Resource("app.css"), "text/css; charset=utf-8"));
            group.MapGet("/app.js", () => Results.Bytes(Resource("app.js"), "text/javascript; charset=utf-8"));
            return group;
        }

        private static IResult Page(string api)
        {
            var html = Encoding.UTF8.GetString(Resource("index.html")).Replace("{{API}}", WebUtility.HtmlEncode(api));
            return Results.Content(html, "text/html; charset=utf-8");
        }

        private static byte[] Resource(string name) => Resources.GetOrAdd(name, n =>
        {
            var assembly = typeof(ArkImageEndpointOptions).GetTypeInfo().Assembly;
            using var stream = assembly.GetManifestResourceStream("ArkManager.Images.AspNetCore.Dashboard." + n)
                ?? throw new InvalidOperationException($"The dashboard resource '{n}' is missing from {assembly.GetName().Name}.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        });
    }
}
