using System;
using System.Collections.Generic;
using System.Linq;

namespace ArkManager.Images
{
    /// <summary>A container created from an image reference (a server or not).</summary>
    public sealed record ContainerInfo
    {
        /// <summary>The container id.</summary>
        public string Id { get; init; } = string.Empty;

        /// <summary>The container name (without the leading slash).</summary>
        public string Name { get; init; } = string.Empty;

        /// <summary>The image reference the container was created with (its Config.Image).</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>The id of the image the container runs.</summary>
        public string ImageId { get; init; } = string.Empty;

        /// <summary>Docker's state (running, exited, …).</summary>
        public string State { get; init; } = string.Empty;

        /// <summary>True when the container is a managed ARK server (labelled or registered).</summary>
        public bool IsServer { get; init; }

        /// <summary>The server name when <see cref="IsServer"/>.</summary>
        public string? ServerName { get; init; }

        /// <summary>The server's owner label, when set.</summary>
        public string? Owner { get; init; }
    }

    /// <summary>A server that runs (or ran) an image reference, as input to an update.</summary>
    public sealed record AffectedServer
    {
        /// <summary>The server name.</summary>
        public string Name { get; init; } = string.Empty;

        /// <summary>The container id.</summary>
        public string ContainerId { get; init; } = string.Empty;

        /// <summary>Docker's state.</summary>
        public string State { get; init; } = string.Empty;

        /// <summary>The image reference of the server.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>The image id the container runs now.</summary>
        public string ImageId { get; init; } = string.Empty;

        /// <summary>The repository digest of the image the container runs, when known.</summary>
        public string? Digest { get; init; }

        /// <summary>The image id the reference points to locally now (null when the reference is missing locally).</summary>
        public string? NewestImageId { get; init; }

        /// <summary>True when the container already runs the newest local image of its reference.</summary>
        public bool OnNewestImage { get; init; }

        /// <summary>The owner label, when set.</summary>
        public string? Owner { get; init; }
    }

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

    /// <summary>The result of updating several images in one rolling run.</summary>
    public sealed record BatchUpdateResult
    {
        /// <summary>One result per image, in the order they were given.</summary>
        public IReadOnlyList<ImageUpdateResult> Images { get; init; } = Array.Empty<ImageUpdateResult>();

        /// <summary>Every server of every image.</summary>
        public IReadOnlyList<ServerUpdateResult> Servers { get; init; } = Array.Empty<ServerUpdateResult>();

        /// <summary>True when no image failed (its check or pull) and no server failed or rolled back.</summary>
        public bool Succeeded { get; init; }

        /// <summary>A one-line summary.</summary>
        public string Summary { get; init; } = string.Empty;

        /// <summary>The first image whose update did not succeed; null when all did.</summary>
        public ImageUpdateResult? FirstFailure => Images.FirstOrDefault(i => !i.Succeeded);

        /// <summary>The failure as the exception a caller throws (the first failed image's); null when the run succeeded.</summary>
        public ArkManagerException? ToException() => Succeeded ? null : FirstFailure?.ToException() ?? new ArkManagerException("The update did not succeed: " + Summary);
    }

    /// <summary>One named step of an update transaction.</summary>
    public enum UpdateStep
    {
        /// <summary>Inspect JSON of container and images saved.</summary>
        Snapshot,

        /// <summary>Replacement created under a temporary name.</summary>
        Create,

        /// <summary>Old container stopped with its StopTimeout and StopSignal.</summary>
        Stop,

        /// <summary>Volumes of the stopped container archived.</summary>
        Backup,

        /// <summary>Old container renamed aside.</summary>
        RenameOld,

        /// <summary>Replacement renamed into place.</summary>
        RenameNew,

        /// <summary>Replacement started.</summary>
        Start,

        /// <summary>Replacement proved healthy.</summary>
        HealthGate,

        /// <summary>Old container removed (never its volumes).</summary>
        Commit,
    }

    /// <summary>How an update of one server ended.</summary>
    public enum UpdateOutcome
    {
        /// <summary>The server runs the new image.</summary>
        Updated,

        /// <summary>The new container failed; the old one runs again.</summary>
        RolledBack,

        /// <summary>The update failed and could not be rolled back completely (see the error).</summary>
        Failed,

        /// <summary>Nothing to do: the server already runs the target image.</summary>
        AlreadyCurrent,

        /// <summary>Not attempted (filtered out, or an earlier server failed).</summary>
        Skipped,

        /// <summary>An unfinished transaction found at start was completed.</summary>
        Recovered,
    }

    /// <summary>Timing and outcome of one step.</summary>
    public sealed record StepRecord
    {
        /// <summary>The step.</summary>
        public UpdateStep Step { get; init; }

        /// <summary>When it started.</summary>
        public DateTimeOffset StartedAt { get; init; }

        /// <summary>How long it took.</summary>
        public TimeSpan Duration { get; init; }

        /// <summary>Completed, Failed, Undone or Skipped.</summary>
        public string Status { get; init; } = string.Empty;

