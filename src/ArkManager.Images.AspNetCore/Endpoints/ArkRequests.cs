using System.Collections.Generic;

namespace ArkManager.Images.AspNetCore.Endpoints
{
    /// <summary>The body of POST /servers/images/pull.</summary>
    /// <param name="Image">The image reference, e.g. <c>tbro98/ase-server:latest</c>.</param>
    public sealed record ArkPullRequest(string? Image);

    /// <summary>The body of POST /servers/images/update.</summary>
    /// <param name="Image">The image reference to update.</param>
    /// <param name="Servers">Only these servers (by name); null: every affected server the caller owns.</param>
    /// <param name="Backup">Back up each server's volumes before its replacement starts.</param>
    /// <param name="Force">Pull and recreate even when the registry reports no update.</param>
    public sealed record ArkUpdateRequest(string? Image, IReadOnlyList<string>? Servers = null, bool Backup = false, bool Force = false);
}
