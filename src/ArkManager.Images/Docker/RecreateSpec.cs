using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
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
    internal static class RecreateSpec
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

        /// <summary>
        /// Rule (host config): start from a deep copy of the old <c>HostConfig</c> — restart policy, every resource limit (memory, swap,
        /// reservation, CPUs, shares, quota/period, cpuset, pids, blkio...), ulimits, devices and device requests, capabilities,
        /// security options, sysctls, tmpfs, log config, init, privileged, read-only rootfs, shm size, extra hosts, DNS settings,
        /// group-add, ipc/pid/uts/userns/cgroupns modes, OOM settings, runtime, isolation, auto-remove, volumes-from, publish-all,
        /// storage options, port bindings, binds and mounts — and change only what must not or cannot be carried:
        /// <list type="bullet">
        /// <item><c>ContainerIDFile</c> (a CLI-side file holding the OLD id) and <c>ConsoleSize</c> (an attach-time value) are cleared.</item>
        /// <item><c>MaskedPaths</c>/<c>ReadonlyPaths</c> are cleared when they are the daemon's defaults (dockerd fills those in at create, so
        /// inspect always shows them; leaving them unset round-trips to the same inspect on the same daemon and lets a newer daemon's
        /// defaults apply, like the image's PATH). An empty list (<c>--security-opt systempaths=unconfined</c>) or a custom list is carried.</item>
        /// <item>Legacy <c>Links</c>, shown by inspect as <c>/child:/old-name/alias</c>, are rewritten to the create form <c>child:alias</c>.</item>
        /// <item>Mounts: see <see cref="CarryMounts"/>.</item>
        /// <item>Port bindings are carried as-is; one with an empty host port gets a warning (Docker picks a new random port at each start).</item>
        /// <item><c>AutoRemove</c> is carried, with a warning: a server container that removes itself when it stops also loses its anonymous volumes.</item>
        /// </list>
        /// </summary>
        private static HostConfig CarryHostConfig(ContainerInspectResponse old, List<string> warnings)
        {
            var host = RecreateJson.Clone(old.HostConfig) ?? new HostConfig();
            host.ContainerIDFile = string.Empty;
            host.ConsoleSize = null!;

            if (IsDaemonDefaultMaskedPaths(host.MaskedPaths))
            {
                host.MaskedPaths = null!;
            }

            if (IsDaemonDefaultReadonlyPaths(host.ReadonlyPaths))
            {
                host.ReadonlyPaths = null!;
            }

            if (host.Links != null)
            {
                host.Links = host.Links.Select(NormaliseLegacyLink).ToList();
            }

            if (host.PortBindings != null)
            {
                foreach (var pair in host.PortBindings.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    foreach (var binding in pair.Value ?? new List<PortBinding>())
                    {
                        if (binding != null && string.IsNullOrEmpty(binding.HostPort))
                        {
                            warnings.Add($"Port {pair.Key} is published on a random host port ({(string.IsNullOrEmpty(binding.HostIP) ? "all addresses" : binding.HostIP)}): Docker picks a new one at every start, so players and firewalls lose it. Set a fixed host port.");
                        }
                    }
                }
            }

            if (host.AutoRemove)
            {
                warnings.Add("AutoRemove (--rm) is set: the server container removes itself, with its anonymous volumes, when it stops. It is carried as it was; consider turning it off for a server.");
            }

            host.Mounts = CarryMounts(old, host, warnings);
            return host;
        }

        /// <summary>
        /// Rule (mounts): <c>HostConfig.Binds</c> and <c>HostConfig.Mounts</c> are carried as-is (binds and named volumes keep their
        /// sources). Every mount point of the old container that neither covers — the anonymous volumes made for <c>-v /path</c>, for
        /// an anonymous <c>--mount type=volume,target=/path</c> and for the image's <c>VOLUME</c>s — is reattached BY NAME as a
        /// <c>volume</c> mount (<c>Source</c> = the old volume's name, <c>ReadOnly = !RW</c>), otherwise the daemon would make a new,
        /// empty anonymous volume and the save data would stay behind. An anonymous entry in <c>HostConfig.Mounts</c> (no source)
        /// gets its old volume's name as source for the same reason. A mount is never dropped. Tmpfs stays in <c>HostConfig.Tmpfs</c>.
        /// </summary>
        private static IList<Mount>? CarryMounts(ContainerInspectResponse old, HostConfig host, List<string> warnings)
        {
            var mounts = host.Mounts?.ToList() ?? new List<Mount>();
            var points = old.Mounts ?? new List<MountPoint>();

            // Anonymous --mount entries: pin them to the volume they got.
            foreach (var mount in mounts)
            {
                if (IsVolumeType(mount.Type) && string.IsNullOrEmpty(mount.Source) && mount.Target != null)
                {
                    var point = points.FirstOrDefault(p => IsVolumeType(p.Type) && SamePath(p.Destination, mount.Target) && !string.IsNullOrEmpty(p.Name));
                    if (point != null)
                    {
                        mount.Source = point.Name;
                    }
                }
            }

            var covered = new HashSet<string>(StringComparer.Ordinal);
            foreach (var bind in host.Binds ?? new List<string>())
            {
                var destination = BindDestination(bind);
                if (destination != null)
                {
                    covered.Add(NormalisePath(destination));
                }
            }

            foreach (var mount in mounts)
            {
                if (mount.Target != null)
                {
                    covered.Add(NormalisePath(mount.Target));
                }
            }

            var volumesFrom = host.VolumesFrom != null && host.VolumesFrom.Count > 0;
            foreach (var point in points)
            {
                if (string.IsNullOrEmpty(point.Destination) || covered.Contains(NormalisePath(point.Destination)))
                {
                    continue;
                }

                if (IsVolumeType(point.Type) && !string.IsNullOrEmpty(point.Name))
                {
                    mounts.Add(new Mount
                    {
                        Type = "volume",
                        Source = point.Name,
                        Target = point.Destination,
                        ReadOnly = !point.RW,
                    });
                    covered.Add(NormalisePath(point.Destination));
                    if (volumesFrom)
                    {
                        warnings.Add($"The volume {point.Name} at {point.Destination} is reattached by name; if it came through VolumesFrom ({string.Join(", ", host.VolumesFrom!)}), the replacement now names it directly.");
                    }
                }
                else if (!volumesFrom && string.Equals(point.Type, "bind", StringComparison.Ordinal) && !string.IsNullOrEmpty(point.Source))
                {
                    // A bind neither Binds nor Mounts explains: keep it rather than lose it.
                    mounts.Add(new Mount { Type = "bind", Source = point.Source, Target = point.Destination, ReadOnly = !point.RW });
                    covered.Add(NormalisePath(point.Destination));
                }
            }

            return mounts.Count == 0 && host.Mounts is null ? null : mounts;
        }

        private static void WarnAboutVolumes(ContainerConfig config, DockerOCIImageConfig oldImage, DockerOCIImageConfig newImage, HostConfig host, List<string> warnings)
        {
            if (oldImage.Volumes is null)
            {
                return;
            }

            foreach (var volume in oldImage.Volumes.Keys.OrderBy(k => k, StringComparer.Ordinal))
            {
                if (newImage.Volumes is null || !newImage.Volumes.ContainsKey(volume))
                {
                    var kept = host.Mounts?.Any(m => m.Target != null && SamePath(m.Target, volume)) == true ||
                        host.Binds?.Any(b => BindDestination(b) is string d && SamePath(d, volume)) == true ||
                        config.Volumes?.ContainsKey(volume) == true;
                    if (kept)
                    {
                        warnings.Add($"The new image no longer declares VOLUME {volume}; the old volume stays mounted there.");
                    }
                }
            }
        }

        /// <summary>
        /// Rule (networks): <c>NetworkMode</c> is carried in the host config. For a user-defined or bridge network mode every endpoint of
        /// <c>NetworkSettings.Networks</c> is carried with its aliases, static IPAM addresses (<c>IPv4Address</c>, <c>IPv6Address</c>,
        /// link-local IPs), links, driver options, a user-set MAC address and (API 1.48+) its gateway priority. Not carried:
        /// <list type="bullet">
        /// <item>the old short-id alias (first 12 characters of the old id): dockerd below 1.45 adds the new short id by itself;</item>
        /// <item>below API 1.45 also an alias equal to the old hostname: dockerd 20.10 appends the container's hostname to the aliases of
        /// every user-network endpoint by itself (seen: <c>["island-b", "5e843e61cf5e", "island-host"]</c>), and adds it again for the
        /// replacement (whose hostname is carried when user-set). dockerd never adds the container NAME as an alias (its DNS answers
        /// the name without one), so aliases equal to a name are user- or compose-set and are kept;</item>
        /// <item>runtime fields (endpoint id, network id, gateway, dynamic IP, prefix lengths, DNS names).</item>
        /// </list>
        /// Host, none and <c>container:</c> modes have no endpoint configuration to carry.
        /// </summary>
        private static List<RecreateNetwork> CarryEndpoints(ContainerInspectResponse old, string networkMode, Version apiVersion, List<string> warnings)
        {
            var result = new List<RecreateNetwork>();
            var networks = old.NetworkSettings?.Networks;
            if (networks is null || networks.Count == 0 || !HasEndpointConfig(networkMode))
            {
                return result;
            }

            var shortId = ShortId(old.ID);
            var hostname = old.Config?.Hostname;
            foreach (var pair in networks)
            {
                var endpoint = pair.Value ?? new EndpointSettings();
                var aliases = (endpoint.Aliases ?? new List<string>())
                    .Where(a => !string.IsNullOrEmpty(a))
                    .Where(a => !string.Equals(a, shortId, StringComparison.Ordinal))
                    .Where(a => apiVersion >= UserOnlyAliasesApiVersion || !string.Equals(a, hostname, StringComparison.Ordinal))
                    .Distinct(StringComparer.Ordinal)
                    .ToList();

                var settings = new EndpointSettings
                {
                    Aliases = aliases.Count == 0 ? null! : aliases,
                    IPAMConfig = CarryIpam(endpoint.IPAMConfig),
                    Links = endpoint.Links is { Count: > 0 } ? endpoint.Links.ToList() : null!,
                    DriverOpts = endpoint.DriverOpts is { Count: > 0 } ? new Dictionary<string, string>(endpoint.DriverOpts, StringComparer.Ordinal) : null!,
                };

                if (apiVersion >= GatewayPriorityApiVersion)
                {
                    settings.GwPriority = endpoint.GwPriority;
                }

                if (IsUserSetMac(endpoint))
                {
                    if (apiVersion >= EndpointMacAddressApiVersion)
                    {
                        settings.MacAddress = endpoint.MacAddress;
                    }
                    else
                    {
                        warnings.Add($"The MAC address {endpoint.MacAddress} on network {pair.Key} looks user-set, but below Engine API {EndpointMacAddressApiVersion} it can only be set through Config.MacAddress, which the Docker client models no longer carry: the replacement gets a generated MAC.");
                    }
                }

                result.Add(new RecreateNetwork(pair.Key, settings));
            }

            return result;
        }

        /// <summary>
        /// Rule (MAC address): Docker generates a bridge/overlay endpoint's MAC from its IPv4 address as <c>02:42:</c> followed by the four
        /// address bytes. So an endpoint MAC equal to that pattern for the endpoint's own address (or, when the address is not known,
        /// any MAC starting <c>02:42:</c>) is generated and not carried; any other non-empty MAC is user-set and carried. A stopped container
        /// shows no endpoint MAC below API 1.44 (the endpoint is released, and the client models no longer read <c>Config.MacAddress</c>),
        /// so the inspect must be taken while it runs; from 1.44 a created or stopped container's endpoint shows only the configured MAC,
        /// which is user-set by definition. A daemon that gives running endpoints random MACs makes them look user-set: they are then
        /// carried, which only pins the MAC the server already had (the old container is stopped before the replacement starts).
        /// </summary>
        internal static bool IsUserSetMac(EndpointSettings endpoint)
        {
            var mac = endpoint.MacAddress;
            return !string.IsNullOrEmpty(mac) && !IsGeneratedMac(mac, endpoint.IPAddress);
        }

        /// <summary>True when <paramref name="mac"/> is the MAC Docker derives from <paramref name="ipv4"/> (<c>02:42:</c> + the address bytes).</summary>
        internal static bool IsGeneratedMac(string mac, string? ipv4)
        {
            if (!string.IsNullOrEmpty(ipv4) && IPAddress.TryParse(ipv4, out var address) && address.AddressFamily == AddressFamily.InterNetwork)
            {
                var expected = "02:42:" + string.Join(":", address.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
                return string.Equals(mac, expected, StringComparison.OrdinalIgnoreCase);
            }

            return mac.StartsWith("02:42:", StringComparison.OrdinalIgnoreCase);
        }

        private static EndpointIPAMConfig? CarryIpam(EndpointIPAMConfig? ipam)
        {
            if (ipam is null || (string.IsNullOrEmpty(ipam.IPv4Address) && string.IsNullOrEmpty(ipam.IPv6Address) && (ipam.LinkLocalIPs is null || ipam.LinkLocalIPs.Count == 0)))
            {
                return null;
            }

            return new EndpointIPAMConfig
            {
                IPv4Address = ipam.IPv4Address ?? string.Empty,
                IPv6Address = ipam.IPv6Address ?? string.Empty,
                LinkLocalIPs = ipam.LinkLocalIPs is { Count: > 0 } ? ipam.LinkLocalIPs.ToList() : null,
            };
        }

        /// <summary>The endpoint a below-1.44 create must carry: the one of the network named by <c>NetworkMode</c> (by name, id or short id).</summary>
        private static bool IsNetworkModeEndpoint(string name, EndpointSettings endpoint, string networkMode)
        {
            if (string.Equals(name, networkMode, StringComparison.Ordinal))
            {
                return true;
            }

            if ((networkMode.Length == 0 || string.Equals(networkMode, "default", StringComparison.Ordinal)) && string.Equals(name, "bridge", StringComparison.Ordinal))
            {
                return true;
            }

            var id = endpoint?.NetworkID;
            return !string.IsNullOrEmpty(id) && networkMode.Length >= 12 && id!.StartsWith(networkMode, StringComparison.Ordinal);
        }

        private static bool HasEndpointConfig(string networkMode) =>
            !string.Equals(networkMode, "host", StringComparison.Ordinal) &&
            !string.Equals(networkMode, "none", StringComparison.Ordinal) &&
            !networkMode.StartsWith("container:", StringComparison.Ordinal);

        /// <summary>Hostname and domain name can only be set when the container has its own UTS namespace (not with host or container: network, nor host UTS mode).</summary>
        private static bool OwnsUtsNamespace(HostConfig host)
        {
            var mode = host.NetworkMode ?? string.Empty;
            if (string.Equals(mode, "host", StringComparison.Ordinal) || mode.StartsWith("container:", StringComparison.Ordinal))
            {
                return false;
            }

            return !string.Equals(host.UTSMode, "host", StringComparison.Ordinal);
        }

        /// <summary>
        /// Rule (hostname): carried only when user-set. dockerd's default hostname is the first 12 characters of the container id, so a
        /// hostname equal to the OLD short id is dropped (the replacement gets its own). With host or <c>container:</c> networking, or
        /// host UTS mode, the hostname is not the container's own and is never carried (dockerd refuses it there).
        /// </summary>
        private static string CarryHostname(ContainerInspectResponse old, ContainerConfig config)
        {
            var hostname = config.Hostname ?? string.Empty;
            return string.Equals(hostname, ShortId(old.ID), StringComparison.Ordinal) ? string.Empty : hostname;
        }

        /// <summary>
        /// Rule (environment): the old container's variables minus the entries identical (<c>KEY=value</c>) to the OLD image's, so the
        /// new image's defaults apply (a changed PATH, the image's own version variables); user overrides (same key, other value) and
        /// additions are kept, in their order.
        /// </summary>
        internal static IList<string>? CarryEnv(IList<string>? env, IList<string>? imageEnv)
        {
            if (env is null)
            {
                return null;
            }

            var fromImage = new HashSet<string>(imageEnv ?? new List<string>(), StringComparer.Ordinal);
            return env.Where(e => !fromImage.Contains(e)).ToList();
        }

        /// <summary>
        /// Rule (labels): the old container's labels minus those identical to the OLD image's (the new image's labels apply by
        /// themselves at create). Compose labels (<c>com.docker.compose.*</c>) and ArkManager labels (<c>io.arkmanager.*</c>) are always
        /// kept; <c>io.arkmanager.image</c>, the reference the server runs, is updated to <paramref name="newImageReference"/> when present.
        /// Nothing else is added.
        /// </summary>
        internal static IDictionary<string, string>? CarryLabels(IDictionary<string, string>? labels, IDictionary<string, string>? imageLabels, string newImageReference)
        {
            if (labels is null)
            {
                return null;
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in labels)
            {
                var always = pair.Key.StartsWith(ComposeLabelPrefix, StringComparison.Ordinal) || pair.Key.StartsWith(ArkManagerLabelPrefix, StringComparison.Ordinal);
                if (!always && imageLabels != null && imageLabels.TryGetValue(pair.Key, out var imageValue) && string.Equals(imageValue, pair.Value, StringComparison.Ordinal))
                {
                    continue;
                }

                result[pair.Key] = pair.Value;
            }

            if (result.ContainsKey(ServerLabels.Image))
            {
                result[ServerLabels.Image] = newImageReference;
            }

            return result;
        }

        /// <summary>
        /// Rule (entrypoint and command): the entrypoint is carried only when it differs from the old image's. A cleared entrypoint
        /// (<c>--entrypoint ""</c>, inspect <c>null</c> or <c>[]</c> while the image has one) is carried as <c>[""]</c> / <c>[]</c>, the forms
        /// dockerd stores back as <c>null</c> / <c>[]</c>. When the entrypoint is carried the command is carried as-is (dockerd never merges
        /// the image's command under a user entrypoint); otherwise the command is carried only when it differs from the old image's.
        /// </summary>
        internal static (IList<string>? Entrypoint, IList<string>? Cmd) CarryEntrypointAndCmd(ContainerConfig config, DockerOCIImageConfig image)
        {
            if (!SameList(config.Entrypoint, image.Entrypoint))
            {
                IList<string> entrypoint = config.Entrypoint is null ? new List<string> { string.Empty } : config.Entrypoint.ToList();
                return (entrypoint, CopyList(config.Cmd));
            }

            return (null, SameList(config.Cmd, image.Cmd) ? null : CopyList(config.Cmd));
        }

        /// <summary>
        /// Rule (healthcheck): field by field, only what differs from the OLD image's healthcheck is carried (dockerd fills the unset
        /// fields from the new image's healthcheck); a container healthcheck on an image without one is carried whole; <c>["NONE"]</c>
        /// (disabled) is carried when the image has a test.
        /// </summary>
        internal static HealthcheckConfig? CarryHealthcheck(HealthcheckConfig? container, HealthcheckConfig? image)
        {
            if (container is null)
            {
                return null;
            }

            if (image is null)
            {
                return RecreateJson.Clone(container);
            }

            var result = new HealthcheckConfig
            {
                Test = SameList(container.Test, image.Test) ? null : CopyList(container.Test),
                Interval = container.Interval == image.Interval ? null : container.Interval,
                Timeout = container.Timeout == image.Timeout ? null : container.Timeout,
                StartPeriod = container.StartPeriod == image.StartPeriod ? null : container.StartPeriod,
                StartInterval = container.StartInterval == image.StartInterval ? null : container.StartInterval,
                Retries = container.Retries == image.Retries ? null : container.Retries,
            };

            return result.Test is null && result.Interval is null && result.Timeout is null && result.StartPeriod is null && result.StartInterval is null && result.Retries is null
                ? null
                : result;
        }

        /// <summary>
        /// Rule (exposed ports): the container's exposed ports minus the OLD image's (those come back from the new image), plus every
        /// published port (a <c>PortBindings</c> key) the old container exposed and the new image no longer exposes — the CLI exposes
        /// every port it publishes, and a server must keep publishing its game ports whatever the new image declares.
        /// </summary>
        internal static IDictionary<string, EmptyStruct>? CarryExposedPorts(IDictionary<string, EmptyStruct>? container, IDictionary<string, EmptyStruct>? oldImage, IDictionary<string, EmptyStruct>? newImage, IDictionary<string, IList<PortBinding>>? bindings)
        {
            var result = SubtractKeys(container, oldImage) ?? new Dictionary<string, EmptyStruct>(StringComparer.Ordinal);
            foreach (var key in bindings?.Keys ?? Enumerable.Empty<string>())
            {
                if (container != null && container.ContainsKey(key) && (newImage is null || !newImage.ContainsKey(key)))
                {
                    result[key] = default;
                }
            }

            return result.Count == 0 ? null : result;
        }

        /// <summary>Rule (exposed ports, declared volumes): the container's keys minus the OLD image's (those come back from the new image); null when nothing is left.</summary>
        internal static IDictionary<string, EmptyStruct>? SubtractKeys(IDictionary<string, EmptyStruct>? container, IDictionary<string, EmptyStruct>? image)
        {
            if (container is null)
            {
                return null;
            }

            var result = new Dictionary<string, EmptyStruct>(StringComparer.Ordinal);
            foreach (var key in container.Keys)
            {
                if (image is null || !image.ContainsKey(key))
                {
                    result[key] = default;
                }
            }

            return result.Count == 0 ? null : result;
        }

        /// <summary>True when <paramref name="paths"/> is one of dockerd's default masked-path lists (18.06+ core set, optionally with later additions, any order).</summary>
        internal static bool IsDaemonDefaultMaskedPaths(IList<string>? paths)
        {
            if (paths is null || paths.Count == 0)
            {
                return false;
            }

            var set = new HashSet<string>(paths, StringComparer.Ordinal);
            return set.Count == paths.Count && DefaultMaskedPathsCore.All(set.Contains) && set.All(p => DefaultMaskedPathsCore.Contains(p) || DefaultMaskedPathsLater.Contains(p));
        }

        /// <summary>True when <paramref name="paths"/> is dockerd's default read-only path list (any order).</summary>
        internal static bool IsDaemonDefaultReadonlyPaths(IList<string>? paths) =>
            paths != null && paths.Count == DefaultReadonlyPaths.Count && new HashSet<string>(paths, StringComparer.Ordinal).SetEquals(DefaultReadonlyPaths);

        /// <summary>Inspect shows a legacy link as <c>/child:/parent-name/alias</c>; a create wants <c>child:alias</c>.</summary>
        internal static string NormaliseLegacyLink(string link)
        {
            if (string.IsNullOrEmpty(link))
            {
                return link;
            }

            var colon = link.IndexOf(':');
            if (colon < 0)
            {
                return link.TrimStart('/');
            }

            var child = link.Substring(0, colon).TrimStart('/');
            var alias = link.Substring(colon + 1);
            var slash = alias.LastIndexOf('/');
            return child + ":" + (slash >= 0 ? alias.Substring(slash + 1) : alias);
        }

        /// <summary>The container destination of a <c>source:destination[:options]</c> bind (Windows drive letters tolerated).</summary>
        internal static string? BindDestination(string bind)
        {
            if (string.IsNullOrEmpty(bind))
            {
                return null;
            }

            var parts = bind.Split(':');
            var index = 0;
            if (parts.Length > 1 && parts[0].Length == 1 && char.IsLetter(parts[0][0]))
            {
                index++; // C:\source
            }

            index++;
            if (parts.Length <= index)
            {
                return null;
            }

            var destination = parts[index];
            if (destination.Length == 1 && char.IsLetter(destination[0]) && parts.Length > index + 1)
            {
                destination = destination + ":" + parts[index + 1];
            }

            return destination;
        }

        internal static string ShortId(string? id) => string.IsNullOrEmpty(id) ? string.Empty : id!.Length <= 12 ? id : id.Substring(0, 12);

        internal static bool IsAnonymousVolumeName(string? name) =>
            name != null && name.Length == 64 && name.All(c => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));

        internal static bool SamePath(string? a, string? b) => string.Equals(NormalisePath(a), NormalisePath(b), StringComparison.Ordinal);

        internal static string NormalisePath(string? path)
        {
            if (string.IsNullOrEmpty(path))
            {
                return string.Empty;
            }

            var trimmed = path!.TrimEnd('/', '\\');
            return trimmed.Length == 0 ? path.Substring(0, 1) : trimmed;
        }

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
