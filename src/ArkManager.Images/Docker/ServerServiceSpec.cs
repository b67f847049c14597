using System;
using System.Collections.Generic;
using System.Linq;
using global::Docker.DotNet.Models;

namespace ArkManager.Images.Docker
{
    /// <summary>
    /// The spec of a server as a Swarm service (<c>New-ArkServer -AsService</c>): one replica under a placement
    /// constraint (volumes are node-local), named volumes, host-mode published ports, the stop grace period from the stop
    /// timeout, the same labels as a server container, and the image pinned by digest.
    /// </summary>
    internal static class ServerServiceSpec
    {
        /// <summary>How long the engine watches a new task before it counts the update as done, when no health timeout is given.</summary>
        public static readonly TimeSpan DefaultMonitor = TimeSpan.FromSeconds(30);

        /// <summary>Refuses what a service cannot carry (a port without a fixed host port, a host address) before any I/O.</summary>
        public static void Validate(ServerSpec spec, ImageReference reference)
        {
            ServerContainerSpec.Validate(spec, reference);
            foreach (var port in spec.Ports)
            {
                if (port.HostPort is null || port.HostPort == 0)
                {
                    throw new ArgumentException($"Port '{port}' of a service needs a fixed host port (host-mode publishing on the node: hostPort:containerPort/proto).", nameof(spec));
                }

                if (!string.IsNullOrEmpty(port.HostIp))
                {
                    throw new ArgumentException($"Port '{port}': a Swarm service publishes on every address of its node; drop the host address.", nameof(spec));
                }
            }
        }

        public static ServiceCreateParameters Build(ServerSpec spec, ImageReference reference, string pinnedImage, string constraint)
        {
            Validate(spec, reference);
            var container = ServerContainerSpec.Build(spec, reference);
            var labels = new Dictionary<string, string>(container.Labels, StringComparer.Ordinal);
            var mounts = (container.HostConfig?.Mounts ?? new List<Mount>()).Select(m => new Mount { Type = m.Type, Source = m.Source, Target = m.Target, ReadOnly = m.ReadOnly }).ToList();
            var ports = spec.Ports.Select(p => new PortConfig
            {
                Protocol = p.Protocol,
                TargetPort = (uint)p.ContainerPort,
                PublishedPort = (uint)p.HostPort!.Value,
                PublishMode = "host",
            }).ToList();
            var service = new ServiceSpec
            {
                Name = spec.Name,
                Labels = labels,
                Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
                TaskTemplate = new TaskSpec
                {
                    ContainerSpec = new ContainerSpec
                    {
                        Image = pinnedImage,
                        Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
                        Env = container.Env,
                        Args = spec.Command?.ToList(),
                        Mounts = mounts,
                        StopGracePeriod = spec.StopTimeout,
                        StopSignal = container.StopSignal,
                    },
                    Placement = new Placement { Constraints = new List<string> { constraint } },
                    RestartPolicy = new SwarmRestartPolicy
                    {
                        Condition = spec.RestartPolicy switch { "no" => "none", "on-failure" => "on-failure", _ => "any" },
                    },
                    Networks = spec.Network is null ? null : new List<NetworkAttachmentConfig> { new NetworkAttachmentConfig { Target = spec.Network } },
                },
                UpdateConfig = RolloutConfig(DefaultMonitor, "rollback"),
                RollbackConfig = RolloutConfig(DefaultMonitor, "pause"),
                EndpointSpec = ports.Count == 0 ? null : new EndpointSpec { Mode = "vip", Ports = ports },
            };
            return new ServiceCreateParameters { Service = service };
        }

        /// <summary>One task at a time, the old one stopped first (its volumes are node-local), watched for <paramref name="monitor"/>.</summary>
        public static SwarmUpdateConfig RolloutConfig(TimeSpan monitor, string failureAction) => new SwarmUpdateConfig
        {
            Parallelism = 1,
            Order = "stop-first",
            FailureAction = failureAction,
            Monitor = monitor,
            MaxFailureRatio = 0,
        };
    }
}
