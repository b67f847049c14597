using System;
using System.Collections.Generic;

namespace ArkManager.Images
{
    /// <summary>A port published by a server.</summary>
    public sealed record PortMapping
    {
        /// <summary>The port inside the container.</summary>
        public int ContainerPort { get; init; }

        /// <summary>The host port; null publishes nothing (only exposes), 0 lets Docker choose (a new port each time: avoid for servers).</summary>
        public int? HostPort { get; init; }

        /// <summary><c>udp</c> (ARK game and query ports) or <c>tcp</c> (RCON).</summary>
        public string Protocol { get; init; } = "udp";

        /// <summary>The host address to bind, or null for all.</summary>
        public string? HostIp { get; init; }

        /// <summary>Parses <c>[hostIp:]hostPort:containerPort[/proto]</c> or <c>containerPort[/proto]</c>.</summary>
        public static PortMapping Parse(string text) => ServerSpecParser.ParsePort(text);

        /// <inheritdoc />
        public override string ToString() =>
            (HostIp is null ? string.Empty : HostIp + ":") + (HostPort is null ? string.Empty : HostPort + ":") + ContainerPort + "/" + Protocol;
    }

    /// <summary>A volume or bind mount of a server.</summary>
    public sealed record VolumeMapping
    {
        /// <summary>A named volume (<c>ark-data</c>) or an absolute host path (bind mount).</summary>
        public string Source { get; init; } = string.Empty;

        /// <summary>The path inside the container.</summary>
        public string Target { get; init; } = string.Empty;

        /// <summary>Mount read-only.</summary>
        public bool ReadOnly { get; init; }

        /// <summary>Parses <c>source:target[:ro]</c>.</summary>
        public static VolumeMapping Parse(string text) => ServerSpecParser.ParseVolume(text);

        /// <inheritdoc />
        public override string ToString() => Source + ":" + Target + (ReadOnly ? ":ro" : string.Empty);
    }

    /// <summary>What <see cref="IArkImageManager.NewServerAsync"/> creates.</summary>
    public sealed record ServerSpec
    {
        /// <summary>The ARK stop must give the world save minutes, not Docker's 10 seconds.</summary>
        public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(300);

        /// <summary>The server name; also the container name.</summary>
        public string Name { get; init; } = string.Empty;

        /// <summary>The image reference; must be present locally.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>Environment variables.</summary>
        public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

        /// <summary>Published ports.</summary>
        public IReadOnlyList<PortMapping> Ports { get; init; } = Array.Empty<PortMapping>();

        /// <summary>Volumes and bind mounts (the save data lives here).</summary>
        public IReadOnlyList<VolumeMapping> Volumes { get; init; } = Array.Empty<VolumeMapping>();

        /// <summary>The network (<c>host</c>, <c>none</c>, or a network name); null is Docker's default.</summary>
        public string? Network { get; init; }

        /// <summary>How long a stop waits for the world save before the container is killed.</summary>
        public TimeSpan StopTimeout { get; init; } = DefaultStopTimeout;

        /// <summary>The stop signal, or null for the image's.</summary>
        public string? StopSignal { get; init; }

        /// <summary>Restart policy: <c>no</c>, <c>on-failure</c>, <c>unless-stopped</c> or <c>always</c>.</summary>
        public string RestartPolicy { get; init; } = "unless-stopped";

        /// <summary>Extra labels.</summary>
        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

        /// <summary>Override of the image's command, or null.</summary>
        public IReadOnlyList<string>? Command { get; init; }

        /// <summary>The owner (label <c>io.arkmanager.owner</c>) for apps that manage servers of several users; null: none.</summary>
        public string? Owner { get; init; }

        /// <summary>The cluster (label <c>io.arkmanager.cluster</c>): servers of one cluster are updated in one window, one after another.</summary>
        public string? Cluster { get; init; }

        /// <summary>The RCON port (label <c>io.arkmanager.rcon.port</c>); enables the safe stop (warnings, SaveWorld, DoExit).</summary>
        public int? RconPort { get; init; }

        /// <summary>The environment variable that holds the RCON (admin) password (label <c>io.arkmanager.rcon.password-env</c>; default <c>ARK_RCON_PASSWORD</c>).</summary>
        public string? RconPasswordVariable { get; init; }

        /// <summary>
        /// Create the server as a Swarm service (the endpoint must be a Swarm manager): one replica placed on <see cref="Node"/>,
        /// the image pinned by digest (one registry check); the node pulls that digest, the manager needs no local copy.
        /// </summary>
        public bool AsService { get; init; }

        /// <summary>With <see cref="AsService"/>: the node, as the value of its node label <c>ark</c> (<c>ark=&lt;value&gt;</c>) or as its node id.</summary>
        public string? Node { get; init; }
    }

    /// <summary>What runs a server.</summary>
    public enum ServerKind
    {
        /// <summary>A container on one engine.</summary>
        Container,

