using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Servers
{
    /// <summary>
    /// Servers that are Swarm services (on an engine that is a Swarm manager): listed like containers (node, task state,
    /// pinned digest), created as one replica placed on one node.
    /// </summary>
    internal sealed class ServiceServers
    {
        /// <summary>The node label a server is placed by: <c>ark=&lt;value&gt;</c>.</summary>
        public const string NodeLabel = "ark";

        private readonly IServiceOperations _services;
        private readonly ILogger _logger;

        public ServiceServers(IServiceOperations services, ILogger logger)
        {
            _services = services;
            _logger = logger;
        }

        public IServiceOperations Operations => _services;

        /// <summary>The servers that are services (none when the engine is no Swarm manager).</summary>
        public async Task<IReadOnlyList<ServerInfo>> ListAsync(string? name, CancellationToken cancellationToken)
        {
            var filter = name is null ? ServerLabels.Server : ServerLabels.Server + "=" + name;
            var services = await _services.ListAsync(filter, cancellationToken).ConfigureAwait(false);
            var result = new List<ServerInfo>();
            foreach (var service in services)
            {
                var tasks = await _services.TasksAsync(service.Id, cancellationToken).ConfigureAwait(false);
                result.Add(ToServerInfo(service, tasks));
            }

            return result;
        }

        /// <summary>The task that is the server now: the newest one meant to run, else the newest one.</summary>
        public static ServiceTaskDetails? CurrentTask(IReadOnlyList<ServiceTaskDetails> tasks) =>
            tasks.FirstOrDefault(t => t.DesiredState == "running") ?? tasks.FirstOrDefault();

        /// <summary>
        /// The placement constraint for <paramref name="node"/>: a node id (or unique id prefix of at least 5 characters)
        /// places by id, else the value of the node label <c>ark</c>, which some node must carry.
        /// </summary>
        public async Task<string> ConstraintForAsync(string server, string? node, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(node))
            {
                throw new SwarmServiceException(server, "A service needs a node (-Node): the value of its node label 'ark' (docker node update --label-add ark=<value> <node>) or its node id; volumes are node-local, so a server stays on one node.");
            }

            if (!await _services.IsSwarmManagerAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new SwarmServiceException(server, "The Docker endpoint is not a Swarm manager: create services on a manager (docker swarm init), or create a container without -AsService.");
            }

            var nodes = await _services.NodesAsync(cancellationToken).ConfigureAwait(false);
            var byId = nodes.Where(n => n.Id == node || (node!.Length >= 5 && n.Id.StartsWith(node, StringComparison.Ordinal))).ToList();
            if (byId.Count == 1)
            {
                return "node.id==" + byId[0].Id;
            }

            if (nodes.Any(n => n.Labels.TryGetValue(NodeLabel, out var value) && value == node))
            {
                return "node.labels." + NodeLabel + "==" + node;
            }

            var labelled = nodes.Where(n => n.Labels.ContainsKey(NodeLabel)).Select(n => NodeLabel + "=" + n.Labels[NodeLabel] + " (" + n.Id + ")").ToList();
            throw new SwarmServiceException(server, $"No node of the Swarm has the id '{node}' or the label {NodeLabel}={node}" +
                                        (labelled.Count == 0 ? "; no node carries an 'ark' label yet" : "; labelled nodes: " + string.Join(", ", labelled)) + ".");
        }

        /// <summary>Creates the service; the image is already pinned (<c>repo:tag@sha256:…</c>).</summary>
        public async Task<string> CreateAsync(ServerSpec spec, ImageReference reference, string pinnedImage, string constraint, CancellationToken cancellationToken)
        {
            var id = await _services.CreateServerAsync(spec, reference, pinnedImage, constraint, cancellationToken).ConfigureAwait(false);
            Internal.Log.ServerCreated(_logger, spec.Name, id, pinnedImage);
            return id;
        }

        internal static ServerInfo ToServerInfo(ServiceDetails service, IReadOnlyList<ServiceTaskDetails> tasks)
        {
            var task = CurrentTask(tasks);
            var serverName = service.Label(ServerLabels.Server);
            var image = service.Label(ServerLabels.Image);
            var state = task?.State ?? "pending";
            var update = service.UpdateState is null ? string.Empty : ", update " + service.UpdateState;
            return new ServerInfo
            {
                Kind = ServerKind.Service,
                Name = serverName ?? service.Name,
                ContainerId = service.Id,
                ContainerName = service.Name,
                Image = string.IsNullOrEmpty(image) ? service.Image : image!,
                ImageId = string.Empty,
                State = state == "running" ? "running" : state,
                Status = "Service task " + state + (task is null ? string.Empty : " on node " + task.NodeId) + update +
                         (task?.Error is null ? string.Empty : ": " + task.Error),
                Created = service.Created,
                StopTimeout = service.StopGracePeriod,
                StopSignal = service.StopSignal,
                Ports = service.Ports,
                Labels = service.Labels,
                Owner = service.Label(ServerLabels.Owner),
                Cluster = service.Label(ServerLabels.Cluster),
                HasRcon = service.Label(ServerLabels.RconPort) != null,
                Node = task?.NodeId,
                TaskState = task?.State,
                PinnedDigest = ServiceDetails.DigestOf(service.Image),
                Problem = serverName != null && !ServerSpecParser.IsValidName(serverName)
                    ? $"its label {ServerLabels.Server}='{serverName}' is not a valid server name: relabel the service; until then it is never touched"
                    : null,
            };
        }
    }
}
