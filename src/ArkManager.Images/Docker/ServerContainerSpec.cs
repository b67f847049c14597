using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using global::Docker.DotNet.Models;

namespace ArkManager.Images.Docker
{
    /// <summary>The create parameters of a new server container (New-ArkServer), from a <see cref="ServerSpec"/>.</summary>
    internal static class ServerContainerSpec
    {
        /// <summary>Refuses a spec that cannot be created (bad ports, volumes, restart policy) before any I/O.</summary>
        public static void Validate(ServerSpec spec, ImageReference reference) => Build(spec, reference);

        public static CreateContainerParameters Build(ServerSpec spec, ImageReference reference)
        {
            if (spec.StopTimeout < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(spec), "StopTimeout cannot be negative.");
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in spec.Labels)
            {
                labels[pair.Key] = pair.Value;
            }

            labels[ServerLabels.Server] = spec.Name;
            labels[ServerLabels.Image] = reference.ToString();
            labels[ServerLabels.Managed] = "true";
            if (!string.IsNullOrWhiteSpace(spec.Owner))
            {
                labels[ServerLabels.Owner] = spec.Owner!;
            }

            if (!string.IsNullOrWhiteSpace(spec.Cluster))
            {
                labels[ServerLabels.Cluster] = spec.Cluster!;
            }

            if (spec.RconPort is int rconPort)
            {
                if (rconPort < 1 || rconPort > 65535)
                {
                    throw new ArgumentOutOfRangeException(nameof(spec), $"RCON port {rconPort} is not a valid port.");
                }

                labels[ServerLabels.RconPort] = rconPort.ToString(CultureInfo.InvariantCulture);
            }

            if (!string.IsNullOrWhiteSpace(spec.RconPasswordVariable))
            {
                labels[ServerLabels.RconPasswordEnv] = spec.RconPasswordVariable!;
            }

            var exposed = new Dictionary<string, EmptyStruct>(StringComparer.Ordinal);
            var bindings = new Dictionary<string, IList<PortBinding>>(StringComparer.Ordinal);
            foreach (var port in spec.Ports)
            {
                if (port.ContainerPort < 1 || port.ContainerPort > 65535)
                {
                    throw new ArgumentOutOfRangeException(nameof(spec), $"Port {port.ContainerPort} is not a valid container port.");
                }

                var key = port.ContainerPort.ToString(CultureInfo.InvariantCulture) + "/" + port.Protocol;
                exposed[key] = default;
                if (port.HostPort is int hostPort)
                {
                    if (!bindings.TryGetValue(key, out var list))
                    {
                        list = new List<PortBinding>();
                        bindings[key] = list;
                    }

                    list.Add(new PortBinding { HostIP = port.HostIp ?? string.Empty, HostPort = hostPort == 0 ? string.Empty : hostPort.ToString(CultureInfo.InvariantCulture) });
                }
            }

            var mounts = new List<Mount>();
            foreach (var volume in spec.Volumes)
            {
                if (string.IsNullOrWhiteSpace(volume.Source) || string.IsNullOrWhiteSpace(volume.Target) || !volume.Target.StartsWith("/", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Volume '{volume}' needs a source and an absolute container path.", nameof(spec));
                }

                mounts.Add(new Mount
                {
                    Type = ServerSpecParser.IsBindSource(volume.Source) ? "bind" : "volume",
                    Source = volume.Source,
                    Target = volume.Target,
                    ReadOnly = volume.ReadOnly,
                });
            }

            var restart = spec.RestartPolicy switch
            {
                "no" => RestartPolicyKind.No,
                "on-failure" => RestartPolicyKind.OnFailure,
                "unless-stopped" => RestartPolicyKind.UnlessStopped,
                "always" => RestartPolicyKind.Always,
                _ => throw new ArgumentException($"Restart policy '{spec.RestartPolicy}' is not one of no, on-failure, unless-stopped, always.", nameof(spec)),
            };

            return new CreateContainerParameters
            {
                Name = spec.Name,
                Image = reference.ToString(),
                Env = spec.Environment.Select(p => p.Key + "=" + p.Value).ToList(),
                Labels = labels,
                ExposedPorts = exposed.Count == 0 ? null : exposed,
                StopTimeout = spec.StopTimeout,
                StopSignal = string.IsNullOrWhiteSpace(spec.StopSignal) ? null : spec.StopSignal,
                Cmd = spec.Command?.ToList()!,
                HostConfig = new HostConfig
                {
                    Mounts = mounts,
                    PortBindings = bindings,
                    NetworkMode = spec.Network ?? string.Empty,
                    RestartPolicy = new RestartPolicy { Name = restart },
                },
            };
        }
    }
}
