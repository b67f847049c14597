using System;
using System.Collections.Generic;

namespace ArkManager.Images.Docker
{
    /// <summary>
    /// What the library needs to know of one container, in its own words: the parts above <c>Docker/</c> read this instead
    /// of Docker.DotNet's inspect response, so they can be tested with fakes and survive a Docker.DotNet upgrade.
    /// </summary>
    internal sealed record ContainerDetails
    {
        public string Id { get; init; } = string.Empty;

        /// <summary>The container name without the leading slash.</summary>
        public string Name { get; init; } = string.Empty;

        /// <summary>Config.Image: the reference (or image id) the container was created with.</summary>
        public string ConfigImage { get; init; } = string.Empty;

        /// <summary>The id of the image the container runs.</summary>
        public string ImageId { get; init; } = string.Empty;

        public DateTimeOffset Created { get; init; }

        /// <summary>Docker's state word: created, running, restarting, exited, paused, dead.</summary>
        public string Status { get; init; } = string.Empty;

        public bool Running { get; init; }

        public bool Restarting { get; init; }

        public long ExitCode { get; init; }

        /// <summary>The daemon's error for the last start, when there was one.</summary>
        public string? Error { get; init; }

        /// <summary>When it last started (Docker's text, compared for equality only).</summary>
        public string? StartedAt { get; init; }

        /// <summary>When it last started, parsed (null when it never started or the text is not a time).</summary>
        public DateTimeOffset? StartedAtUtc =>
            StartedAt != null && !StartedAt.StartsWith("0001-", StringComparison.Ordinal) &&
            DateTimeOffset.TryParse(StartedAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var started)
                ? started
                : (DateTimeOffset?)null;

        public long RestartCount { get; init; }

        /// <summary>True when the container has a healthcheck of its own or from its image (not NONE).</summary>
        public bool HasHealthcheck { get; init; }

        /// <summary>starting, healthy, unhealthy, or null without a healthcheck.</summary>
        public string? HealthStatus { get; init; }

        /// <summary>The output of the last healthcheck run.</summary>
        public string? HealthOutput { get; init; }

        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Config.Env as NAME=value entries (secrets included: never log these).</summary>
        public IReadOnlyList<string> Environment { get; init; } = Array.Empty<string>();

        public TimeSpan? StopTimeout { get; init; }

        public string? StopSignal { get; init; }

        /// <summary>HostConfig.PortBindings: what was asked for at create.</summary>
        public IReadOnlyList<PortBindingDetails> PortBindings { get; init; } = Array.Empty<PortBindingDetails>();

        /// <summary>NetworkSettings.Ports: what is published now (random host ports resolved).</summary>
        public IReadOnlyList<PortBindingDetails> PublishedPorts { get; init; } = Array.Empty<PortBindingDetails>();

        public IReadOnlyList<MountDetails> Mounts { get; init; } = Array.Empty<MountDetails>();

        /// <summary>HostConfig.RestartPolicy: no, always, unless-stopped or on-failure.</summary>
        public string RestartPolicy { get; init; } = "no";

        /// <summary>The on-failure retry limit.</summary>
        public long RestartMaxRetries { get; init; }

        /// <summary>Paused by docker pause.</summary>
        public bool Paused { get; init; }

        /// <summary>The value of an environment variable (the last definition wins, as in Docker); null when unset.</summary>
        public string? EnvironmentValue(string variable)
        {
            string? value = null;
            foreach (var entry in Environment)
            {
                if (entry != null && entry.Length > variable.Length && entry[variable.Length] == '=' && entry.StartsWith(variable, StringComparison.Ordinal))
                {
                    value = entry.Substring(variable.Length + 1);
                }
            }

            return value;
        }

        /// <summary>The label's value, or null.</summary>
        public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>One host binding of a container port ("7777/udp").</summary>
    internal sealed record PortBindingDetails(string ContainerPort, string HostIp, string HostPort);

    /// <summary>One mount of a container.</summary>
    internal sealed record MountDetails
    {
        /// <summary>volume, bind or tmpfs.</summary>
        public string Type { get; init; } = string.Empty;

        /// <summary>The volume name (volumes only).</summary>
        public string? Name { get; init; }

        public string Source { get; init; } = string.Empty;

        public string Destination { get; init; } = string.Empty;

        public bool ReadWrite { get; init; } = true;
    }
}
