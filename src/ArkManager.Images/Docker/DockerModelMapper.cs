using System;
using System.Collections.Generic;
using System.Linq;
using global::Docker.DotNet.Models;

namespace ArkManager.Images.Docker
{
    /// <summary>Docker.DotNet's models turned into this library's internal ones (the only place that reads them).</summary>
    internal static class DockerModelMapper
    {
        public static ContainerDetails ToDetails(ContainerInspectResponse inspect)
        {
            var state = inspect.State;
            var health = state?.Health;
            var test = inspect.Config?.Healthcheck?.Test;
            return new ContainerDetails
            {
                Id = inspect.ID,
                Name = (inspect.Name ?? string.Empty).TrimStart('/'),
                ConfigImage = inspect.Config?.Image ?? string.Empty,
                ImageId = inspect.Image ?? string.Empty,
                Created = Utc(inspect.Created),
                Status = state?.Status ?? string.Empty,
                Running = state?.Running == true,
                Restarting = state?.Restarting == true,
                Paused = state?.Paused == true,
                ExitCode = state?.ExitCode ?? 0,
                Error = string.IsNullOrEmpty(state?.Error) ? null : state!.Error,
                StartedAt = state?.StartedAt,
                RestartCount = inspect.RestartCount,
                HasHealthcheck = test != null && test.Count > 0 && !(test.Count == 1 && test[0] == "NONE"),
                HealthStatus = health?.Status,
                HealthOutput = health?.Log?.LastOrDefault()?.Output,
                Labels = Copy(inspect.Config?.Labels),
                Environment = inspect.Config?.Env?.ToList() ?? (IReadOnlyList<string>)Array.Empty<string>(),
                StopTimeout = inspect.Config?.StopTimeout,
                StopSignal = string.IsNullOrEmpty(inspect.Config?.StopSignal) ? null : inspect.Config!.StopSignal,
                PortBindings = Bindings(inspect.HostConfig?.PortBindings),
                PublishedPorts = Bindings(inspect.NetworkSettings?.Ports),
                Mounts = (inspect.Mounts ?? new List<MountPoint>()).Select(m => new MountDetails
                {
                    Type = m.Type ?? string.Empty,
                    Name = string.IsNullOrEmpty(m.Name) ? null : m.Name,
                    Source = m.Source ?? string.Empty,
                    Destination = m.Destination ?? string.Empty,
                    ReadWrite = m.RW,
                }).ToList(),
                RestartPolicy = PolicyName(inspect.HostConfig?.RestartPolicy?.Name),
                RestartMaxRetries = inspect.HostConfig?.RestartPolicy?.MaximumRetryCount ?? 0,
            };
        }

        public static ImageDetails ToDetails(ImageInspectResponse image) => new ImageDetails
        {
            Id = image.ID,
            RepoTags = image.RepoTags?.ToList() ?? (IReadOnlyList<string>)Array.Empty<string>(),
            RepoDigests = image.RepoDigests?.ToList() ?? (IReadOnlyList<string>)Array.Empty<string>(),
            Created = image.Created is DateTime created ? Utc(created) : default,
            Size = image.Size,
            Os = image.Os ?? string.Empty,
            Architecture = image.Architecture ?? string.Empty,
            Labels = Copy(image.Config?.Labels),
        };

        public static ImageDetails ToDetails(ImagesListResponse image) => new ImageDetails
        {
            Id = image.ID,
            RepoTags = image.RepoTags?.Where(t => t != "<none>:<none>").ToList() ?? (IReadOnlyList<string>)Array.Empty<string>(),
            RepoDigests = image.RepoDigests?.Where(d => d != "<none>@<none>").ToList() ?? (IReadOnlyList<string>)Array.Empty<string>(),
            Created = Utc(image.Created),
            Size = image.Size,
            Labels = Copy(image.Labels),
        };

        public static ContainerSummary ToSummary(ContainerListResponse container) => new ContainerSummary
        {
            Id = container.ID,
            Name = container.Names?.FirstOrDefault()?.TrimStart('/') ?? string.Empty,
            ImageId = container.ImageID ?? string.Empty,
            State = container.State ?? string.Empty,
            Status = container.Status ?? string.Empty,
            Labels = Copy(container.Labels),
        };

        public static string PolicyName(RestartPolicyKind? kind) => kind switch
        {
            RestartPolicyKind.Always => "always",
            RestartPolicyKind.UnlessStopped => "unless-stopped",
            RestartPolicyKind.OnFailure => "on-failure",
            _ => "no",
        };

        public static RestartPolicyKind PolicyKind(string name) => name switch
        {
            "always" => RestartPolicyKind.Always,
            "unless-stopped" => RestartPolicyKind.UnlessStopped,
            "on-failure" => RestartPolicyKind.OnFailure,
            "no" => RestartPolicyKind.No,
            _ => throw new ArgumentException($"Restart policy '{name}' is not one of no, on-failure, unless-stopped, always."),
        };

        private static IReadOnlyList<PortBindingDetails> Bindings(IDictionary<string, IList<PortBinding>>? ports)
        {
            var list = new List<PortBindingDetails>();
            if (ports is null)
            {
                return list;
            }

            foreach (var pair in ports)
            {
                foreach (var binding in pair.Value ?? new List<PortBinding>())
                {
                    if (binding != null)
                    {
                        list.Add(new PortBindingDetails(pair.Key, binding.HostIP ?? string.Empty, binding.HostPort ?? string.Empty));
                    }
                }
            }

            return list;
        }

        private static IReadOnlyDictionary<string, string> Copy(IDictionary<string, string>? labels) =>
            labels is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(labels, StringComparer.Ordinal);

        private static DateTimeOffset Utc(DateTime time) =>
            new DateTimeOffset(DateTime.SpecifyKind(time, time.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : time.Kind));
    }
}
