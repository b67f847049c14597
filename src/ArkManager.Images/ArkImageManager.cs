using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArkManager.Images
{
    /// <summary>The library's entry point. See <see cref="IArkImageManager"/>.</summary>
    public sealed partial class ArkImageManager : IArkImageManager
    {
        private readonly ILoggerFactory _loggerFactory;

        /// <summary>Creates a manager. Nothing connects until the first call.</summary>
        /// <param name="options">Settings; null uses the defaults.</param>
        /// <param name="loggerFactory">Where log messages go; null discards them.</param>
        public ArkImageManager(ArkManagerOptions? options = null, ILoggerFactory? loggerFactory = null)
        {
            Options = options ?? new ArkManagerOptions();
            Options.Validate();
            _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        }

        /// <inheritdoc />
        public ArkManagerOptions Options { get; }

        /// <inheritdoc />
        public Task<DockerEngineInfo> GetEngineInfoAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<IReadOnlyList<string>> ValidateRequiredImagesAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<ImageInfo?> GetImageInfoAsync(string reference, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<IReadOnlyList<ImageStatus>> GetImageStatusAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<ImageInfo> PullImageAsync(string reference, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<ImageUpdateCheck> CheckImageUpdateAsync(string reference, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<IReadOnlyDictionary<string, ImageUpdateCheck>> CheckImageUpdatesAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<ServerInfo> NewServerAsync(ServerSpec spec, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<IReadOnlyList<ServerInfo>> GetServersAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<ServerInfo?> GetServerAsync(string name, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<ServerInfo> StartServerAsync(string name, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public Task<ServerInfo> StopServerAsync(string name, TimeSpan? timeout = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <inheritdoc />
        public void Dispose()
        {
        }
    }
}
