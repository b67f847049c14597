using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

namespace ArkManager.Images.Docker
{
    /// <summary>Containers over one engine's client: inspect, list, create, the lifecycle calls and the archive API.</summary>
    internal sealed class ContainerOperations : IContainerOperations
    {
        /// <summary>Docker's own default when a container sets no StopTimeout.</summary>
        internal static readonly TimeSpan DockerDefaultStopTimeout = TimeSpan.FromSeconds(10);

        private static readonly JsonSerializerOptions SnapshotJson = new JsonSerializerOptions { WriteIndented = true };
        private readonly DockerConnection _connection;

        public ContainerOperations(DockerConnection connection)
        {
            _connection = connection;
        }

        public async Task<ContainerDetails?> TryInspectAsync(string idOrName, CancellationToken cancellationToken)
        {
            var raw = await TryInspectRawAsync(idOrName, cancellationToken).ConfigureAwait(false);
            return raw is null ? null : DockerModelMapper.ToDetails(raw);
        }

        public async Task<string> InspectJsonAsync(string idOrName, CancellationToken cancellationToken)
        {
            var raw = await TryInspectRawAsync(idOrName, cancellationToken).ConfigureAwait(false) ?? throw new ContainerNotFoundException(idOrName);
            return JsonSerializer.Serialize(raw, SnapshotJson);
        }

        public async Task<IReadOnlyList<ContainerSummary>> ListAsync(string? labelFilter, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var parameters = new ContainersListParameters { All = true };
            if (labelFilter != null)
            {
                parameters.Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [labelFilter] = true } };
            }