        /// <summary>What happened, when there is something to say.</summary>
        public string? Detail { get; init; }
    }

    /// <summary>Progress of an update or recreate.</summary>
    public sealed record UpdateProgress
    {
        /// <summary>The server being worked on (null for image-wide phases).</summary>
        public string? Server { get; init; }

        /// <summary>The step, when a transaction step is running.</summary>
        public UpdateStep? Step { get; init; }

        /// <summary>A phase name (Check, Pull, Plan, Server, Undo, History).</summary>
        public string Phase { get; init; } = string.Empty;

        /// <summary>What is happening.</summary>
        public string Message { get; init; } = string.Empty;

        /// <summary>Pull progress during the Pull phase.</summary>
        public PullProgress? Pull { get; init; }

        /// <summary>Completion of the current server's transaction, 0 to 1.</summary>
        public double Fraction { get; init; }
    }

    /// <summary>The result of updating (or recreating, or rolling back) one server.</summary>
    public sealed record ServerUpdateResult
    {
        /// <summary>The server.</summary>
        public string Server { get; init; } = string.Empty;

        /// <summary>The image reference.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>How it ended.</summary>
        public UpdateOutcome Outcome { get; init; }

        /// <summary>The container before.</summary>
        public string OldContainerId { get; init; } = string.Empty;

        /// <summary>The container after (the old one again after a rollback).</summary>
        public string ContainerId { get; init; } = string.Empty;

        /// <summary>The image id before.</summary>
        public string OldImageId { get; init; } = string.Empty;

        /// <summary>The image id targeted.</summary>
        public string NewImageId { get; init; } = string.Empty;

        /// <summary>The repository digest before, when known.</summary>
        public string? OldDigest { get; init; }

        /// <summary>The repository digest targeted, when known.</summary>
        public string? NewDigest { get; init; }

        /// <summary>Why it failed or rolled back.</summary>
        public string? Error { get; init; }

        /// <summary>The steps, in order, with timings.</summary>
        public IReadOnlyList<StepRecord> Steps { get; init; } = Array.Empty<StepRecord>();

        /// <summary>The backup archive, when one was made.</summary>
        public string? BackupPath { get; init; }

        /// <summary>The history record id.</summary>
        public string? HistoryId { get; init; }

        /// <summary>True unless the server rolled back or failed.</summary>
        public bool Succeeded => Outcome != UpdateOutcome.RolledBack && Outcome != UpdateOutcome.Failed;

        /// <summary>
        /// The failure as the exception a caller throws, its message led by <paramref name="context"/> (e.g. "Updating
        /// image 'x'"); null when the server succeeded.
        /// </summary>
        public ServerUpdateException? ToException(string? context = null)
        {
            if (Succeeded)
            {
                return null;
            }

            var lead = string.IsNullOrEmpty(context) ? "Updating server '" + Server + "'" : context;
            var reason = string.IsNullOrEmpty(Error) ? string.Empty : ": " + Error!.Trim().TrimEnd('.');
            var message = Outcome == UpdateOutcome.RolledBack
                ? $"{lead}: the new container of server '{Server}' failed and was rolled back{reason}. The server runs its previous container again."
                : $"{lead}: server '{Server}' failed and could not be rolled back completely{reason}. Check the server before anything else.";
            return new ServerUpdateException(message, this);
        }
    }

    /// <summary>What an update will do (the -WhatIf answer).</summary>
    public sealed record UpdatePlanItem
    {
        /// <summary>The server.</summary>
        public string Server { get; init; } = string.Empty;

        /// <summary>The image reference.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>The digest the server runs now.</summary>
        public string? CurrentDigest { get; init; }

        /// <summary>The digest it will run (the registry's, or the newest local one).</summary>
        public string? TargetDigest { get; init; }

        /// <summary>The steps that will run, in order.</summary>
        public IReadOnlyList<UpdateStep> Steps { get; init; } = Array.Empty<UpdateStep>();

        /// <summary>Why the server is or is not in the plan.</summary>
        public string Reason { get; init; } = string.Empty;

        /// <summary>What the update will do with this server.</summary>
        public UpdatePlanStatus Status { get; init; }
    }

    /// <summary>What an update plans for one server.</summary>
    public enum UpdatePlanStatus
    {
        /// <summary>The server will be recreated (on the pulled or the newest local image).</summary>
        Recreate,

        /// <summary>Nothing to do: it already runs the newest image.</summary>
        AlreadyCurrent,

        /// <summary>Recreation was not asked for: the image is only pulled.</summary>
        PullOnly,

        /// <summary>The image cannot be updated now (its check failed): the server is left as it is.</summary>
        Blocked,
    }

    /// <summary>The result of <see cref="IArkImageManager.UpdateImageAsync"/>.</summary>
    public sealed record ImageUpdateResult
    {
        /// <summary>The image reference.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>The registry check that started it.</summary>
        public ImageUpdateCheck? Check { get; init; }

        /// <summary>True when the image was pulled.</summary>
        public bool Pulled { get; init; }