        /// <summary>A one-replica Swarm service (its task's container runs on a node of the Swarm).</summary>
        Service,
    }

    /// <summary>A managed ARK server (a container labelled <c>io.arkmanager.server</c>).</summary>
    public sealed record ServerInfo
    {
        /// <summary>The configured host (<see cref="ArkManagerOptions.Hosts"/>) the server runs on; null with a single engine.</summary>
        public string? Host { get; init; }

        /// <summary><c>host/name</c> when the server belongs to a configured host, else the name.</summary>
        public string QualifiedName => Host is null ? Name : Host + "/" + Name;

        /// <summary>The server name.</summary>
        public string Name { get; init; } = string.Empty;

        /// <summary>The container id.</summary>
        public string ContainerId { get; init; } = string.Empty;

        /// <summary>The container name (without the leading slash).</summary>
        public string ContainerName { get; init; } = string.Empty;

        /// <summary>The image reference the server was created from.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>The id of the image the container runs.</summary>
        public string ImageId { get; init; } = string.Empty;

        /// <summary>Docker's state: created, running, paused, restarting, removing, exited or dead.</summary>
        public string State { get; init; } = string.Empty;

        /// <summary>Docker's human status text (e.g. <c>Up 5 minutes</c>, <c>Exited (0) 2 hours ago</c>), the same for created and adopted servers.</summary>
        public string Status { get; init; } = string.Empty;

        /// <summary>When the container was created.</summary>
        public DateTimeOffset Created { get; init; }

        /// <summary>How long a stop waits before killing, when the container sets it.</summary>
        public TimeSpan? StopTimeout { get; init; }

        /// <summary>The container's stop signal, when set.</summary>
        public string? StopSignal { get; init; }

        /// <summary>Published ports, as Docker reports them.</summary>
        public IReadOnlyList<string> Ports { get; init; } = Array.Empty<string>();

        /// <summary>The container's labels.</summary>
        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

        /// <summary>The owner (label <c>io.arkmanager.owner</c> or registration), when set.</summary>
        public string? Owner { get; init; }

        /// <summary>The cluster label (<c>io.arkmanager.cluster</c>), when set.</summary>
        public string? Cluster { get; init; }

        /// <summary>True when the server was adopted with RegisterServerAsync and has not been recreated yet (no label).</summary>
        public bool IsRegistered { get; init; }

        /// <summary>
        /// Why this container cannot be managed (its <c>io.arkmanager.server</c> label is not a valid server name); null when
        /// it can. Such a container is listed so it can be fixed, and never touched.
        /// </summary>
        public string? Problem { get; init; }

        /// <summary>
        /// True when the container has RCON settings (label <c>io.arkmanager.rcon.port</c>): a safe stop counts down
        /// and saves the world over RCON; without them it is Docker's stop at once.
        /// </summary>
        public bool HasRcon { get; init; }

        /// <summary>
        /// An unfinished transaction of this server (a run was killed, or one is in progress) and what the next call
        /// that touches the server will do, e.g. <c>Update interrupted at Stop: the next call will undo it</c>; null
        /// when there is none.
        /// </summary>
        public string? PendingTransaction { get; init; }

        /// <summary>A container, or a Swarm service (then <see cref="ContainerId"/> and <see cref="ContainerName"/> are the service's id and name).</summary>
        public ServerKind Kind { get; init; }

        /// <summary>For a service: the id of the node its current task is on (or is placed on); null for a container.</summary>
        public string? Node { get; init; }

        /// <summary>For a service: its current task's state (new, pending, preparing, starting, running, complete, shutdown, failed, rejected); null for a container.</summary>
        public string? TaskState { get; init; }

        /// <summary>For a service: the digest its spec pins (<c>sha256:…</c>): the image every node runs until an admin updates it; null for a container.</summary>
        public string? PinnedDigest { get; init; }

        /// <summary>True when the container is running.</summary>
        public bool IsRunning => string.Equals(State, "running", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The Docker engine the manager talks to.</summary>
    public sealed record DockerEngineInfo
    {
        /// <summary>The endpoint (e.g. <c>unix:///var/run/docker.sock</c>).</summary>
        public string Endpoint { get; init; } = string.Empty;

        /// <summary>Where the endpoint came from (option, DOCKER_HOST, context, default).</summary>
        public string EndpointSource { get; init; } = string.Empty;

        /// <summary>The engine's version.</summary>
        public string Version { get; init; } = string.Empty;

        /// <summary>The API version negotiated for this endpoint.</summary>
        public string ApiVersion { get; init; } = string.Empty;

        /// <summary>The highest API version the engine supports.</summary>
        public string MaxApiVersion { get; init; } = string.Empty;

        /// <summary>The lowest API version the engine supports.</summary>
        public string MinApiVersion { get; init; } = string.Empty;

        /// <summary>The engine's OS.</summary>
        public string Os { get; init; } = string.Empty;
    }
}
