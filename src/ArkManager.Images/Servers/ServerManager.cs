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
using global::Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Servers
{
    /// <summary>Server containers: create, list, start (never pulling) and stop (honouring the save time).</summary>
    internal sealed class ServerManager
    {

        /// <summary>Docker's own default when a container sets no StopTimeout.</summary>
        private static readonly TimeSpan DockerDefaultStopTimeout = TimeSpan.FromSeconds(10);

        private readonly DockerConnection _connection;
        private readonly ImageStore _images;
        private readonly ILogger _logger;
        private readonly ServerRegistry _registry;

        public ServerManager(DockerConnection connection, ImageStore images, ServerRegistry registry, ILogger logger)
        {
            _connection = connection;
            _images = images;
            _registry = registry;
            _logger = logger;
        }

        public async Task<IReadOnlyList<ServerInfo>> ListAsync(string? name, CancellationToken cancellationToken, string? owner = null)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var filter = name is null ? ServerLabels.Server : ServerLabels.Server + "=" + name;
            var list = await DockerErrors.Call(_connection.Endpoint, "Listing servers", name ?? "*", () => client.Containers.ListContainersAsync(
                new ContainersListParameters
                {
                    All = true,
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [filter] = true } },
                }, cancellationToken)).ConfigureAwait(false);

            var candidates = new List<ServerInfo>();
            foreach (var container in list)
            {
                var info = await TryInspectServerAsync(container.ID, null, cancellationToken, container).ConfigureAwait(false);
                if (info != null)
                {
                    candidates.Add(info);
                }
            }

            foreach (var registered in _registry.Read())
            {
                if ((name != null && registered.Name != name) || candidates.Any(c => c.ContainerId == registered.ContainerId))
                {
                    continue;
                }

                var info = await TryInspectServerAsync(registered.ContainerId, registered, cancellationToken).ConfigureAwait(false);
                if (info != null)
                {
                    candidates.Add(info);
                }
            }

            // During an update a server briefly has two containers (the replacement under a temporary name, or the old
            // one renamed aside): the one that carries the server's name is the server.
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
            var list = await ListAsync(name, cancellationToken).ConfigureAwait(false);
            return list.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
        }

        /// <summary>Every container whose Config.Image is the reference, whose image is one the reference has had, or whose server label names it.</summary>
        public async Task<IReadOnlyList<ContainerInfo>> ListByImageAsync(ImageReference reference, ISet<string> imageIds, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var all = await DockerErrors.Call(_connection.Endpoint, "Listing containers", reference.ToString(),
                () => client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, cancellationToken)).ConfigureAwait(false);
            var registered = _registry.Read();
            var result = new List<ContainerInfo>();
            foreach (var container in all)
            {
                ContainerInspectResponse inspect;
                try
                {
                    inspect = await client.Containers.InspectContainerAsync(container.ID, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (DockerErrors.IsNotFound(ex))
                {
                    continue;
                }

                var labels = inspect.Config?.Labels ?? new Dictionary<string, string>();
                labels.TryGetValue(ServerLabels.Image, out var labelImage);
                var configImage = inspect.Config?.Image ?? string.Empty;
                // A container belongs to the reference when it was created from it (Config.Image or our label), or when
                // it was created from a bare image id (a rollback, or docker run <id>) that the reference has had.
                // A container created from another repository's reference is never matched by id alone.
                var byLabel = labelImage != null && ImageReference.TryParse(labelImage, out var lbl, out _) && lbl!.Equals(reference);
                var configRef = IsImageId(configImage) ? null : ImageReference.TryParse(configImage, out var cfg, out _) ? cfg : null;
                var matches = byLabel ||
                              (configRef != null && configRef.FullRepository == reference.FullRepository && (configRef.Equals(reference) || imageIds.Contains(inspect.Image))) ||
                              (labelImage is null && configRef is null && imageIds.Contains(inspect.Image));
                if (!matches)
                {
                    continue;
                }

                var reg = registered.FirstOrDefault(r => r.ContainerId == inspect.ID);
                labels.TryGetValue(ServerLabels.Server, out var serverName);
                labels.TryGetValue(ServerLabels.Owner, out var owner);
                result.Add(new ContainerInfo
                {
                    Id = inspect.ID,
                    Name = inspect.Name.TrimStart('/'),
                    Image = configImage,
                    ImageId = inspect.Image,
                    State = inspect.State?.Status ?? string.Empty,
                    IsServer = serverName != null || reg != null,
                    ServerName = serverName ?? reg?.Name,
                    Owner = owner ?? reg?.Owner,
                });
            }

            return result.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        }

        private static bool IsImageId(string text) =>
            text.StartsWith("sha256:", StringComparison.Ordinal) ||
            (text.Length >= 12 && text.Length <= 64 && text.All(c => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')));

        public async Task<ServerInfo> RegisterAsync(string container, string name, string? owner, CancellationToken cancellationToken)
        {
            ServerSpecParser.ValidateName(name);
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            ContainerInspectResponse inspect;
            try
            {
                inspect = await client.Containers.InspectContainerAsync(container, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (DockerErrors.IsNotFound(ex))
            {
                throw new ContainerNotFoundException(container);
            }

            var existing = await FindAsync(name, cancellationToken).ConfigureAwait(false);
            if (existing != null && existing.ContainerId != inspect.ID)
            {
                throw new ServerAlreadyExistsException(name);
            }

            if (existing != null)
            {
                return existing;
            }

            var labels = inspect.Config?.Labels ?? new Dictionary<string, string>();
            if (labels.TryGetValue(ServerLabels.Server, out var labelled) && labelled != name)
            {
                throw new ServerAlreadyExistsException(labelled);
            }

            await _registry.UpdateAsync(list =>
            {
                list.RemoveAll(r => r.ContainerId == inspect.ID || r.Name == name);
                list.Add(new RegisteredServer { Name = name, ContainerId = inspect.ID, Owner = owner, RegisteredAt = DateTimeOffset.UtcNow });
                return list;
            }, cancellationToken).ConfigureAwait(false);
            return await GetRequiredAsync(name, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>After a recreate the new container carries the labels; the registration is no longer needed.</summary>
        public Task ForgetRegistrationAsync(string name, CancellationToken cancellationToken) =>
            _registry.Read().Any(r => r.Name == name)
                ? _registry.UpdateAsync(list => { list.RemoveAll(r => r.Name == name); return list; }, cancellationToken)
                : Task.CompletedTask;

        public RegisteredServer? Registration(string name) => _registry.Read().FirstOrDefault(r => r.Name == name);

        private async Task<ServerInfo?> TryInspectServerAsync(string id, RegisteredServer? registration, CancellationToken cancellationToken, ContainerListResponse? listed = null)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var inspect = await client.Containers.InspectContainerAsync(id, cancellationToken).ConfigureAwait(false);
                return ToServerInfo(inspect, listed, registration);
            }
            catch (Exception ex) when (DockerErrors.IsNotFound(ex))
            {
                return null;
            }
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
            var parameters = ServerContainerSpec.Build(spec, reference);

            if (await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false) is null)
            {
                throw new MissingImagesException(new[] { reference.ToString() }, $"Creating server '{spec.Name}'");
            }

            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            if (await FindAsync(spec.Name, cancellationToken).ConfigureAwait(false) != null || await ContainerExistsAsync(spec.Name, cancellationToken).ConfigureAwait(false))
            {
                throw new ServerAlreadyExistsException(spec.Name);
            }

            foreach (var port in spec.Ports.Where(p => p.HostPort == 0))
            {
                Log.RandomHostPort(_logger, spec.Name, port.ToString());
            }

            CreateContainerResponse created;
            try
            {
                created = await DockerErrors.Call(_connection.Endpoint, "Creating server", spec.Name,
                    () => client.Containers.CreateContainerAsync(parameters, cancellationToken)).ConfigureAwait(false);
            }
            catch (DockerOperationException ex) when (ex.StatusCode == (int)HttpStatusCode.Conflict)
            {
                throw new ServerAlreadyExistsException(spec.Name);
            }

            Log.ServerCreated(_logger, spec.Name, created.ID, reference.ToString());
            return await GetRequiredAsync(spec.Name, cancellationToken).ConfigureAwait(false);
        }

        public async Task<ServerInfo> StartAsync(string name, CancellationToken cancellationToken)
        {
            var server = await GetRequiredAsync(name, cancellationToken).ConfigureAwait(false);
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

            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            await DockerErrors.Call(_connection.Endpoint, "Starting server", name,
                () => client.Containers.StartContainerAsync(server.ContainerId, new ContainerStartParameters(), cancellationToken)).ConfigureAwait(false);
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
            var containers = new ContainerOperations(_connection);
            var details = await containers.TryInspectAsync(server.ContainerId, cancellationToken).ConfigureAwait(false) ?? throw new ContainerNotFoundException(name);
            var wait = options.StopTimeout ?? server.StopTimeout ?? DockerDefaultStopTimeout;
            Log.ServerStopping(_logger, name, wait.TotalSeconds, server.StopSignal ?? "SIGTERM");
            var rcon = options.SkipRcon ? null : Rcon.RconSettingsResolver.FromContainer(details);
            var result = await Rcon.SafeStop.StopAsync(containers, details, rcon, options, progress, _logger, cancellationToken).ConfigureAwait(false);
            Log.ServerStopped(_logger, name, result.Duration.TotalSeconds);
            return result;
        }

        /// <summary>Connects to the server's RCON (retrying only while it starts up) and runs one command.</summary>
        public async Task<string> RconAsync(string name, string command, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(command))
            {
                throw new ArgumentException("An RCON command is required.", nameof(command));
            }

            var server = await GetRequiredAsync(name, cancellationToken).ConfigureAwait(false);
            var details = await new ContainerOperations(_connection).TryInspectAsync(server.ContainerId, cancellationToken).ConfigureAwait(false) ?? throw new ContainerNotFoundException(name);
            var settings = Rcon.RconSettingsResolver.FromContainer(details)
                           ?? throw new RconException(RconErrorKind.InvalidSettings, name,
                               $"Server '{name}' has no RCON settings: create it with an RCON port (label io.arkmanager.rcon.port) and its admin password in the environment variable named by io.arkmanager.rcon.password-env (default ARK_RCON_PASSWORD).");
            return await Rcon.RconCommand.ExecuteAsync(details, settings, command, _logger, cancellationToken).ConfigureAwait(false);
        }

        private async Task<bool> ContainerExistsAsync(string name, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await client.Containers.InspectContainerAsync(name, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (DockerErrors.IsNotFound(ex))
            {
                return false;
            }
        }

        internal static ServerInfo ToServerInfo(ContainerInspectResponse inspect, ContainerListResponse? listed = null, RegisteredServer? registration = null)
        {
            var labels = inspect.Config?.Labels is IDictionary<string, string> l ? new Dictionary<string, string>(l, StringComparer.Ordinal) : new Dictionary<string, string>();
            labels.TryGetValue(ServerLabels.Server, out var serverName);
            labels.TryGetValue(ServerLabels.Image, out var image);
            labels.TryGetValue(ServerLabels.Owner, out var owner);
            labels.TryGetValue(ServerLabels.Cluster, out var cluster);
            var ports = new List<string>();
            if (inspect.HostConfig?.PortBindings != null)
            {
                foreach (var pair in inspect.HostConfig.PortBindings)
                {
                    foreach (var binding in pair.Value ?? new List<PortBinding>())
                    {
                        ports.Add((string.IsNullOrEmpty(binding.HostIP) ? string.Empty : binding.HostIP + ":") + binding.HostPort + "->" + pair.Key);
                    }
                }
            }

            return new ServerInfo
            {
                Name = serverName ?? registration?.Name ?? inspect.Name.TrimStart('/'),
                ContainerId = inspect.ID,
                ContainerName = inspect.Name.TrimStart('/'),
                Image = string.IsNullOrEmpty(image) ? inspect.Config?.Image ?? string.Empty : image!,
                ImageId = inspect.Image,
                State = inspect.State?.Status ?? listed?.State ?? string.Empty,
                Status = listed?.Status ?? inspect.State?.Status ?? string.Empty,
                Created = new DateTimeOffset(DateTime.SpecifyKind(inspect.Created, inspect.Created.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : inspect.Created.Kind)),
                StopTimeout = inspect.Config?.StopTimeout,
                StopSignal = inspect.Config?.StopSignal,
                Ports = ports,
                Labels = labels,
                Owner = owner ?? registration?.Owner,
                Cluster = cluster,
                IsRegistered = serverName is null && registration != null,
            };
        }
    }
}
