using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using global::Docker.DotNet.Models;
using Version = System.Version;

namespace ArkManager.Images.Docker
{
    /// <summary>
    /// What a faithful recreate carries: turns the inspect of a server container (and of the image it was created from) into the
    /// create request of its replacement on a new image, losing no setting and no volume, while letting the new image's defaults
    /// apply wherever the old container only had the old image's defaults. A pure function: no Docker call, no clock, no I/O.
    /// </summary>
    /// <remarks>
    /// The rules come from the bugs of the tools that do this (Watchtower's GetCreateConfig, What's up Docker, Portainer's
    /// recreate, compose's reconcile) and were checked by a round trip on a real dockerd 20.10 (API 1.41): an old container
    /// created by the docker CLI, its replacement created from this plan, both inspected and compared by
    /// <see cref="RecreateComparer"/>.
    /// </remarks>
    internal static partial class RecreateSpec
    {
        /// <summary>From this API version a create accepts several <c>EndpointsConfig</c> entries (below: "Container cannot be connected to network endpoints").</summary>
        public static readonly Version MultiEndpointCreateApiVersion = new Version(1, 44);

        /// <summary>From this API version an endpoint's <c>MacAddress</c> is honoured in a create/connect; below it only the container-wide <c>Config.MacAddress</c> is.</summary>
        public static readonly Version EndpointMacAddressApiVersion = new Version(1, 44);

        /// <summary>From this API version <c>Aliases</c> hold only what the user asked for; below it dockerd appends the short id and the hostname itself.</summary>
        public static readonly Version UserOnlyAliasesApiVersion = new Version(1, 45);

        /// <summary>From this API version an endpoint has a gateway priority.</summary>
        public static readonly Version GatewayPriorityApiVersion = new Version(1, 48);

