using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using ArkManager.Images.Images;
using ArkManager.Images.Internal;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Servers
{
    /// <summary>Server containers: create, list, start (never pulling) and stop (honouring the save time).</summary>
    internal sealed class ServerManager
    {

        /// <summary>Docker's own default when a container sets no StopTimeout.</summary>
        private static readonly TimeSpan DockerDefaultStopTimeout = TimeSpan.FromSeconds(10);

        private readonly IContainerOperations _containers;
        private readonly ImageStore _images;
        private readonly ILogger _logger;
        private readonly ServerRegistry _registry;
        private readonly ServiceServers? _services;

        public ServerManager(IContainerOperations containers, ImageStore images, ServerRegistry registry, ILogger logger, ServiceServers? services = null)
        {
            _services = services;
            _containers = containers;
            _images = images;
            _registry = registry;
            _logger = logger;
        }

        public async Task<IReadOnlyList<ServerInfo>> ListAsync(string? name, CancellationToken cancellationToken, string? owner = null)
        {
            var filter = name is null ? ServerLabels.Server : ServerLabels.Server + "=" + name;
            var list = await _containers.ListAsync(filter, cancellationToken).ConfigureAwait(false);

            var candidates = new List<ServerInfo>();
            foreach (var container in list)
            {
                var info = await TryInspectServerAsync(container.Id, null, cancellationToken, container).ConfigureAwait(false);
                if (info != null)
                {
                    candidates.Add(info);
                }
            }

            // Adopted servers carry no label: their listing entry (for Docker's status text) comes from the full list.
            var registrations = _registry.Read().Where(r => (name is null || r.Name == name) && !candidates.Any(c => c.ContainerId == r.ContainerId)).ToList();
            var all = registrations.Count == 0 ? list : await _containers.ListAsync(null, cancellationToken).ConfigureAwait(false);
            foreach (var registered in registrations)
            {
                var listed = all.FirstOrDefault(c => string.Equals(c.Id, registered.ContainerId, StringComparison.Ordinal));
                var info = await TryInspectServerAsync(registered.ContainerId, registered, cancellationToken, listed).ConfigureAwait(false);
                if (info != null)
                {
                    candidates.Add(info);
                }
            }

            // During an update a server briefly has two containers (the replacement under a temporary name, or the old
            // one renamed aside): the one that carries the server's name is the server.
            if (_services != null)
            {
                candidates.AddRange(await _services.ListAsync(name, cancellationToken).ConfigureAwait(false));
            }

            var result = candidates
                .GroupBy(c => c.Name, StringComparer.Ordinal)
                .Select(g => g.OrderByDescending(c => c.ContainerName == c.Name).ThenByDescending(c => c.Created).First())
                .Where(s => owner is null || string.Equals(s.Owner, owner, StringComparison.Ordinal))
                .OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();
            return result;
        }

        public async Task<ServerInfo?> FindAsync(string name, CancellationToken cancellationToken)
        {
            ServerSpecParser.ValidateName(name);
            var list = await ListAsync(name, cancellationToken).ConfigureAwait(false);
            return list.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
        }

        /// <summary>Every container whose Config.Image is the reference, whose image is one the reference has had, or whose server label names it.</summary>
        public async Task<IReadOnlyList<ContainerInfo>> ListByImageAsync(ImageReference reference, ISet<string> imageIds, CancellationToken cancellationToken)
        {
            var all = await _containers.ListAsync(null, cancellationToken).ConfigureAwait(false);
            var registered = _registry.Read();
            var result = new List<ContainerInfo>();
            foreach (var container in all)
            {
                var inspect = await _containers.TryInspectAsync(container.Id, cancellationToken).ConfigureAwait(false);
                if (inspect is null)
                {
                    continue;
                }

                var labelImage = inspect.Label(ServerLabels.Image);
                var configImage = inspect.ConfigImage;
                // A container belongs to the reference when it was created from it (Config.Image or our label), or when
                // it was created from a bare image id (a rollback, or docker run <id>) that the reference has had.
                // A container created from another repository's reference is never matched by id alone.
                var byLabel = labelImage != null && ImageReference.TryParse(labelImage, out var lbl, out _) && lbl!.Equals(reference);
                var configRef = IsImageId(configImage) ? null : ImageReference.TryParse(configImage, out var cfg, out _) ? cfg : null;
                var matches = byLabel ||
                              (configRef != null && configRef.FullRepository == reference.FullRepository && (configRef.Equals(reference) || imageIds.Contains(inspect.ImageId))) ||
                              (labelImage is null && configRef is null && imageIds.Contains(inspect.ImageId));
                if (!matches)
                {
                    continue;
                }

                var reg = registered.FirstOrDefault(r => r.ContainerId == inspect.Id);
                var serverName = inspect.Label(ServerLabels.Server);
                result.Add(new ContainerInfo
                {
                    Id = inspect.Id,
                    Name = inspect.Name,
                    Image = configImage,
                    ImageId = inspect.ImageId,
                    State = inspect.Status,
                    IsServer = serverName != null || reg != null,
                    ServerName = serverName ?? reg?.Name,
                    Owner = inspect.Label(ServerLabels.Owner) ?? reg?.Owner,
                });
            }

            return result.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        }

        private static bool IsImageId(string text) =>
            text.StartsWith("sha256:", StringComparison.Ordinal) ||
            (text.Length >= 12 && text.Length <= 64 && text.All(c => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')));

        /// <summary>
        /// Adopts a container as the server <paramref name="name"/>. A container that already is a server (registered
        /// or labelled) under another name or owner is refused with <see cref="ServerAlreadyRegisteredException"/>;
        /// with <paramref name="force"/> a registration is rewritten, keeping its owner unless a new one is given, and
        /// what changed is logged (a warning). A labelled container's name and owner change only with a recreate.
        /// </summary>
        public async Task<ServerInfo> RegisterAsync(string container, string name, string? owner, bool force, CancellationToken cancellationToken)
        {
            ServerSpecParser.ValidateName(name);
            var inspect = await _containers.TryInspectAsync(container, cancellationToken).ConfigureAwait(false)
                          ?? throw new ContainerNotFoundException(container);

            var existing = await FindAsync(name, cancellationToken).ConfigureAwait(false);
            if (existing != null && existing.ContainerId != inspect.Id)
            {
                throw new ServerAlreadyExistsException(name);
            }

            if (inspect.Label(ServerLabels.Server) is string labelled)
            {
                var labelOwner = inspect.Label(ServerLabels.Owner);
                if (labelled != name || (owner != null && owner != labelOwner))
                {
                    throw new ServerAlreadyRegisteredException(container, labelled, labelOwner, labelled: true);
                }

                return existing ?? await GetRequiredAsync(name, cancellationToken).ConfigureAwait(false);
            }

            string? change = null;
            await _registry.UpdateAsync(list =>
            {
                // Decided under the registry's lock: a concurrent registration of the same container is seen here.
                var current = list.FirstOrDefault(r => r.ContainerId == inspect.Id);
                var keptOwner = owner ?? current?.Owner;
                if (current != null && current.Name == name && keptOwner == current.Owner)
                {
                    return list; // the same registration again: nothing changes
                }

                if (current != null && !force)
                {
                    throw new ServerAlreadyRegisteredException(container, current.Name, current.Owner, labelled: false);
                }

                if (current != null)
                {
                    change = (current.Name == name ? $"name '{name}' kept" : $"server name '{current.Name}' -> '{name}'") + "; " +
                             (keptOwner == current.Owner
                                 ? (keptOwner is null ? "no owner" : $"owner '{keptOwner}' kept")
                                 : $"owner {Describe(current.Owner)} -> {Describe(keptOwner)}");
                }

                list.RemoveAll(r => r.ContainerId == inspect.Id || r.Name == name);
                list.Add(new RegisteredServer { Name = name, ContainerId = inspect.Id, Owner = keptOwner, RegisteredAt = DateTimeOffset.UtcNow });
                return list;
            }, cancellationToken).ConfigureAwait(false);
            if (change != null)
            {
                Log.ServerReRegistered(_logger, container, change);
            }

            return await GetRequiredAsync(name, cancellationToken).ConfigureAwait(false);
        }

        private static string Describe(string? owner) => owner is null ? "(none)" : "'" + owner + "'";

        /// <summary>After a recreate the new container carries the labels; the registration is no longer needed.</summary>
        public Task ForgetRegistrationAsync(string name, CancellationToken cancellationToken) =>
            _registry.Read().Any(r => r.Name == name)
                ? _registry.UpdateAsync(list => { list.RemoveAll(r => r.Name == name); return list; }, cancellationToken)
                : Task.CompletedTask;

        public RegisteredServer? Registration(string name) => _registry.Read().FirstOrDefault(r => r.Name == name);

        private async Task<ServerInfo?> TryInspectServerAsync(string id, RegisteredServer? registration, CancellationToken cancellationToken, ContainerSummary? listed = null)
        {
            var inspect = await _containers.TryInspectAsync(id, cancellationToken).ConfigureAwait(false);
            return inspect is null ? null : ToServerInfo(inspect, listed, registration);
        }

        public async Task<ServerInfo> GetRequiredAsync(string name, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A server name is required.", nameof(name));
            }

            return await FindAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new ServerNotFoundException(name);
        }

        public async Task<ServerInfo> CreateAsync(ServerSpec spec, CancellationToken cancellationToken)
        {
            if (spec is null)
            {
                throw new ArgumentNullException(nameof(spec));
            }

            ServerSpecParser.ValidateName(spec.Name);
            var reference = ImageReference.Parse(spec.Image);
            ServerContainerSpec.Validate(spec, reference);

            if (await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false) is null)
            {
                throw new MissingImagesException(new[] { reference.ToString() }, $"Creating server '{spec.Name}'");
            }

            if (await FindAsync(spec.Name, cancellationToken).ConfigureAwait(false) != null || await _containers.TryInspectAsync(spec.Name, cancellationToken).ConfigureAwait(false) != null)
            {
                throw new ServerAlreadyExistsException(spec.Name);
            }

            foreach (var port in spec.Ports.Where(p => p.HostPort == 0))
            {
                Log.RandomHostPort(_logger, spec.Name, port.ToString());
            }

            var createdId = await _containers.CreateServerAsync(spec, reference, cancellationToken).ConfigureAwait(false);
            Log.ServerCreated(_logger, spec.Name, createdId, reference.ToString());
            return await GetRequiredAsync(spec.Name, cancellationToken).ConfigureAwait(false);
        }

        public async Task<ServerInfo> StartAsync(string name, CancellationToken cancellationToken)
        {
            var server = await GetRequiredAsync(name, cancellationToken).ConfigureAwait(false);
            RefuseService(server, "started");
            if (!ImageReference.TryParse(server.Image, out var reference, out _) ||
                await _images.InspectAsync(reference!, cancellationToken).ConfigureAwait(false) is null)
            {
                Log.StartRefused(_logger, name, server.Image);
                throw new MissingImagesException(new[] { reference?.ToString() ?? server.Image }, $"Starting server '{name}'");
            }

            if (server.IsRunning)
            {
                return server;
            }

            await _containers.StartAsync(server.ContainerId, cancellationToken).ConfigureAwait(false);
            Log.ServerStarted(_logger, name);
            return await GetRequiredAsync(name, cancellationToken).ConfigureAwait(false);
        }

        public async Task<ServerInfo> StopAsync(string name, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            if (timeout is TimeSpan t && t < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(timeout), "The stop timeout cannot be negative.");
            }

            await SafeStopAsync(name, new SafeStopOptions { StopTimeout = timeout }, null, cancellationToken).ConfigureAwait(false);
            return await GetRequiredAsync(name, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Stops a server the way careful ARK admins do: with RCON (countdown warnings when players are online, a
        /// confirmed SaveWorld, DoExit) when the server has RCON settings, else — and as the fallback — Docker's stop
        /// with the container's StopTimeout and StopSignal.
        /// </summary>
        public async Task<SafeStopResult> SafeStopAsync(string name, SafeStopOptions options, IProgress<StopProgress>? progress, CancellationToken cancellationToken)
        {
            var server = await GetRequiredAsync(name, cancellationToken).ConfigureAwait(false);
            RefuseService(server, "stopped");
            var container = await _containers.TryInspectAsync(server.ContainerId, cancellationToken).ConfigureAwait(false) ?? throw new ContainerNotFoundException(name);
            var wait = options.StopTimeout ?? server.StopTimeout ?? DockerDefaultStopTimeout;
            Log.ServerStopping(_logger, name, wait.TotalSeconds, server.StopSignal ?? "SIGTERM");
            var result = await SafeStopContainerAsync(container, options, progress, cancellationToken).ConfigureAwait(false);
            Log.ServerStopped(_logger, name, result.Duration.TotalSeconds);
            return result;
        }

        /// <summary>The safe stop of one container (also the old container of an update, whatever its name).</summary>
        public Task<SafeStopResult> SafeStopContainerAsync(ContainerDetails container, SafeStopOptions options, IProgress<StopProgress>? progress, CancellationToken cancellationToken)
        {
            var rcon = options.SkipRcon ? null : Rcon.RconSettingsResolver.FromContainer(container);
            return Rcon.SafeStop.StopAsync(_containers, container, rcon, options, progress, _logger, cancellationToken);
        }

        /// <summary>Connects to the server's RCON (retrying only while it starts up) and runs one command.</summary>
        public async Task<string> RconAsync(string name, string command, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(command))
            {
                throw new ArgumentException("An RCON command is required.", nameof(command));
            }

            var server = await GetRequiredAsync(name, cancellationToken).ConfigureAwait(false);
            var details = await _containers.TryInspectAsync(server.ContainerId, cancellationToken).ConfigureAwait(false) ?? throw new ContainerNotFoundException(name);
            var settings = Rcon.RconSettingsResolver.FromContainer(details)
                           ?? throw new RconException(RconErrorKind.InvalidSettings, name,
                               $"Server '{name}' has no RCON settings: create it with an RCON port (label io.arkmanager.rcon.port) and its admin password in the environment variable named by io.arkmanager.rcon.password-env (default ARK_RCON_PASSWORD).");
            return await Rcon.RconCommand.ExecuteAsync(details, settings, command, _logger, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The engine runs a service's task: start and stop are the engine's (scale), never a container call here.</summary>
        private static void RefuseService(ServerInfo server, string what)
        {
            if (server.Kind == ServerKind.Service)
            {
                throw new SwarmServiceException(server.Name, $"Server '{server.Name}' is a Swarm service: the engine keeps its one task running; it is not {what} here (docker service scale {server.ContainerName}=0 or =1 does that).");
            }
        }

        private static bool HasRconSettings(ContainerDetails inspect)
        {
            try
            {
                return Rcon.RconSettingsResolver.FromContainer(inspect) != null;
            }
            catch (RconException)
            {
                return true; // configured, but wrongly: a stop tries RCON and reports why it cannot
            }
        }

        internal static ServerInfo ToServerInfo(ContainerDetails inspect, ContainerSummary? listed = null, RegisteredServer? registration = null)
        {
            var labels = new Dictionary<string, string>(inspect.Labels.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);
            var serverName = inspect.Label(ServerLabels.Server);
            var image = inspect.Label(ServerLabels.Image);
            var ports = inspect.PortBindings
                .Select(b => (string.IsNullOrEmpty(b.HostIp) ? string.Empty : b.HostIp + ":") + b.HostPort + "->" + b.ContainerPort)
                .ToList();
            return new ServerInfo
            {
                Name = serverName ?? registration?.Name ?? inspect.Name,
                ContainerId = inspect.Id,
                ContainerName = inspect.Name,
                Image = string.IsNullOrEmpty(image) ? inspect.ConfigImage : image!,
                ImageId = inspect.ImageId,
                State = string.IsNullOrEmpty(inspect.Status) ? listed?.State ?? string.Empty : inspect.Status,
                Status = listed?.Status ?? inspect.Status,
                Created = inspect.Created,
                StopTimeout = inspect.StopTimeout,
                StopSignal = inspect.StopSignal,
                Ports = ports,
                Labels = labels,
                Owner = inspect.Label(ServerLabels.Owner) ?? registration?.Owner,
                Cluster = inspect.Label(ServerLabels.Cluster),
                IsRegistered = serverName is null && registration != null,
                HasRcon = HasRconSettings(inspect),
                Problem = serverName != null && !ServerSpecParser.IsValidName(serverName)
                    ? $"its label {ServerLabels.Server}='{serverName}' is not a valid server name (1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit): relabel the container; until then it is never touched"
                    : null,
            };
        }
    }
}
