using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using ArkManager.Images.Images;
using ArkManager.Images.Registry;
using ArkManager.Images.Servers;
using ArkManager.Images.Updates;
using global::Docker.DotNet.Models;
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
        private readonly DockerConnection _connection;
        private readonly RegistryClient _registry;
        private readonly DockerCredentialStore _credentials;
        private readonly ImageStore _images;
        private readonly ServerManager _servers;
        private readonly UpdateChecker _checker;
        private readonly ILogger _logger;
        private bool _disposed;

        /// <summary>Creates a manager. Nothing connects until the first call.</summary>
        /// <param name="options">Settings; null uses the defaults.</param>
        /// <param name="loggerFactory">Where log messages go; null discards them.</param>
        /// <exception cref="InvalidImageReferenceException">A required image is not a valid reference.</exception>
        /// <exception cref="DockerUnavailableException">The Docker endpoint setting cannot be used.</exception>
        public ArkImageManager(ArkManagerOptions? options = null, ILoggerFactory? loggerFactory = null)
        {
            Options = options ?? new ArkManagerOptions();
            Options.Validate();
            var factory = loggerFactory ?? NullLoggerFactory.Instance;
            _logger = factory.CreateLogger("ArkManager.Images");
            _connection = new DockerConnection(Options, factory.CreateLogger("ArkManager.Images.Docker"));
            _credentials = new DockerCredentialStore(Options.DockerConfigDirectory, Options.CredentialHelperTimeout, factory.CreateLogger("ArkManager.Images.Credentials"));
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
                credentialStore: _credentials);
            _images = new ImageStore(_connection, factory.CreateLogger("ArkManager.Images.Images"), PullAuthAsync);
            _servers = new ServerManager(_connection, _images, new ServerRegistry(Options.EffectiveStateDirectory), factory.CreateLogger("ArkManager.Images.Servers"));
            _checker = new UpdateChecker(_images, _registry, factory.CreateLogger("ArkManager.Images.Updates"), Options.MaxConcurrentChecks);
        }

        /// <inheritdoc />
        public ArkManagerOptions Options { get; }

        /// <inheritdoc />
        public Task<DockerEngineInfo> GetEngineInfoAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return _connection.GetEngineInfoAsync(cancellationToken);
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
            var parsed = ImageReference.Parse(reference);
            return _images.InspectAsync(parsed, cancellationToken);
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<ImageStatus>> GetImageStatusAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var references = RequiredReferences();
            var result = new List<ImageStatus>(references.Count);
            foreach (var reference in references)
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
            return _images.PullAsync(parsed, progress, cancellationToken);
        }

        /// <inheritdoc />
        public Task<ImageUpdateCheck> CheckImageUpdateAsync(string reference, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var parsed = ImageReference.Parse(reference);
            return _checker.CheckAsync(parsed, cancellationToken);
        }

        /// <inheritdoc />
        public Task<IReadOnlyDictionary<string, ImageUpdateCheck>> CheckImageUpdatesAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return _checker.CheckAllAsync(RequiredReferences(), cancellationToken);
        }

        /// <inheritdoc />
        public Task<ServerInfo> NewServerAsync(ServerSpec spec, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return _servers.CreateAsync(spec, cancellationToken);
        }

        /// <inheritdoc />
        public Task<IReadOnlyList<ServerInfo>> GetServersAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return _servers.ListAsync(null, cancellationToken);
        }

        /// <inheritdoc />
        public Task<ServerInfo?> GetServerAsync(string name, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A server name is required.", nameof(name));
            }

            return _servers.FindAsync(name, cancellationToken);
        }

        /// <inheritdoc />
        public Task<ServerInfo> StartServerAsync(string name, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return _servers.StartAsync(name, cancellationToken);
        }

        /// <inheritdoc />
        public Task<ServerInfo> StopServerAsync(string name, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return _servers.StopAsync(name, timeout, cancellationToken);
        }

        /// <inheritdoc />
        public Task<IReadOnlyList<ServerInfo>> GetServersAsync(string? owner, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<IReadOnlyList<ContainerInfo>> GetContainersByImageAsync(string reference, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<IReadOnlyList<AffectedServer>> GetAffectedServersAsync(string reference, string? owner = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<ServerUpdateResult> RecreateContainerAsync(string server, RecreateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<IReadOnlyList<UpdatePlanItem>> PlanUpdateAsync(string reference, UpdateOptions? options = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<ImageUpdateResult> UpdateImageAsync(string reference, UpdateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<ServerUpdateResult> RollbackAsync(string server, RecreateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<ImageCleanupResult> RemoveOldImagesAsync(string reference, int keep = 1, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<BackupInfo> BackupServerAsync(string server, string destinationDirectory, BackupOptions? options = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<BackupInfo> RestoreServerAsync(string server, string archivePath, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<IReadOnlyList<UpdateHistoryRecord>> GetUpdateHistoryAsync(UpdateHistoryFilter? filter = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<ServerInfo> RegisterServerAsync(string container, string name, string? owner = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _registry.Dispose();
            _connection.Dispose();
        }

        private IReadOnlyList<ImageReference> RequiredReferences() =>
            Options.RequiredImages.Select(ImageReference.Parse).Distinct().ToList();

        private async Task<AuthConfig?> PullAuthAsync(ImageReference reference, CancellationToken cancellationToken)
        {
            var credential = await _credentials.GetAsync(reference.Registry, cancellationToken).ConfigureAwait(false);
            if (credential is null)
            {
                return null;
            }

            return credential.IsIdentityToken
                ? new AuthConfig { IdentityToken = credential.Secret, ServerAddress = DockerCredentialStore.ServerAddressFor(reference.Registry) }
                : new AuthConfig { Username = credential.Username, Password = credential.Secret, ServerAddress = DockerCredentialStore.ServerAddressFor(reference.Registry) };
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
