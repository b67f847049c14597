using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Docker
{
    /// <summary>
    /// Everything the library does to containers, over one engine. Failures come back as this library's exceptions
    /// (<see cref="ContainerNotFoundException"/>, <see cref="DockerOperationException"/>, <see cref="DockerUnavailableException"/>),
    /// never as Docker.DotNet's.
    /// </summary>
    internal interface IContainerOperations
    {
        /// <summary>The container, or null when there is none by that id or name.</summary>
        Task<ContainerDetails?> TryInspectAsync(string idOrName, CancellationToken cancellationToken);

        /// <summary>The container's full inspect as the daemon's JSON (for snapshots).</summary>
        Task<string> InspectJsonAsync(string idOrName, CancellationToken cancellationToken);

        /// <summary>Every container (running or not), optionally only those with a label (<c>key</c> or <c>key=value</c>).</summary>
        Task<IReadOnlyList<ContainerSummary>> ListAsync(string? labelFilter, CancellationToken cancellationToken);

        /// <summary>Creates a new server container; <see cref="ServerAlreadyExistsException"/> when the name is taken.</summary>
        Task<string> CreateServerAsync(ServerSpec spec, ImageReference reference, CancellationToken cancellationToken);

        /// <summary>
        /// Creates the replacement of a container: its whole configuration carried over onto another image, under a
        /// temporary name, connected to every network the old one had. <paramref name="created"/> is called with the new
        /// id as soon as it exists (before the network connects), so a journal can record it.
        /// </summary>
        Task<ReplacementResult> CreateReplacementAsync(ReplacementRequest request, Action<string> created, CancellationToken cancellationToken);

        Task StartAsync(string id, CancellationToken cancellationToken);

        /// <summary>
        /// Stops the container, giving it <paramref name="timeout"/> (null: its own StopTimeout, else Docker's 10 s) after
        /// its stop signal before the kill. A container that is not running, or is gone, is left as it is.
        /// </summary>
        Task StopAsync(string id, TimeSpan? timeout, CancellationToken cancellationToken);

        Task RenameAsync(string id, string newName, CancellationToken cancellationToken);

        /// <summary>Removes the container, never its volumes. Gone already is success.</summary>
        Task RemoveAsync(string id, bool force, CancellationToken cancellationToken);

        /// <summary>The container's stdout and stderr (the last <paramref name="tail"/> lines, or all).</summary>
        Task<string> ReadLogAsync(string id, string? tail, CancellationToken cancellationToken);

        /// <summary>A tar stream of a path in the container (works on a stopped container).</summary>
        Task<Stream> GetArchiveAsync(string id, string path, CancellationToken cancellationToken);

        /// <summary>The modification time (UTC) of a path in the container; null when it does not exist.</summary>
        Task<DateTime?> GetPathModifiedAsync(string id, string path, CancellationToken cancellationToken);

        /// <summary>Unpacks a tar stream into a directory of the container (no request timeout: uploads grow with the data).</summary>
        Task ExtractArchiveAsync(string id, string directory, Stream tar, CancellationToken cancellationToken);

        /// <summary>Waits until the container exits; its exit code.</summary>
        Task<long> WaitAsync(string id, CancellationToken cancellationToken);

        /// <summary>Changes the restart policy (no, always, unless-stopped, on-failure).</summary>
        Task SetRestartPolicyAsync(string id, string policy, long maxRetries, CancellationToken cancellationToken);
    }

    /// <summary>What a replacement is made of.</summary>
    internal sealed record ReplacementRequest
    {
        public string OldContainerId { get; init; } = string.Empty;

        public string OldImageId { get; init; } = string.Empty;

        public string TargetImageId { get; init; } = string.Empty;

        /// <summary>What goes into Config.Image (a reference, or an image id for a rollback).</summary>
        public string TargetConfigImage { get; init; } = string.Empty;

        public string Name { get; init; } = string.Empty;

        /// <summary>Labels set on top of the carried ones (the server, image and owner labels).</summary>
        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    }

    /// <summary>The replacement that was created, and what could not be carried exactly.</summary>
    internal sealed record ReplacementResult(string Id, IReadOnlyList<string> Warnings);
}
