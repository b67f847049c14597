using System.Security.Claims;

namespace ArkManager.Images.AspNetCore
{
    /// <summary>How <see cref="Microsoft.AspNetCore.Builder.ArkImageEndpointRouteBuilderExtensions.MapArkImageEndpoints"/> authorizes and scopes requests.</summary>
    public sealed class ArkImageEndpointOptions
    {
        /// <summary>
        /// The authorization policy every endpoint requires. Null (the default): the host's default policy, which is an
        /// authenticated user unless the host changed it.
        /// </summary>
        public string? Policy { get; set; }

        /// <summary>
        /// The claim that carries the owner of servers (the seed's user id): a user sees, updates, recreates, rolls back and
        /// backs up only the servers labelled with that owner. Default <see cref="ClaimTypes.NameIdentifier"/>.
        /// </summary>
        public string OwnerClaimType { get; set; } = ClaimTypes.NameIdentifier;

        /// <summary>A role whose members see and act on every server (no owner filter). Null: nobody does.</summary>
        public string? AdminRole { get; set; }

        /// <summary>
        /// Whether a user who is not in <see cref="AdminRole"/> may pull and update images other than the configured
        /// required images. Default false: only the required images (400 <c>ImageNotRequired</c> otherwise).
        /// </summary>
        public bool AllowAnyImage { get; set; }

        /// <summary>Where the backup endpoint writes archives. Null: <c>&lt;state directory&gt;/backups/&lt;server&gt;</c>.</summary>
        public string? BackupDirectory { get; set; }

        /// <summary>The recreate settings used by update, recreate and rollback (health timeout, readiness lines, …); the owner is always set from the caller.</summary>
        public RecreateOptions Recreation { get; set; } = new RecreateOptions();

        /// <summary>How many finished jobs are kept for re-attaching (oldest dropped first). Default 100.</summary>
        public int FinishedJobsKept { get; set; } = 100;
    }
}