        /// <summary>The local image id before.</summary>
        public string? OldImageId { get; init; }

        /// <summary>The local image id after.</summary>
        public string? NewImageId { get; init; }

        /// <summary>One result per affected server.</summary>
        public IReadOnlyList<ServerUpdateResult> Servers { get; init; } = Array.Empty<ServerUpdateResult>();

        /// <summary>True when the image's check and pull worked and no server failed or rolled back.</summary>
        public bool Succeeded { get; init; }

        /// <summary>A one-line summary.</summary>
        public string Summary { get; init; } = string.Empty;

        /// <summary>Why the image itself could not be updated (its registry check or pull failed); null otherwise.</summary>
        public string? Error { get; init; }

        /// <summary>The ErrorId of <see cref="Error"/> (e.g. RegistryUnreachable, ImagePullFailed).</summary>
        public string? ErrorId { get; init; }

        /// <summary>The first server that failed or rolled back; null when none did.</summary>
        public ServerUpdateResult? FirstFailure => Servers.FirstOrDefault(s => !s.Succeeded);

        /// <summary>The failure as the exception a caller throws; null when the update succeeded.</summary>
        public ArkManagerException? ToException()
        {
            if (Succeeded)
            {
                return null;
            }

            if (Error != null)
            {
                return new ImageUpdateException(Image, ErrorId ?? "ImageUpdateFailed", $"Updating image '{Image}' failed: {Error}");
            }

            return (ArkManagerException?)FirstFailure?.ToException($"Updating image '{Image}'") ?? new ImageUpdateException(Image, "ImageUpdateFailed", "Updating image '" + Image + "' did not succeed: " + Summary);
        }
    }

    /// <summary>One record of the update history (one server, one update, rollback or recreate).</summary>
    public sealed record UpdateHistoryRecord
    {
        /// <summary>Unique id.</summary>
        public string Id { get; init; } = string.Empty;

        /// <summary>Update, Recreate, Rollback or Recovery.</summary>
        public string Kind { get; init; } = string.Empty;

        /// <summary>The server.</summary>
        public string Server { get; init; } = string.Empty;

        /// <summary>The server's owner, when set.</summary>
        public string? Owner { get; init; }

        /// <summary>The image reference.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>The image id before.</summary>
        public string OldImageId { get; init; } = string.Empty;

        /// <summary>The image id after (or targeted).</summary>
        public string NewImageId { get; init; } = string.Empty;

        /// <summary>The repository digest before.</summary>
        public string? OldDigest { get; init; }

        /// <summary>The repository digest after (or targeted).</summary>
        public string? NewDigest { get; init; }

        /// <summary>The container before.</summary>
        public string OldContainerId { get; init; } = string.Empty;

        /// <summary>The container after.</summary>
        public string NewContainerId { get; init; } = string.Empty;

        /// <summary>How it ended.</summary>
        public UpdateOutcome Outcome { get; init; }

        /// <summary>Why it failed or rolled back.</summary>
        public string? Error { get; init; }

        /// <summary>When it started.</summary>
        public DateTimeOffset StartedAt { get; init; }

        /// <summary>When it ended.</summary>
        public DateTimeOffset FinishedAt { get; init; }

        /// <summary>The steps with timings.</summary>
        public IReadOnlyList<StepRecord> Steps { get; init; } = Array.Empty<StepRecord>();

        /// <summary>The backup archive, when one was made.</summary>
        public string? BackupPath { get; init; }
    }

    /// <summary>Which history records to return.</summary>
    public sealed record UpdateHistoryFilter
    {
        /// <summary>Only this server.</summary>
        public string? Server { get; init; }

        /// <summary>Only this image reference.</summary>
        public string? Image { get; init; }

        /// <summary>Only records that started at or after this time.</summary>
        public DateTimeOffset? Since { get; init; }

        /// <summary>Only the newest N records.</summary>
        public int? Last { get; init; }

        /// <summary>Only this owner's servers.</summary>
        public string? Owner { get; init; }
    }

    /// <summary>What <see cref="IArkImageManager.RemoveOldImagesAsync"/> did with one image.</summary>
    public sealed record ImageCleanupEntry
    {
        /// <summary>The image id.</summary>
        public string Id { get; init; } = string.Empty;

        /// <summary>Its tags.</summary>
        public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();

        /// <summary>When it was built.</summary>
        public DateTimeOffset Created { get; init; }

        /// <summary>Why it was removed or kept.</summary>
        public string Reason { get; init; } = string.Empty;
    }

    /// <summary>The result of removing old images of a repository.</summary>
    public sealed record ImageCleanupResult
    {
        /// <summary>The repository.</summary>
        public string Repository { get; init; } = string.Empty;

        /// <summary>Images removed.</summary>
        public IReadOnlyList<ImageCleanupEntry> Removed { get; init; } = Array.Empty<ImageCleanupEntry>();

        /// <summary>Images kept, with the reason.</summary>
        public IReadOnlyList<ImageCleanupEntry> Kept { get; init; } = Array.Empty<ImageCleanupEntry>();
    }
}
