using System;
using System.Collections.Generic;
using System.Linq;

namespace ArkManager.Images
{
    /// <summary>How a server is recreated.</summary>
    public sealed record RecreateOptions
    {
        /// <summary>Switch to this image reference; null keeps the server's reference (newest local image of it).</summary>
        public string? Image { get; init; }

        /// <summary>Back up every volume of the stopped container before the replacement starts.</summary>
        public bool BackupVolumes { get; init; }

        /// <summary>Where backups go; null: &lt;state&gt;/backups/&lt;server&gt;.</summary>
        public string? BackupDirectory { get; init; }

        /// <summary>How long the new container has to prove healthy before it is rolled back.</summary>
        public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromMinutes(10);

        /// <summary>Without a healthcheck or readiness line: how long the container must run without restarting.</summary>
        public TimeSpan StableFor { get; init; } = TimeSpan.FromSeconds(10);

        /// <summary>Log lines that prove readiness (ARK's by default).</summary>
        public IReadOnlyList<string> ReadinessPatterns { get; init; } = new[] { "advertising for join", "Full Startup" };

        /// <summary>Recreate even when the server already runs the target image.</summary>
        public bool Force { get; init; }

        /// <summary>How long to wait for another run that holds the server's lock; zero fails at once.</summary>
        public TimeSpan LockTimeout { get; init; } = TimeSpan.Zero;

        /// <summary>Only touch servers of this owner (<c>io.arkmanager.owner</c>); null: any.</summary>
        public string? Owner { get; init; }

        /// <summary>How a server with RCON is stopped (countdown warnings, SaveWorld, DoExit); null: the defaults.</summary>
        public SafeStopOptions? SafeStop { get; init; }
    }

    /// <summary>
    /// How an image update runs: what to do with the image and the batch, and <see cref="Recreation"/> for how each
    /// server is recreated. The per-server properties below (BackupVolumes, HealthTimeout, …) read and write
    /// <see cref="Recreation"/>; when both are set in one initializer, set <see cref="Recreation"/> first.
    /// </summary>
    public sealed record UpdateOptions
    {
        /// <summary>How each affected server is recreated (the same options <see cref="IArkImageManager.RecreateContainerAsync"/> takes).</summary>
        public RecreateOptions Recreation { get; init; } = new RecreateOptions();

        /// <summary>Recreate the affected servers after the pull (false: only pull).</summary>
        public bool Recreate { get; init; } = true;

        /// <summary>Only these servers (null: every affected server).</summary>
        public IReadOnlyList<string>? Servers { get; init; }

        /// <summary>Back up volumes before each replacement starts.</summary>
        public bool BackupVolumes { get => Recreation.BackupVolumes; init => Recreation = Recreation with { BackupVolumes = value }; }

        /// <summary>Where backups go; null: &lt;state&gt;/backups/&lt;server&gt;.</summary>
        public string? BackupDirectory { get => Recreation.BackupDirectory; init => Recreation = Recreation with { BackupDirectory = value }; }

        /// <summary>How long each new container has to prove healthy.</summary>
        public TimeSpan HealthTimeout { get => Recreation.HealthTimeout; init => Recreation = Recreation with { HealthTimeout = value }; }

        /// <summary>Without a healthcheck or readiness line: how long the container must run without restarting.</summary>
        public TimeSpan StableFor { get => Recreation.StableFor; init => Recreation = Recreation with { StableFor = value }; }

        /// <summary>Pull and recreate even when the registry reports no update.</summary>
        public bool Force { get => Recreation.Force; init => Recreation = Recreation with { Force = value }; }

        /// <summary>How long to wait for another run holding a server's lock; zero fails at once.</summary>
        public TimeSpan LockTimeout { get => Recreation.LockTimeout; init => Recreation = Recreation with { LockTimeout = value }; }

        /// <summary>Only touch servers of this owner; null: any.</summary>
        public string? Owner { get => Recreation.Owner; init => Recreation = Recreation with { Owner = value }; }

        /// <summary>How servers with RCON are stopped (countdown warnings, SaveWorld, DoExit); null: the defaults.</summary>
        public SafeStopOptions? SafeStop { get => Recreation.SafeStop; init => Recreation = Recreation with { SafeStop = value }; }

        /// <summary>How many update windows (a server, or a cluster's servers one after another) may run at once.</summary>
        public int MaxParallel { get; init; } = 1;

        /// <summary>Go on with the other servers after one rolled back or failed (default: stop, leaving the rest untouched).</summary>
        public bool ContinueOnError { get; init; }

        /// <summary>
        /// Recreate the servers on the newest local image without asking the registry (it is down, or the machine is
        /// offline). Without it, an image whose registry check fails is a failed update and no server is touched.
        /// </summary>
        public bool Offline { get; init; }
    }
}
