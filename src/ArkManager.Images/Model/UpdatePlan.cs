using System;
using System.Collections.Generic;
using System.Linq;

namespace ArkManager.Images
{
    /// <summary>A container created from an image reference (a server or not).</summary>
    public sealed record ContainerInfo
    {
        /// <summary>The configured host the container is on; null with a single engine.</summary>
        public string? Host { get; init; }

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
        /// <summary>The configured host the server runs on; null with a single engine.</summary>
        public string? Host { get; init; }

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

        /// <summary>A container, or a Swarm service (then <see cref="Digest"/> is the digest its spec pins).</summary>
        public ServerKind Kind { get; init; }
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

        /// <summary>A Swarm service: the engine's service update (stop-first, failure action rollback) or rollback was asked for.</summary>
        ServiceUpdate,

        /// <summary>A Swarm service: the engine's rollout, followed until its update status ends (updated, rolled back, paused).</summary>
        Rollout,
    }

    /// <summary>Progress of an update or recreate.</summary>
    public sealed record UpdateProgress
    {
        /// <summary>The configured host the progress is from; null with a single engine.</summary>
        public string? Host { get; init; }

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

    /// <summary>What an update will do (the -WhatIf answer).</summary>
    public sealed record UpdatePlanItem
    {
        /// <summary>The configured host of the server; null with a single engine.</summary>
        public string? Host { get; init; }

        // ToString shows list properties as their values, not their type name (see RecordText).
        private bool PrintMembers(System.Text.StringBuilder builder) => RecordText.PrintMembers(this, builder);

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

        /// <summary>
        /// The target image failed its health gate before (an update rolled back): the server is left as it is until the
        /// registry (or the local image) offers another digest, or the update is forced.
        /// </summary>
        Quarantined,
    }
}
