using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Docker
{
    /// <summary>
    /// Swarm services over one engine that is a Swarm manager: the one-replica services that are ARK servers. Failures
    /// come back as this library's exceptions, never as Docker.DotNet's.
    /// </summary>
    internal interface IServiceOperations
    {
        /// <summary>True when the engine is a manager of a Swarm (only a manager can list, create or update services).</summary>
        Task<bool> IsSwarmManagerAsync(CancellationToken cancellationToken);

        /// <summary>The services with a label (<c>key</c> or <c>key=value</c>); an engine that is no Swarm manager has none.</summary>
        Task<IReadOnlyList<ServiceDetails>> ListAsync(string labelFilter, CancellationToken cancellationToken);

        /// <summary>The service, or null when there is none by that id or name.</summary>
        Task<ServiceDetails?> TryInspectAsync(string idOrName, CancellationToken cancellationToken);

        /// <summary>
        /// Creates a one-replica service from <paramref name="spec"/> running <paramref name="pinnedImage"/>
        /// (<c>repo:tag@sha256:…</c>) under the placement constraint; <see cref="ServerAlreadyExistsException"/> when the name is taken.
        /// </summary>
        Task<string> CreateServerAsync(ServerSpec spec, ImageReference reference, string pinnedImage, string constraint, CancellationToken cancellationToken);

        /// <summary>
        /// Updates the service to <paramref name="pinnedImage"/> with stop-first order, failure action rollback and the
        /// given monitor period (the engine's own rollout); returns at once, follow it with <see cref="TryInspectAsync"/>.
        /// </summary>
        Task UpdateImageAsync(string id, string pinnedImage, TimeSpan monitor, CancellationToken cancellationToken);

        /// <summary>The engine's rollback of the service to its previous spec (<c>docker service rollback</c>).</summary>
        Task RollbackAsync(string id, CancellationToken cancellationToken);

        /// <summary>The tasks of a service (newest first).</summary>
        Task<IReadOnlyList<ServiceTaskDetails>> TasksAsync(string serviceId, CancellationToken cancellationToken);

        /// <summary>The nodes of the Swarm.</summary>
        Task<IReadOnlyList<SwarmNodeDetails>> NodesAsync(CancellationToken cancellationToken);
    }

    /// <summary>What the library needs to know of one service.</summary>
    internal sealed record ServiceDetails
    {
        public string Id { get; init; } = string.Empty;

        public string Name { get; init; } = string.Empty;

        /// <summary>The spec version (an update must name it).</summary>
        public ulong Version { get; init; }

        public DateTimeOffset Created { get; init; }

        /// <summary>The service's labels (the same as its containers').</summary>
        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

        /// <summary>The image of the spec, as the engine holds it (<c>repo:tag@sha256:…</c> when pinned).</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>The image of the previous spec (what the engine's rollback returns to), when there is one.</summary>
        public string? PreviousImage { get; init; }

        /// <summary>The update status: updating, paused, completed, rollback_started, rollback_paused, rollback_completed; null before any update.</summary>
        public string? UpdateState { get; init; }

        public string? UpdateMessage { get; init; }

        public TimeSpan? StopGracePeriod { get; init; }

        public string? StopSignal { get; init; }

        public IReadOnlyList<string> Env { get; init; } = Array.Empty<string>();

        /// <summary>Published ports as <c>published-&gt;target/proto (mode)</c>.</summary>
        public IReadOnlyList<string> Ports { get; init; } = Array.Empty<string>();

        /// <summary>Volume mounts as <c>source:target</c>.</summary>
        public IReadOnlyList<string> Mounts { get; init; } = Array.Empty<string>();

        public IReadOnlyList<string> Constraints { get; init; } = Array.Empty<string>();

        public string? Label(string key) => Labels.TryGetValue(key, out var value) ? value : null;

        /// <summary>The <c>sha256:…</c> digest the spec pins, or null when it names a tag only.</summary>
        public static string? DigestOf(string? image)
        {
            var at = image?.LastIndexOf('@') ?? -1;
            return at < 0 ? null : image!.Substring(at + 1);
        }
    }

    /// <summary>One task of a service.</summary>
    internal sealed record ServiceTaskDetails
    {
        public string Id { get; init; } = string.Empty;

        public string NodeId { get; init; } = string.Empty;

        /// <summary>The task's state in Docker's words: new, pending, preparing, starting, running, complete, shutdown, failed, rejected, …</summary>
        public string State { get; init; } = string.Empty;

        public string DesiredState { get; init; } = string.Empty;

        public string? ContainerId { get; init; }

        public string Image { get; init; } = string.Empty;

        public string? Error { get; init; }

        public DateTimeOffset Timestamp { get; init; }
    }

    /// <summary>One node of the Swarm.</summary>
    internal sealed record SwarmNodeDetails
    {
        public string Id { get; init; } = string.Empty;

        public string Hostname { get; init; } = string.Empty;

        public string Address { get; init; } = string.Empty;

        public string State { get; init; } = string.Empty;

        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    }
}
