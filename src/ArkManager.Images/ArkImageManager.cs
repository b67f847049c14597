using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Backups;
using ArkManager.Images.Docker;
using ArkManager.Images.Images;
using ArkManager.Images.Internal;
using ArkManager.Images.Notifications;
using ArkManager.Images.Registry;
using ArkManager.Images.Servers;
using ArkManager.Images.Updates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArkManager.Images
{
    /// <summary>
    /// The library's entry point: a small facade over internal parts that each do one job (connection, images,
    /// registry checks, servers). Thread-safe; create one per Docker endpoint and dispose it when done.
    /// </summary>
    /// <example>
    /// <code>
    /// using var manager = new ArkImageManager(ArkManagerOptions.Load());
    /// var missing = await manager.ValidateRequiredImagesAsync();
    /// foreach (var image in missing) await manager.PullImageAsync(image, new Progress&lt;PullProgress&gt;(p =&gt; Console.WriteLine(p.OverallFraction)));
    /// </code>
    /// </example>
    public sealed class ArkImageManager : IArkImageManager
    {
        private readonly DockerEngine _engine;
        private readonly RegistryClient _registry;
        private readonly ImageStore _images;
        private readonly ImageCleanup _cleanup;
        private readonly ServerManager _servers;
        private readonly ServerBackups _serverBackups;
        private readonly UpdateChecker _checker;
        private readonly UpdateHistoryStore _history;
        private readonly UpdateTransaction _transaction;
        private readonly ServerGate _gate;
        private readonly PendingTransactions _pending;
        private readonly UpdatePlanner _planner;
        private readonly UpdateCoordinator _coordinator;
        private readonly ServiceUpdate _serviceUpdate;
        private readonly ILogger _logger;
        private readonly RunLog _runLog;
        private readonly WebhookNotifier _notifier;
        private bool _disposed;

        /// <summary>Creates a manager. Nothing connects until the first call.</summary>
        /// <param name="options">Settings; null uses the defaults.</param>
        /// <param name="loggerFactory">Where log messages go; null discards them.</param>
        /// <exception cref="InvalidImageReferenceException">A required image is not a valid reference.</exception>
        /// <exception cref="DockerUnavailableException">The Docker endpoint setting cannot be used.</exception>
        public ArkImageManager(ArkManagerOptions? options = null, ILoggerFactory? loggerFactory = null)
            : this(options, loggerFactory, ManagerHosting.Standalone)
        {
        }

        /// <summary>Creates a manager with what a host gives it (named HTTP clients, run log on or off).</summary>
        internal ArkImageManager(ArkManagerOptions? options, ILoggerFactory? loggerFactory, ManagerHosting hosting)
        {
            Options = options ?? new ArkManagerOptions();
            Options.Validate();
            var state = Options.EffectiveStateDirectory;
            _runLog = new RunLog(state, enabled: hosting.RunLog);
            var factory = new TeeLoggerFactory(loggerFactory ?? NullLoggerFactory.Instance, _runLog);
            _logger = factory.CreateLogger("ArkManager.Images");
            var updateLogger = factory.CreateLogger("ArkManager.Images.Updates");
            _engine = new DockerEngine(new DockerConnection(Options, factory.CreateLogger("ArkManager.Images.Docker")));
            var credentials = new DockerCredentialStore(Options.DockerConfigDirectory, Options.CredentialHelperTimeout, factory.CreateLogger("ArkManager.Images.Credentials"));
            _registry = new RegistryClient(
                new RegistryClientOptions
                {
                    InsecureRegistries = Options.InsecureRegistries,
                    Timeout = Options.RegistryTimeout,
                    CredentialHelperTimeout = Options.CredentialHelperTimeout,
                    DockerConfigDirectory = Options.DockerConfigDirectory,
                },
                factory.CreateLogger("ArkManager.Images.Registry"),
                handler: null,
                credentialStore: credentials,
                client: hosting.RegistryHttpClient?.Invoke());
            _images = new ImageStore(_engine.Images, factory.CreateLogger("ArkManager.Images.Images"), (reference, ct) => credentials.GetAsync(reference.Registry, ct));
            _cleanup = new ImageCleanup(_engine.Images, _engine.Containers, _images);
            var services = new ServiceServers(_engine.Services, factory.CreateLogger("ArkManager.Images.Servers"));
            _servers = new ServerManager(_engine.Containers, _images, new ServerRegistry(state), factory.CreateLogger("ArkManager.Images.Servers"), services);
            var backups = new VolumeBackupService(_engine.Containers, factory.CreateLogger("ArkManager.Images.Backups"));
            _serverBackups = new ServerBackups(_servers, _images, backups);
            _checker = new UpdateChecker(_images, _registry, updateLogger, Options.MaxConcurrentChecks);
            var journal = new UpdateJournal(state);
            _history = new UpdateHistoryStore(state, factory.CreateLogger("ArkManager.Images.History"));
            var records = new TransactionRecords(_history, updateLogger);
            var steps = new TransactionSteps(_engine.Containers, _engine.Images, backups, _servers, journal, new SnapshotStore(state), Options, updateLogger);
            var quarantine = new QuarantineStore(state);
            _transaction = new UpdateTransaction(_engine.Containers, journal, steps, records, new TransactionAftermath(quarantine, _engine.Images, updateLogger), updateLogger);
            var serverLock = new ServerLock(state);
            _gate = new ServerGate(serverLock, journal, new TransactionRecovery(journal, steps, _transaction, records, updateLogger));
            _pending = new PendingTransactions(journal, serverLock);
            _planner = new UpdatePlanner(_images, _servers, _history, quarantine);
            _notifier = new WebhookNotifier(Options.Webhooks, state, factory.CreateLogger("ArkManager.Images.Notifications"), clientFactory: hosting.WebhookHttpClient);
            _serviceUpdate = new ServiceUpdate(services, _servers, _images, _checker, _history, updateLogger);
            _coordinator = new UpdateCoordinator(_images, _servers, _checker, _planner, _gate, _transaction, _history, _serviceUpdate);
        }

        /// <summary>
        /// The manager the options ask for: with <see cref="ArkManagerOptions.Hosts"/>, an <see cref="ArkFleetManager"/> over
        /// those engines; otherwise an <see cref="ArkImageManager"/> for the one engine.
        /// </summary>
        /// <param name="options">Settings; null uses the defaults.</param>
        /// <param name="loggerFactory">Where log messages go; null discards them.</param>
        public static IArkImageManager Create(ArkManagerOptions? options = null, ILoggerFactory? loggerFactory = null) =>
            options is { Hosts.Count: > 0 } ? new ArkFleetManager(options, loggerFactory) : new ArkImageManager(options, loggerFactory);

        /// <summary>The update flow of this engine (several hosts share one check and one rolling window).</summary>
        internal UpdateCoordinator Coordinator => _coordinator;

        /// <summary>This engine's registry checks.</summary>
        internal UpdateChecker Checker => _checker;

        /// <summary>Tells this manager's webhooks about an available update (a check made for several hosts).</summary>
        internal Task NotifyUpdateAvailableAsync(ImageUpdateCheck check, CancellationToken cancellationToken) =>
            _notifier.NotifyUpdateAvailableAsync(check, cancellationToken);

        /// <summary>Runs an update of several hosts under this manager's run log and webhooks.</summary>
        internal Task<T> RunNotifiedAsync<T>(string operation, string target, IReadOnlyList<ImageReference> images,
            Func<Task<(T Result, IReadOnlyList<ImageUpdateResult> PerImage)>> update, Func<T, string> describe) =>
            _runLog.RunAsync(operation, target, () => NotifyingAsync(images, update), describe);

        /// <summary>Test seam: called after a transaction step is journaled and before it acts (crash tests block here).</summary>
        internal Func<UpdateStep, Task>? TransactionStepHook
        {
            get => _transaction.StepStarting;
            set => _transaction.StepStarting = value;
        }

        /// <summary>Test seam: called after a transaction step acted and before it is journaled as completed.</summary>
        internal Func<UpdateStep, Task>? TransactionStepActedHook
        {
            get => _transaction.StepActed;
            set => _transaction.StepActed = value;
        }

        /// <summary>Test seam: called before each step of an undo (rollback of a failed or interrupted transaction) is undone.</summary>
        internal Func<UpdateStep, Task>? TransactionUndoHook
        {
            get => _transaction.StepUndoing;
            set => _transaction.StepUndoing = value;
        }

        /// <inheritdoc />
        public ArkManagerOptions Options { get; }

        /// <inheritdoc />
        public Task<DockerEngineInfo> GetEngineInfoAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return _engine.Connection.GetEngineInfoAsync(cancellationToken);
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<string>> ValidateRequiredImagesAsync(CancellationToken cancellationToken = default)
        {
            var statuses = await GetImageStatusAsync(cancellationToken).ConfigureAwait(false);
            return statuses.Where(s => !s.Present).Select(s => s.Image).ToList();
        }

        /// <inheritdoc />
        public Task<ImageInfo?> GetImageInfoAsync(string reference, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return _images.InspectAsync(ImageReference.Parse(reference), cancellationToken);
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<string>> GetLocalTagsAsync(string reference, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var parsed = ImageReference.Parse(reference);
            var images = await _images.ListRepositoryAsync(parsed, cancellationToken).ConfigureAwait(false);
            return images.OrderByDescending(i => i.Created).SelectMany(i => i.RepoTags).Where(parsed.IsSameRepository).Distinct(StringComparer.Ordinal).ToList();
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<ImageStatus>> GetImageStatusAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var result = new List<ImageStatus>();
            foreach (var reference in RequiredReferences())
            {
                var info = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false);
                if (info is null)
                {
                    Internal.Log.ImageMissing(_logger, reference.ToString());
                }

                result.Add(new ImageStatus { Image = reference.ToString(), Present = info != null, Info = info });
            }

            return result;
        }

        /// <inheritdoc />
        public Task<ImageInfo> PullImageAsync(string reference, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var parsed = ImageReference.Parse(reference);
            return _runLog.RunAsync("Pull", parsed.ToString(), () => Telemetry.TracePullAsync(parsed.ToString(), () => _images.PullAsync(parsed, progress, cancellationToken)), i => i.Id);
        }

        /// <inheritdoc />
        public Task<ImageUpdateCheck> CheckImageUpdateAsync(string reference, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return _checker.CheckAsync(ImageReference.Parse(reference), cancellationToken);
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<RegistryProbe>> ProbeRegistriesAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var registries = RequiredReferences().GroupBy(r => r.Registry, StringComparer.OrdinalIgnoreCase).Select(g => g.First());
            return await Task.WhenAll(registries.Select(r => _registry.ProbeAsync(r, cancellationToken))).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public Task<IReadOnlyDictionary<string, ImageUpdateCheck>> CheckImageUpdatesAsync(CancellationToken cancellationToken = default) =>
            CheckImageUpdatesAsync(false, cancellationToken);

        /// <inheritdoc />
        public async Task<IReadOnlyDictionary<string, ImageUpdateCheck>> CheckImageUpdatesAsync(bool notify, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var checks = await _checker.CheckAllAsync(RequiredReferences(), cancellationToken).ConfigureAwait(false);
            if (notify)
            {
                foreach (var check in checks.Values)
                {
                    await _notifier.NotifyUpdateAvailableAsync(check, cancellationToken).ConfigureAwait(false);
                }
            }

            return checks;
        }

        /// <inheritdoc />
        public async Task<ImageUpdateCheck> CheckImageUpdateAsync(string reference, bool notify, CancellationToken cancellationToken = default)
        {
            var check = await CheckImageUpdateAsync(reference, cancellationToken).ConfigureAwait(false);
            if (notify)
            {
                await _notifier.NotifyUpdateAvailableAsync(check, cancellationToken).ConfigureAwait(false);
            }

            return check;
        }

        /// <inheritdoc />
        public Task<ServerInfo> NewServerAsync(ServerSpec spec, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return _runLog.RunAsync("NewServer", spec?.Name,
                () => spec is { AsService: true } ? _serviceUpdate.CreateAsync(spec, cancellationToken) : _servers.CreateAsync(spec!, cancellationToken), s => s.ContainerId);
        }

        /// <inheritdoc />
        public Task<IReadOnlyList<ServerInfo>> GetServersAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return WithPendingAsync(_servers.ListAsync(null, cancellationToken));
        }

        /// <inheritdoc />
        public Task<ServerInfo?> GetServerAsync(string name, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            RequireName(name);
            return FindWithPendingAsync(name, cancellationToken);
        }

        /// <inheritdoc />
        public Task<ServerInfo> StartServerAsync(string name, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            RequireName(name);
            return _runLog.RunAsync("StartServer", name, () => Exclusive(name, "Start", () => _servers.StartAsync(name, cancellationToken), cancellationToken), srv => srv.State);
        }

        /// <inheritdoc />
        public Task<ServerInfo> StopServerAsync(string name, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            RequireName(name);
            return _runLog.RunAsync("StopServer", name, () => Exclusive(name, "Stop", () => _servers.StopAsync(name, timeout, cancellationToken), cancellationToken), srv => srv.State);
        }

        /// <inheritdoc />
        public Task<SafeStopResult> SafeStopServerAsync(string name, SafeStopOptions? options = null, IProgress<StopProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            RequireName(name);
            return _runLog.RunAsync("StopServer", name, () => Exclusive(name, "Stop", () => _servers.SafeStopAsync(name, options ?? new SafeStopOptions(), progress, cancellationToken), cancellationToken),
                r => r.UsedRcon && !r.FellBackToDockerStop ? "stopped by RCON" : "stopped by Docker: " + r.Reason);
        }

        /// <inheritdoc />
        public Task<string> SendRconCommandAsync(string name, string command, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            RequireName(name);
            return _servers.RconAsync(name, command, cancellationToken);
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<ArkPlayer>> GetPlayersAsync(string name, CancellationToken cancellationToken = default)
        {
            var text = await SendRconCommandAsync(name, "ListPlayers", cancellationToken).ConfigureAwait(false);
            return Rcon.ArkPlayerList.Parse(text);
        }

        /// <inheritdoc />
        public Task<IReadOnlyList<ServerInfo>> GetServersAsync(string? owner, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return WithPendingAsync(_servers.ListAsync(null, cancellationToken, owner));
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<ContainerInfo>> GetContainersByImageAsync(string reference, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var parsed = ImageReference.Parse(reference);
            var current = await _images.InspectAsync(parsed, cancellationToken).ConfigureAwait(false);
            return await _planner.GetContainersByImageAsync(parsed, current, cancellationToken).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<AffectedServer>> GetAffectedServersAsync(string reference, string? owner = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var parsed = ImageReference.Parse(reference);
            var newest = await _images.InspectAsync(parsed, cancellationToken).ConfigureAwait(false);
            return await _planner.GetAffectedServersAsync(parsed, newest, owner, cancellationToken).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public Task<ServerUpdateResult> RecreateContainerAsync(string server, RecreateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            RequireName(server);
            options ??= new RecreateOptions();
            var target = options.Image is null ? null : ImageReference.Parse(options.Image);
            return _runLog.RunAsync("Recreate", server, () => _coordinator.RecreateAsync(server, target, options, "Recreate", progress, cancellationToken), Describe);
        }

        /// <inheritdoc />
        public Task<IReadOnlyList<UpdatePlanItem>> PlanUpdateAsync(string reference, UpdateOptions? options = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return _coordinator.PlanManyAsync(new[] { ImageReference.Parse(reference) }, options ?? new UpdateOptions(), cancellationToken);
        }

        /// <inheritdoc />
        public Task<IReadOnlyList<UpdatePlanItem>> PlanAllAsync(UpdateOptions? options = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return _coordinator.PlanManyAsync(RequiredReferences(), options ?? new UpdateOptions(), cancellationToken);
        }

        /// <inheritdoc />
        public Task<ImageUpdateResult> UpdateImageAsync(string reference, UpdateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var parsed = ImageReference.Parse(reference);
            return _runLog.RunAsync("UpdateImage", parsed.ToString(), () => NotifyingAsync(new[] { parsed }, async () =>
            {
                var result = await _coordinator.UpdateImageAsync(parsed, options ?? new UpdateOptions(), progress, cancellationToken).ConfigureAwait(false);
                return (result, new[] { result });
            }), r => r.Summary);
        }

        /// <inheritdoc />
        public Task<BatchUpdateResult> UpdateAllImagesAsync(UpdateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var references = RequiredReferences();
            return _runLog.RunAsync("UpdateAllImages", string.Join(",", Options.RequiredImages), () => NotifyingAsync(references, async () =>
            {
                var result = await _coordinator.UpdateManyAsync(references, options ?? new UpdateOptions(), progress, cancellationToken).ConfigureAwait(false);
                return (result, result.Images);
            }), r => r.Summary);
        }

        /// <inheritdoc />
        public Task<ServerUpdateResult> RollbackAsync(string server, RecreateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            RequireName(server);
            return _runLog.RunAsync("Rollback", server, async () =>
            {
                var result = await _coordinator.RollbackAsync(server, options ?? new RecreateOptions(), progress, cancellationToken).ConfigureAwait(false);
                if (Options.Webhooks.Count > 0)
                {
                    // A manual rollback is reported as a rollback (Outcome Reverted), never as an update.
                    await _notifier.NotifyUpdateResultAsync(new ImageUpdateResult { Image = result.Image, Servers = new[] { result }, Succeeded = result.Succeeded, Summary = Describe(result) }, CancellationToken.None).ConfigureAwait(false);
                }

                return result;
            }, Describe);
        }

        /// <inheritdoc />
        public Task<ImageCleanupResult> RemoveOldImagesAsync(string reference, int keep = 1, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var parsed = ImageReference.Parse(reference);
            return _runLog.RunAsync("RemoveOldImages", parsed.ToString(), async () =>
            {
                var targets = await _coordinator.RollbackTargetsAsync(cancellationToken).ConfigureAwait(false);
                return await _cleanup.RemoveOldAsync(parsed, keep, targets, cancellationToken).ConfigureAwait(false);
            }, r => $"{r.Removed.Count} removed, {r.Kept.Count} kept");
        }

        /// <inheritdoc />
        public Task<ImageCleanupResult> PlanRemoveOldImagesAsync(string reference, int keep = 1, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var parsed = ImageReference.Parse(reference);
            return _runLog.RunAsync("PlanRemoveOldImages", parsed.ToString(), async () =>
            {
                var targets = await _coordinator.RollbackTargetsAsync(cancellationToken).ConfigureAwait(false);
                return await _cleanup.RemoveOldAsync(parsed, keep, targets, cancellationToken, whatIf: true).ConfigureAwait(false);
            }, r => $"{r.Removed.Count} would be removed, {r.Kept.Count} kept");
        }

        /// <inheritdoc />
        public Task<BackupInfo> BackupServerAsync(string server, string destinationDirectory, BackupOptions? options = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            RequireName(server);
            if (string.IsNullOrWhiteSpace(destinationDirectory))
            {
                throw new ArgumentException("A destination directory is required.", nameof(destinationDirectory));
            }

            return _runLog.RunAsync("Backup", server, () => Exclusive(server, "Backup",
                () => _serverBackups.BackupAsync(server, destinationDirectory, options ?? new BackupOptions(), cancellationToken), cancellationToken), b => b.Path);
        }

        /// <inheritdoc />
        public Task<BackupInfo> RestoreServerAsync(string server, string archivePath, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            RequireName(server);
            if (string.IsNullOrWhiteSpace(archivePath))
            {
                throw new ArgumentException("An archive path is required.", nameof(archivePath));
            }

            return _runLog.RunAsync("Restore", server, () => Exclusive(server, "Restore",
                () => _serverBackups.RestoreAsync(server, archivePath, cancellationToken), cancellationToken), b => b.Path);
        }

        /// <inheritdoc />
        public Task<IReadOnlyList<UpdateHistoryRecord>> GetUpdateHistoryAsync(UpdateHistoryFilter? filter = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            if (filter?.Image is string image)
            {
                ImageReference.Parse(image);
            }

            return _history.ReadAsync(filter, cancellationToken);
        }

        /// <inheritdoc />
        public Task<ServerInfo> RegisterServerAsync(string container, string name, string? owner = null, CancellationToken cancellationToken = default) =>
            RegisterServerAsync(container, name, owner, force: false, cancellationToken);

        /// <inheritdoc />
        public Task<ServerInfo> RegisterServerAsync(string container, string name, string? owner, bool force, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            if (string.IsNullOrWhiteSpace(container))
            {
                throw new ArgumentException("A container name or id is required.", nameof(container));
            }

            return _runLog.RunAsync("RegisterServer", name, () => _servers.RegisterAsync(container, name, owner, force, cancellationToken), s => s.ContainerId);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _registry.Dispose();
            _notifier.Dispose();
            _engine.Dispose();
        }

        private Task<T> Exclusive<T>(string server, string operation, Func<Task<T>> body, CancellationToken cancellationToken) =>
            _gate.RunExclusiveAsync(server, operation, TimeSpan.Zero, body, cancellationToken);

        private IReadOnlyList<ImageReference> RequiredReferences() =>
            Options.RequiredImages.Select(ImageReference.Parse).Distinct().ToList();

        private static string Describe(ServerUpdateResult r) => r.Outcome + (r.Error is null ? string.Empty : ": " + r.Error);

        /// <summary>Runs an update and tells the webhooks how it went; a notification never changes the outcome.</summary>
        private async Task<T> NotifyingAsync<T>(IReadOnlyList<ImageReference> images, Func<Task<(T Result, IReadOnlyList<ImageUpdateResult> PerImage)>> update)
        {
            (T Result, IReadOnlyList<ImageUpdateResult> PerImage) outcome;
            try
            {
                outcome = await update().ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) && Options.Webhooks.Count > 0)
            {
                foreach (var image in images)
                {
                    await _notifier.NotifyUpdateFailedAsync(image.ToString(), ex.Message, CancellationToken.None).ConfigureAwait(false);
                }

                throw;
            }

            foreach (var result in outcome.PerImage)
            {
                await _notifier.NotifyUpdateResultAsync(result, CancellationToken.None).ConfigureAwait(false);
            }

            return outcome.Result;
        }

        /// <summary>The servers with their unfinished transactions (see <see cref="ServerInfo.PendingTransaction"/>).</summary>
        private async Task<IReadOnlyList<ServerInfo>> WithPendingAsync(Task<IReadOnlyList<ServerInfo>> servers) =>
            _pending.Enrich(await servers.ConfigureAwait(false));

        private async Task<ServerInfo?> FindWithPendingAsync(string name, CancellationToken cancellationToken) =>
            _pending.Enrich(await _servers.FindAsync(name, cancellationToken).ConfigureAwait(false));

        private static void RequireName(string name)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A server name is required.", nameof(name));
            }
        }

        private void ThrowIfDisposed()
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(ArkImageManager));
            }
        }
    }
}
