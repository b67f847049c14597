using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using global::Docker.DotNet.Models;

namespace ArkManager.Images.Docker
{
    /// <summary>Swarm services over one manager engine's client: list, inspect, create, update, the engine's rollback, tasks and nodes.</summary>
    internal sealed class ServiceOperations : IServiceOperations
    {
        private readonly DockerConnection _connection;

        public ServiceOperations(DockerConnection connection)
        {
            _connection = connection;
        }

        public async Task<bool> IsSwarmManagerAsync(CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var info = await Call("Reading the engine's Swarm state", _connection.Endpoint.Display, () => client.System.GetSystemInfoAsync(cancellationToken)).ConfigureAwait(false);
            return info.Swarm?.ControlAvailable == true;
        }

        public async Task<IReadOnlyList<ServiceDetails>> ListAsync(string labelFilter, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var parameters = new ServiceListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [labelFilter] = true } },
            };
            try
            {
                var list = await Call("Listing services", labelFilter, () => client.Swarm.ListServicesAsync(parameters, cancellationToken)).ConfigureAwait(false);
                return list.Select(ToDetails).ToList();
            }
            catch (DockerOperationException ex) when (ex.StatusCode == (int)HttpStatusCode.ServiceUnavailable)
            {
                return Array.Empty<ServiceDetails>(); // not a Swarm manager: no services
            }
        }

        public async Task<ServiceDetails?> TryInspectAsync(string idOrName, CancellationToken cancellationToken)
        {
            var raw = await TryInspectRawAsync(idOrName, cancellationToken).ConfigureAwait(false);
            return raw is null ? null : ToDetails(raw);
        }

        public async Task<string> CreateServerAsync(ServerSpec spec, ImageReference reference, string pinnedImage, string constraint, CancellationToken cancellationToken)
        {
            var parameters = ServerServiceSpec.Build(spec, reference, pinnedImage, constraint);
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var created = await Call("Creating service", spec.Name, () => client.Swarm.CreateServiceAsync(parameters, cancellationToken)).ConfigureAwait(false);
                return created.ID ?? string.Empty;
            }
            catch (DockerOperationException ex) when (ex.StatusCode == (int)HttpStatusCode.Conflict)
            {
                throw new ServerAlreadyExistsException(spec.Name);
            }
        }

        public async Task UpdateImageAsync(string id, string pinnedImage, TimeSpan monitor, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var current = await TryInspectRawAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new ServerNotFoundException(id);
            var spec = current.Spec ?? throw new ServerNotFoundException(id);
            spec.TaskTemplate!.ContainerSpec!.Image = pinnedImage;
            spec.UpdateConfig = ServerServiceSpec.RolloutConfig(monitor, "rollback");
            spec.RollbackConfig = ServerServiceSpec.RolloutConfig(monitor, "pause");
            await Call("Updating service", spec.Name ?? id, () => client.Swarm.UpdateServiceAsync(id,
                new ServiceUpdateParameters { Service = spec, Version = (long)(current.Version?.Index ?? 0) }, cancellationToken)).ConfigureAwait(false);
        }

        public async Task RollbackAsync(string id, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var current = await TryInspectRawAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new ServerNotFoundException(id);
            await Call("Rolling back service", current.Spec?.Name ?? id, () => client.Swarm.UpdateServiceAsync(id,
                new ServiceUpdateParameters { Service = current.Spec ?? throw new ServerNotFoundException(id), Version = (long)(current.Version?.Index ?? 0), Rollback = "previous" }, cancellationToken)).ConfigureAwait(false);
        }

        public async Task<IReadOnlyList<ServiceTaskDetails>> TasksAsync(string serviceId, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var parameters = new TasksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [serviceId] = true } },
            };
            var tasks = await Call("Listing the tasks of service", serviceId, () => client.Tasks.ListAsync(parameters, cancellationToken)).ConfigureAwait(false);
            return tasks.Select(t => new ServiceTaskDetails
            {
                Id = t.ID,
                NodeId = t.NodeID ?? string.Empty,
                State = Word(t.Status?.State),
                DesiredState = Word(t.DesiredState),
                ContainerId = string.IsNullOrEmpty(t.Status?.ContainerStatus?.ContainerID) ? null : t.Status!.ContainerStatus!.ContainerID,
                Image = t.Spec?.ContainerSpec?.Image ?? string.Empty,
                Error = string.IsNullOrEmpty(t.Status?.Err) ? null : t.Status!.Err,
                Timestamp = Utc(t.Status?.Timestamp ?? t.UpdatedAt ?? t.CreatedAt),
            }).OrderByDescending(t => t.Timestamp).ToList();
        }

        public async Task<IReadOnlyList<SwarmNodeDetails>> NodesAsync(CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var nodes = await Call("Listing the Swarm's nodes", _connection.Endpoint.Display, () => client.Swarm.ListNodesAsync(cancellationToken)).ConfigureAwait(false);
            return nodes.Select(n => new SwarmNodeDetails
            {
                Id = n.ID,
                Hostname = n.Description?.Hostname ?? string.Empty,
                Address = n.Status?.Addr ?? string.Empty,
                State = n.Status?.State ?? string.Empty,
                Labels = n.Spec?.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(n.Spec.Labels, StringComparer.Ordinal),
            }).ToList();
        }

        private static ServiceDetails ToDetails(SwarmService s)
        {
            var container = s.Spec?.TaskTemplate?.ContainerSpec;
            var ports = (s.Spec?.EndpointSpec?.Ports ?? new List<PortConfig>())
                .Select(p => string.Format(CultureInfo.InvariantCulture, "{0}->{1}/{2} ({3})", p.PublishedPort, p.TargetPort, p.Protocol, p.PublishMode))
                .ToList();
            return new ServiceDetails
            {
                Id = s.ID,
                Name = s.Spec?.Name ?? string.Empty,
                Version = s.Version?.Index ?? 0,
                Created = Utc(s.CreatedAt),
                Labels = s.Spec?.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(s.Spec.Labels, StringComparer.Ordinal),
                Image = container?.Image ?? string.Empty,
                PreviousImage = s.PreviousSpec?.TaskTemplate?.ContainerSpec?.Image,
                UpdateState = string.IsNullOrEmpty(s.UpdateStatus?.State) ? null : s.UpdateStatus!.State,
                UpdateMessage = s.UpdateStatus?.Message,
                StopGracePeriod = container?.StopGracePeriod,
                StopSignal = container?.StopSignal,
                Env = container?.Env?.ToList() ?? new List<string>(),
                Ports = ports,
                Mounts = (container?.Mounts ?? new List<Mount>()).Select(m => m.Source + ":" + m.Target).ToList(),
                Constraints = s.Spec?.TaskTemplate?.Placement?.Constraints?.ToList() ?? new List<string>(),
            };
        }

        private static string Word(TaskState? state) => state is null ? string.Empty : state.Value.ToString().ToLowerInvariant();

        private static DateTimeOffset Utc(DateTime? time) => time is null ? default : new DateTimeOffset(DateTime.SpecifyKind(time.Value.ToUniversalTime(), DateTimeKind.Utc));

        private async Task<SwarmService?> TryInspectRawAsync(string idOrName, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await Call("Inspecting service", idOrName, () => client.Swarm.InspectServiceAsync(idOrName, cancellationToken)).ConfigureAwait(false);
            }
            catch (DockerOperationException ex) when (ex.StatusCode == (int)HttpStatusCode.NotFound || ex.StatusCode == (int)HttpStatusCode.ServiceUnavailable)
            {
                return null;
            }
        }

        private Task<T> Call<T>(string operation, string target, Func<Task<T>> call) => DockerErrors.Call(_connection.Endpoint, operation, target, call);

        private Task Call(string operation, string target, Func<Task> call) => DockerErrors.Call(_connection.Endpoint, operation, target, call);
    }
}