            var list = await Call("Listing containers", labelFilter ?? "*", () => client.Containers.ListContainersAsync(parameters, cancellationToken)).ConfigureAwait(false);
            return list.Select(DockerModelMapper.ToSummary).ToList();
        }

        public async Task<string> CreateServerAsync(ServerSpec spec, ImageReference reference, CancellationToken cancellationToken)
        {
            var parameters = ServerContainerSpec.Build(spec, reference);
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var created = await Call("Creating server", spec.Name, () => client.Containers.CreateContainerAsync(parameters, cancellationToken)).ConfigureAwait(false);
                return created.ID;
            }
            catch (DockerOperationException ex) when (ex.StatusCode == (int)HttpStatusCode.Conflict)
            {
                throw new ServerAlreadyExistsException(spec.Name);
            }
        }

        public async Task<ReplacementResult> CreateReplacementAsync(ReplacementRequest request, Action<string> created, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var old = await TryInspectRawAsync(request.OldContainerId, cancellationToken).ConfigureAwait(false) ?? throw new ContainerNotFoundException(request.OldContainerId);
            var oldImage = await InspectImageRawAsync(client, request.OldImageId, cancellationToken).ConfigureAwait(false);
            var newImage = await InspectImageRawAsync(client, request.TargetImageId, cancellationToken).ConfigureAwait(false);
            var plan = RecreateSpec.Build(old, oldImage, newImage, request.TargetConfigImage, request.Name, _connection.ApiVersion);
            var labels = plan.Create.Labels ?? new Dictionary<string, string>();
            foreach (var pair in request.Labels)
            {
                labels[pair.Key] = pair.Value;
            }

            plan.Create.Labels = labels;
            var response = await Call("Creating the replacement of", old.Name.TrimStart('/'), () => client.Containers.CreateContainerAsync(plan.Create, cancellationToken)).ConfigureAwait(false);
            created(response.ID);
            foreach (var network in plan.ConnectAfterCreate)
            {
                await Call("Connecting the replacement to network", network.NetworkName,
                    () => client.Networks.ConnectNetworkAsync(network.NetworkName, new NetworkConnectParameters { Container = response.ID, EndpointConfig = network.Settings }, cancellationToken)).ConfigureAwait(false);
            }

            return new ReplacementResult(response.ID, plan.Warnings);
        }

        public async Task StartAsync(string id, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            await Call("Starting container", id, () => client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken)).ConfigureAwait(false);
        }

        public async Task StopAsync(string id, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            var current = await TryInspectAsync(id, cancellationToken).ConfigureAwait(false);
            if (current is null || (!current.Running && !current.Restarting && !current.Paused))
            {
                return;
            }

            var wait = timeout ?? current.StopTimeout ?? DockerDefaultStopTimeout;
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Call("Stopping container", current.Name, () => client.Containers.StopContainerAsync(id,
                    new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(Math.Max(0, wait.TotalSeconds)) }, cancellationToken)).ConfigureAwait(false);
            }
            catch (DockerOperationException ex) when (ex.StatusCode == (int)HttpStatusCode.NotFound)
            {
                // removed meanwhile: nothing left to stop
            }
        }

        public async Task RenameAsync(string id, string newName, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            await Call("Renaming container", id + " to " + newName, () => client.Containers.RenameContainerAsync(id, new ContainerRenameParameters { NewName = newName }, cancellationToken)).ConfigureAwait(false);
        }

        public async Task RemoveAsync(string id, bool force, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Call("Removing container", id, () => client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { RemoveVolumes = false, Force = force }, cancellationToken)).ConfigureAwait(false);
            }
            catch (DockerOperationException ex) when (ex.StatusCode == (int)HttpStatusCode.NotFound)
            {
            }
        }

        public async Task<string> ReadLogAsync(string id, string? tail, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            using var stream = await Call("Reading the log of container", id, () => client.Containers.GetContainerLogsAsync(id,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = tail ?? "all" }, cancellationToken)).ConfigureAwait(false);
            using var stdout = new MemoryStream();
            using var stderr = new MemoryStream();
            await stream.CopyOutputToAsync(Stream.Null, stdout, stderr, cancellationToken).ConfigureAwait(false);
            return Encoding.UTF8.GetString(stdout.ToArray()) + Encoding.UTF8.GetString(stderr.ToArray());
        }

        public async Task<Stream> GetArchiveAsync(string id, string path, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var response = await Call("Reading", id + ":" + path, () => client.Containers.GetArchiveFromContainerAsync(id, new ContainerPathStatParameters { Path = path }, false, cancellationToken)).ConfigureAwait(false);
            return response.Stream ?? throw new DockerOperationException("Reading", id + ":" + path, null, "the daemon returned no archive stream");
        }

        public async Task<DateTime?> GetPathModifiedAsync(string id, string path, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var response = await Call("Reading", id + ":" + path, () => client.Containers.GetArchiveFromContainerAsync(id, new ContainerPathStatParameters { Path = path }, true, cancellationToken)).ConfigureAwait(false);
                response.Stream?.Dispose();
                var mtime = response.Stat?.Mtime;
                if (mtime is null || mtime.Value == default)
                {
                    return null;
                }

                return mtime.Value.Kind == DateTimeKind.Local ? mtime.Value.ToUniversalTime() : DateTime.SpecifyKind(mtime.Value, DateTimeKind.Utc);
            }
            catch (DockerOperationException ex) when (ex.StatusCode == (int)HttpStatusCode.NotFound)
            {
                return null;
            }
        }

        public async Task ExtractArchiveAsync(string id, string directory, Stream tar, CancellationToken cancellationToken)
        {
            // The upload goes through the client without a request timeout: its length grows with the data.
            var transfer = await _connection.GetTransferClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Call("Writing", id + ":" + directory, () => transfer.Containers.ExtractArchiveToContainerAsync(id, new CopyToContainerParameters { Path = directory }, tar, cancellationToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Docker.DotNet bounds an upload by the client's request timeout and reports it as a cancellation.
                throw new DockerOperationException("Writing", id + ":" + directory, null,
                    "the daemon did not take the data within the Docker request timeout (ArkManagerOptions.DockerRequestTimeout); raise the timeout and try again", ex);
            }
        }

        public async Task<long> WaitAsync(string id, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var response = await Call("Waiting for container", id, () => client.Containers.WaitContainerAsync(id, cancellationToken)).ConfigureAwait(false);
            return response.StatusCode;
        }

        public async Task SetRestartPolicyAsync(string id, string policy, long maxRetries, CancellationToken cancellationToken)
        {
            var kind = DockerModelMapper.PolicyKind(policy);
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            await Call("Changing the restart policy of container", id, () => client.Containers.UpdateContainerAsync(id,
                new ContainerUpdateParameters { RestartPolicy = new RestartPolicy { Name = kind, MaximumRetryCount = maxRetries } }, cancellationToken)).ConfigureAwait(false);
        }

        private async Task<ContainerInspectResponse?> TryInspectRawAsync(string idOrName, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await Call("Inspecting container", idOrName, () => client.Containers.InspectContainerAsync(idOrName, cancellationToken)).ConfigureAwait(false);
            }
            catch (DockerOperationException ex) when (ex.StatusCode == (int)HttpStatusCode.NotFound)
            {
                return null;
            }
        }

        private Task<ImageInspectResponse> InspectImageRawAsync(DockerClient client, string id, CancellationToken cancellationToken) =>
            Call("Inspecting image", id, () => client.Images.InspectImageAsync(id, cancellationToken));

        private Task<T> Call<T>(string operation, string target, Func<Task<T>> call) => DockerErrors.Call(_connection.Endpoint, operation, target, call);

        private Task Call(string operation, string target, Func<Task> call) => DockerErrors.Call(_connection.Endpoint, operation, target, call);
    }
}
