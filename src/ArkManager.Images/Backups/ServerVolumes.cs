using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Backups
{
    /// <summary>
    /// The server container as backups see it, through <see cref="IContainerOperations"/>: its state and mounts, a tar of
    /// a volume, and writes into a volume. Failures name the server and the volume, as the rest of the backup messages do.
    /// </summary>
    internal sealed class ServerVolumes
    {
        private const string ReadOperation = "Reading the volume of server";
        private const string WriteOperation = "Restoring the volume of server";

        private readonly IContainerOperations _containers;
        private readonly ILogger _logger;

        public ServerVolumes(IContainerOperations containers, ILogger logger)
        {
            _containers = containers;
            _logger = logger;
        }

        /// <summary>The container; <see cref="ServerNotFoundException"/> when it is gone.</summary>
        public async Task<ContainerDetails> InspectAsync(string containerId, string server, CancellationToken cancellationToken)
        {
            ContainerDetails? container;
            try
            {
                container = await _containers.TryInspectAsync(containerId, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerOperationException ex)
            {
                throw new DockerOperationException("Inspecting server", server, ex.StatusCode, ex.DaemonMessage, ex);
            }

            return container ?? throw new ServerNotFoundException(server);
        }

        /// <summary>The container, after checking that it is stopped (<see cref="ServerNotStoppedException"/> otherwise).</summary>
        public async Task<ContainerDetails> InspectStoppedAsync(string containerId, string server, string operation, string? whenActive, CancellationToken cancellationToken)
        {
            var container = await InspectAsync(containerId, server, cancellationToken).ConfigureAwait(false);
            var active = ActiveState(container);
            if (active != null)
            {
                throw new ServerNotStoppedException(server, operation, whenActive is null ? active : active + whenActive);
            }

            return container;
        }

        /// <summary>paused, restarting or running; null when the container is stopped.</summary>
        public static string? ActiveState(ContainerDetails container)
        {
            if (container.Paused)
            {
                return "paused";
            }

            if (container.Restarting)
            {
                return "restarting";
            }

            return container.Running ? "running" : null;
        }

        /// <summary>The volumes and binds of the container (other mounts are logged and skipped), in the order of their destinations.</summary>
        public List<MountDetails> BackedUpMounts(ContainerDetails container, string server)
        {
            var result = new List<MountDetails>();
            foreach (var mount in container.Mounts)
            {
                if (IsBackedUp(mount))
                {
                    result.Add(mount);
                }
                else
                {
                    BackupLog.MountSkipped(_logger, server, mount.Type.Length == 0 ? "unknown" : mount.Type, mount.Destination);
                }
            }

            return result.OrderBy(m => BackupPaths.NormalizeDestination(m.Destination), StringComparer.Ordinal).ToList();
        }

        /// <summary>True for the mounts a backup holds: volumes and binds.</summary>
        public static bool IsBackedUp(MountDetails mount) => mount.Type == "volume" || mount.Type == "bind";

        /// <summary>Mount points (of any type: volumes, binds, tmpfs) inside <paramref name="destination"/>, relative to it.</summary>
        public static List<string> NestedMounts(ContainerDetails container, string destination) =>
            container.Mounts
                .Select(m => BackupPaths.NormalizeDestination(m.Destination))
                .Where(d => d != destination && BackupPaths.IsUnder(d, destination))
                .Select(d => BackupPaths.Relative(d, destination))
                .Distinct(StringComparer.Ordinal)
                .OrderBy(d => d, StringComparer.Ordinal)
                .ToList();

        /// <summary>The daemon's tar of the volume mounted at <paramref name="destination"/> (entries under its base name).</summary>
        public async Task<Stream> ReadAsync(string containerId, string server, string destination, CancellationToken cancellationToken)
        {
            try
            {
                return await _containers.GetArchiveAsync(containerId, destination, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerOperationException ex)
            {
                throw new DockerOperationException(ReadOperation, server + ":" + destination, ex.StatusCode, ex.DaemonMessage, ex);
            }
        }

        /// <summary>Unpacks one part of a volume's tar into <paramref name="parent"/>, the directory holding the mount point.</summary>
        public async Task WriteAsync(string containerId, string server, string destination, string parent, Stream tar, CancellationToken cancellationToken)
        {
            // The engine replaces a directory by a file of the same name (a directory that must be emptied is replaced by a
            // file first); the upload has no request timeout, as its length grows with the data.
            try
            {
                await _containers.ExtractArchiveAsync(containerId, parent, tar, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerOperationException ex) when (ex.StatusCode is null && ex.InnerException is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new DockerOperationException(WriteOperation, server + ":" + destination, null,
                    "the daemon did not take this part of the volume within the Docker request timeout (ArkManagerOptions.DockerRequestTimeout); " +
                    "the restore stopped part-way: raise the timeout and restore again", ex);
            }
            catch (DockerOperationException ex)
            {
                throw new DockerOperationException(WriteOperation, server + ":" + destination, ex.StatusCode, ex.DaemonMessage, ex);
            }
        }
    }
}