        /// <summary>The masked paths every dockerd since 18.06 fills in when a create sets none (20.10 shows exactly these).</summary>
        internal static readonly IReadOnlyList<string> DefaultMaskedPathsCore = new[]
        {
            "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
            "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        };

        /// <summary>Masked paths later daemons add to their defaults.</summary>
        internal static readonly IReadOnlyList<string> DefaultMaskedPathsLater = new[] { "/sys/devices/virtual/powercap", "/proc/interrupts" };

        /// <summary>The read-only paths dockerd fills in when a create sets none.</summary>
        internal static readonly IReadOnlyList<string> DefaultReadonlyPaths = new[] { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };

        private const string ComposeLabelPrefix = "com.docker.compose.";
        private const string ArkManagerLabelPrefix = ServerLabels.Prefix;

        /// <summary>
        /// Builds the create request (and the networks to connect before the first start) of the replacement of <paramref name="old"/>.
        /// </summary>
        /// <remarks>
        /// Config rules not detailed on their own helper: <c>User</c>, <c>WorkingDir</c>, <c>StopSignal</c>, <c>Shell</c>, <c>OnBuild</c> and
        /// <c>ArgsEscaped</c> are carried only where they differ from the OLD image's (else left unset so the new image's value applies);
        /// <c>StopTimeout</c>, <c>Tty</c>, <c>OpenStdin</c>, <c>StdinOnce</c>, the attach flags and <c>NetworkDisabled</c> are the container's
        /// own and always carried; <c>Config.Volumes</c> keeps the user's anonymous-volume declarations (old minus the old image's VOLUMEs,
        /// which are reattached by name through mounts: dockerd skips a declared volume whose destination is already mounted);
        /// <c>Image</c> is <paramref name="newImageReference"/> and <c>Name</c> is <paramref name="newName"/>.
        /// </remarks>
        /// <param name="old">The inspect of the container to replace. Take it while the container still runs when you can: only a
        /// running container's endpoints show their MAC addresses (needed to tell a user-set MAC from a generated one).</param>
        /// <param name="oldImage">The inspect of the image <paramref name="old"/> was created from (<c>old.Image</c>): whatever equals its
        /// defaults is not carried, so the new image's defaults apply.</param>
        /// <param name="newImage">The inspect of the new image; used for warnings and to keep published ports exposed (the plan never copies its
        /// other defaults: the daemon applies them at create).</param>
        /// <param name="newImageReference">The reference the replacement is created from (becomes <c>Config.Image</c>).</param>
        /// <param name="newName">The replacement's container name (usually a temporary name, renamed later).</param>
        /// <param name="apiVersion">The Engine API version the create will be sent with.</param>
        public static RecreatePlan Build(ContainerInspectResponse old, ImageInspectResponse oldImage, ImageInspectResponse newImage, string newImageReference, string newName, Version apiVersion)
        {
            if (old is null)
            {
                throw new ArgumentNullException(nameof(old));
            }

            if (oldImage is null)
            {
                throw new ArgumentNullException(nameof(oldImage));
            }

            if (newImage is null)
            {
                throw new ArgumentNullException(nameof(newImage));
            }

            if (string.IsNullOrWhiteSpace(newImageReference))
            {
                throw new ArgumentException("The new image reference is required.", nameof(newImageReference));
            }

            if (string.IsNullOrWhiteSpace(newName))
            {
                throw new ArgumentException("The new container name is required.", nameof(newName));
            }

            if (apiVersion is null)
            {
                throw new ArgumentNullException(nameof(apiVersion));
            }

            var warnings = new List<string>();
            var config = old.Config ?? new ContainerConfig();
            var image = oldImage.Config ?? new DockerOCIImageConfig();
            var next = newImage.Config ?? new DockerOCIImageConfig();
            var hostConfig = CarryHostConfig(old, warnings);
            var networkMode = hostConfig.NetworkMode ?? string.Empty;
            var ownsUts = OwnsUtsNamespace(hostConfig);
            var (entrypoint, cmd) = CarryEntrypointAndCmd(config, image);

            if (entrypoint is null && cmd != null && !SameList(image.Entrypoint, next.Entrypoint))
            {
                warnings.Add($"The container's command ({Describe(cmd)}) is carried, but the new image changes the entrypoint from {Describe(image.Entrypoint)} to {Describe(next.Entrypoint)}: check that the command still fits.");
            }

            var create = new CreateContainerParameters
            {
                Name = newName,
                Image = newImageReference,
                Hostname = ownsUts ? CarryHostname(old, config) : string.Empty,
                Domainname = ownsUts ? config.Domainname ?? string.Empty : string.Empty,
                User = Differs(config.User, image.User) ? config.User : string.Empty,
                AttachStdin = config.AttachStdin,
                AttachStdout = config.AttachStdout,
                AttachStderr = config.AttachStderr,
                Tty = config.Tty,
                OpenStdin = config.OpenStdin,
                StdinOnce = config.StdinOnce,
                ExposedPorts = CarryExposedPorts(config.ExposedPorts, image.ExposedPorts, next.ExposedPorts, hostConfig.PortBindings),
                Env = CarryEnv(config.Env, image.Env)!,
                Entrypoint = entrypoint!,
                Cmd = cmd!,
                ArgsEscaped = config.ArgsEscaped == image.ArgsEscaped ? null : config.ArgsEscaped,
                Healthcheck = CarryHealthcheck(config.Healthcheck, image.Healthcheck),
                Volumes = SubtractKeys(config.Volumes, image.Volumes)!,
                WorkingDir = Differs(config.WorkingDir, image.WorkingDir) ? config.WorkingDir : string.Empty,
                NetworkDisabled = config.NetworkDisabled == true ? true : null,
                OnBuild = SameList(config.OnBuild, image.OnBuild) ? null : CopyList(config.OnBuild),
                Shell = SameList(config.Shell, image.Shell) ? null : CopyList(config.Shell),
                Labels = CarryLabels(config.Labels, image.Labels, newImageReference)!,
                StopSignal = Differs(config.StopSignal, image.StopSignal) ? config.StopSignal : null,
                StopTimeout = config.StopTimeout,
                HostConfig = hostConfig,
            };

            var connectAfter = new List<RecreateNetwork>();
            var endpoints = CarryEndpoints(old, networkMode, apiVersion, warnings);
            if (endpoints.Count > 0)
            {
                if (apiVersion >= MultiEndpointCreateApiVersion)
                {
                    create.NetworkingConfig = new NetworkingConfig { EndpointsConfig = endpoints.ToDictionary(e => e.NetworkName, e => e.Settings, StringComparer.Ordinal) };
                }
                else
                {
                    var primary = endpoints.FirstOrDefault(e => IsNetworkModeEndpoint(e.NetworkName, old.NetworkSettings!.Networks[e.NetworkName], networkMode));
                    if (primary != null)
                    {
                        create.NetworkingConfig = new NetworkingConfig { EndpointsConfig = new Dictionary<string, EndpointSettings>(StringComparer.Ordinal) { [primary.NetworkName] = primary.Settings } };
                    }

                    connectAfter.AddRange(endpoints.Where(e => !ReferenceEquals(e, primary)));
                }
            }

            WarnAboutVolumes(config, image, next, hostConfig, warnings);
            return new RecreatePlan(create, connectAfter, warnings);
        }

        internal static string ShortId(string? id) => string.IsNullOrEmpty(id) ? string.Empty : id!.Length <= 12 ? id : id.Substring(0, 12);

        /// <summary>Two lists are the same when both are empty (null or no element) or equal element by element.</summary>
        internal static bool SameList(IList<string>? a, IList<string>? b)
        {
            if (a is null || a.Count == 0)
            {
                return b is null || b.Count == 0;
            }

            return b != null && a.SequenceEqual(b, StringComparer.Ordinal);
        }

        private static bool Differs(string? container, string? image) => !string.Equals(container ?? string.Empty, image ?? string.Empty, StringComparison.Ordinal);

        private static bool IsVolumeType(string? type) => string.Equals(type, "volume", StringComparison.Ordinal);

        private static IList<string>? CopyList(IList<string>? list) => list?.ToList();

        private static string Describe(IList<string>? list) => list is null || list.Count == 0 ? "none" : "[" + string.Join(", ", list) + "]";
    }
}
