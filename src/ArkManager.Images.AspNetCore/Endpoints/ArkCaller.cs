using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace ArkManager.Images.AspNetCore.Endpoints
{
    /// <summary>Who is calling: the owner claim (the seed's user id) and whether the caller is in the administrator role.</summary>
    internal sealed class ArkCaller
    {
        private ArkCaller(string? owner, bool isAdmin)
        {
            Owner = owner;
            IsAdmin = isAdmin;
        }

        /// <summary>The owner filter passed to the library: null for an administrator (sees all).</summary>
        public string? OwnerFilter => IsAdmin ? null : Owner;

        public string? Owner { get; }

        public bool IsAdmin { get; }

        /// <summary>Reads the caller; null when a non-administrator has no owner claim (such a caller owns nothing and is refused).</summary>
        public static ArkCaller? From(HttpContext context, ArkImageEndpointOptions options)
        {
            var user = context.User;
            var isAdmin = !string.IsNullOrEmpty(options.AdminRole) && user.IsInRole(options.AdminRole!);
            var owner = user.FindFirst(options.OwnerClaimType)?.Value;
            if (!isAdmin && string.IsNullOrWhiteSpace(owner))
            {
                return null;
            }

            return new ArkCaller(owner, isAdmin);
        }

        /// <summary>Whether the caller may see the server; a server of another owner is treated as absent (404, never a leak).</summary>
        public async Task<ServerInfo?> FindServerAsync(IArkImageManager ark, string name, CancellationToken cancellationToken)
        {
            var server = await ark.GetServerAsync(name, cancellationToken).ConfigureAwait(false);
            if (server is null)
            {
                return null;
            }

            return IsAdmin || string.Equals(server.Owner, Owner, StringComparison.Ordinal) ? server : null;
        }

        /// <summary>Whether <paramref name="image"/> may be pulled or updated by this caller.</summary>
        public bool MayUseImage(IArkImageManager ark, ImageReference image, ArkImageEndpointOptions options)
        {
            if (IsAdmin || options.AllowAnyImage)
            {
                return true;
            }

            return ark.Options.RequiredImages.Any(r => ImageReference.TryParse(r, out var required, out _) && image.Equals(required));
        }
    }
}
