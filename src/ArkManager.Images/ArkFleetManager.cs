using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Updates;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images
{
    /// <summary>
    /// The same <see cref="IArkImageManager"/> over several Docker engines (<see cref="ArkManagerOptions.Hosts"/>): one
    /// <see cref="ArkImageManager"/> per host, each with its own journals, locks and history under <c>hosts/&lt;name&gt;</c>
    /// of the state directory. Servers are addressed as <c>host/name</c>, or by a name only one host uses. Lists, status,
    /// checks and pulls run on all hosts at once; a host that cannot be reached is a <see cref="HostError"/> in the
    /// result (<see cref="HostResultList{T}"/>), never a failure of the others. An update checks each image once (one
    /// HEAD), pulls it on each host that is behind, and replaces servers under one <see cref="UpdateOptions.MaxParallel"/> window.
    /// </summary>
    /// <example>
    /// <code>
    /// var options = ArkManagerOptions.Load() with { Hosts = new[] { new DockerHostOptions { Name = "eu1", DockerHost = "tcp://10.0.0.5:2376", TlsVerify = true } } };
    /// using var manager = ArkImageManager.Create(options);
    /// var servers = await manager.GetServersAsync();   // each ServerInfo.Host says where
    /// </code>
    /// </example>
    public sealed partial class ArkFleetManager : IArkImageManager
    {
        private readonly IReadOnlyList<(string Name, ArkImageManager Manager)> _hosts;
        private readonly MultiHostCoordinator _updates;
        private bool _disposed;

        /// <summary>Creates one manager per configured host. Nothing connects until the first call.</summary>
        /// <param name="options">Settings with at least one entry in <see cref="ArkManagerOptions.Hosts"/>.</param>
        /// <param name="loggerFactory">Where log messages go; null discards them.</param>
        public ArkFleetManager(ArkManagerOptions options, ILoggerFactory? loggerFactory = null)
            : this(options, loggerFactory, null)
        {
        }

        /// <summary>A manager of several hosts inside a host app (named HTTP clients, the run log setting).</summary>
        internal ArkFleetManager(ArkManagerOptions options, ILoggerFactory? loggerFactory, ManagerHosting? hosting)
        {
            Options = options ?? throw new ArgumentNullException(nameof(options));
            Options.Validate();
            if (Options.Hosts.Count == 0)
            {
                throw new ArgumentException("No hosts are configured: set ArkManagerOptions.Hosts (config key \"hosts\"), or use ArkImageManager for one engine.", nameof(options));
            }

            var hosts = new List<(string, ArkImageManager)>();
            try
            {
                foreach (var host in Options.Hosts)
                {
                    hosts.Add((host.Name, hosting is null ? new ArkImageManager(Options.ForHost(host), loggerFactory) : new ArkImageManager(Options.ForHost(host), loggerFactory, hosting)));
                }
            }
            catch
            {
                foreach (var (_, manager) in hosts)
                {
                    manager.Dispose();
                }

                throw;
            }

            _hosts = hosts;
            _updates = new MultiHostCoordinator(_hosts.Select(h => new HostUpdater(h.Name, h.Manager.Coordinator)).ToList(), _hosts[0].Manager.Checker, Options.MaxConcurrentChecks);
        }

        /// <inheritdoc />
        public ArkManagerOptions Options { get; }

        /// <summary>The configured hosts, in order.</summary>
        public IReadOnlyList<string> HostNames => _hosts.Select(h => h.Name).ToList();

        /// <summary>The manager of one host (its results carry no <c>Host</c>); throws <see cref="UnknownHostException"/> for a host not configured.</summary>
        public IArkImageManager GetHost(string name) => HostByName(name).Manager;

        /// <summary>The engine of every host, or why it cannot be reached.</summary>
        public async Task<IReadOnlyList<HostStatus>> GetHostStatusAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var statuses = await Task.WhenAll(_hosts.Select(async h =>
            {
                try
                {
                    return new HostStatus { Host = h.Name, Reachable = true, Engine = await h.Manager.GetEngineInfoAsync(cancellationToken).ConfigureAwait(false) };
                }
                catch (DockerUnavailableException ex)
                {
                    return new HostStatus { Host = h.Name, Reachable = false, Error = ex.Message };
                }
            })).ConfigureAwait(false);
            return statuses;
        }

        /// <inheritdoc />
        /// <remarks>The first host that answers; <see cref="GetHostStatusAsync"/> describes every host.</remarks>
        public async Task<DockerEngineInfo> GetEngineInfoAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            ExceptionDispatchInfo? first = null;
            foreach (var (_, manager) in _hosts)
            {
                try
                {
                    return await manager.GetEngineInfoAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (DockerUnavailableException ex)
                {
                    first ??= ExceptionDispatchInfo.Capture(ex);
                }
            }

            first!.Throw();
            throw new InvalidOperationException(); // not reached
        }

        /// <inheritdoc />
        /// <remarks>An image missing on any reachable host is listed once; <see cref="GetImageStatusAsync"/> says on which host.</remarks>
        public async Task<IReadOnlyList<string>> ValidateRequiredImagesAsync(CancellationToken cancellationToken = default)
        {
            var statuses = await GetImageStatusAsync(cancellationToken).ConfigureAwait(false);
            return new HostResultList<string>(statuses.Where(s => !s.Present).Select(s => s.Image).Distinct(StringComparer.Ordinal).ToList(), ((IHostResults)statuses).HostErrors);
        }

        /// <inheritdoc />
        /// <remarks>From the first host (in the configured order) that has the image.</remarks>
        public async Task<ImageInfo?> GetImageInfoAsync(string reference, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            ImageReference.Parse(reference);
            var found = await AcrossAsync<ImageInfo>(async (_, m) => await m.GetImageInfoAsync(reference, cancellationToken).ConfigureAwait(false) is ImageInfo i ? new[] { i } : Array.Empty<ImageInfo>(), cancellationToken).ConfigureAwait(false);
            return found.FirstOrDefault();
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<ImageStatus>> GetImageStatusAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return await AcrossAsync(async (host, m) => (await m.GetImageStatusAsync(cancellationToken).ConfigureAwait(false)).Select(s => s with { Host = host }), cancellationToken).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<string>> GetLocalTagsAsync(string reference, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            ImageReference.Parse(reference);
            var tags = await AcrossAsync<string>(async (_, m) => await m.GetLocalTagsAsync(reference, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return new HostResultList<string>(tags.Distinct(StringComparer.Ordinal).ToList(), tags.HostErrors);
        }

        /// <inheritdoc />
        /// <remarks>
        /// Pulls on every host at once (progress carries <see cref="PullProgress.Host"/>) and returns the first host's image.
        /// When a host fails, the others still finish, then <see cref="ImagePullException"/> names every host that failed.
        /// </remarks>
        public async Task<ImageInfo> PullImageAsync(string reference, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var parsed = ImageReference.Parse(reference);
            var pulls = await Task.WhenAll(_hosts.Select(async h =>
            {
                try
                {
                    var stamped = progress is null ? null : new Progress(p => progress.Report(p with { Host = h.Name }));
                    return (h.Name, Image: await h.Manager.PullImageAsync(reference, stamped, cancellationToken).ConfigureAwait(false), Error: (Exception?)null);
                }
                catch (ArkManagerException ex)
                {
                    return (h.Name, Image: (ImageInfo?)null, Error: (Exception?)ex);
                }
            })).ConfigureAwait(false);
            var failed = pulls.Where(p => p.Error != null).ToList();
            if (failed.Count > 0)
            {
                throw new ImagePullException(parsed.ToString(), string.Join("; ", failed.Select(f => f.Name + ": " + f.Error!.Message)) +
                    (failed.Count < pulls.Length ? $" (pulled on {string.Join(", ", pulls.Where(p => p.Error is null).Select(p => p.Name))})" : string.Empty), failed[0].Error);
            }

            return pulls[0].Image!;
        }

        /// <inheritdoc />
        /// <remarks>The registries do not depend on the host: asked once, from the first host's manager.</remarks>
        public Task<IReadOnlyList<RegistryProbe>> ProbeRegistriesAsync(CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return _hosts[0].Manager.ProbeRegistriesAsync(cancellationToken);
        }

        /// <inheritdoc />
        public async Task<ImageUpdateCheck> CheckImageUpdateAsync(string reference, CancellationToken cancellationToken = default)
        {
            var checks = await CheckAsync(new[] { ImageReference.Parse(reference) }, cancellationToken).ConfigureAwait(false);
            return checks.Values.Single();
        }

        /// <inheritdoc />
        public Task<IReadOnlyDictionary<string, ImageUpdateCheck>> CheckImageUpdatesAsync(CancellationToken cancellationToken = default) =>
            CheckAsync(RequiredReferences(), cancellationToken);

        /// <inheritdoc />
        public async Task<IReadOnlyDictionary<string, ImageUpdateCheck>> CheckImageUpdatesAsync(bool notify, CancellationToken cancellationToken = default)
        {
            var checks = await CheckImageUpdatesAsync(cancellationToken).ConfigureAwait(false);
            if (notify)
            {
                foreach (var check in checks.Values)
                {
                    await _hosts[0].Manager.NotifyUpdateAvailableAsync(check, cancellationToken).ConfigureAwait(false);
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
                await _hosts[0].Manager.NotifyUpdateAvailableAsync(check, cancellationToken).ConfigureAwait(false);
            }

            return check;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var (_, manager) in _hosts)
            {
                manager.Dispose();
            }
        }

        /// <summary>
        /// One registry answer per image, compared with every reachable host's image: the check says an update is available
        /// when any host is behind, and <see cref="ImageUpdateCheck.HostsBehind"/> names them.
        /// </summary>
        private async Task<IReadOnlyDictionary<string, ImageUpdateCheck>> CheckAsync(IReadOnlyList<ImageReference> references, CancellationToken cancellationToken)
        {
            ThrowIfDisposed();
            var answers = await _updates.AskRegistryAsync(references, cancellationToken).ConfigureAwait(false);
            var result = new Dictionary<string, ImageUpdateCheck>(StringComparer.Ordinal);
            foreach (var reference in references.Distinct())
            {
                var answer = answers[reference.ToString()];
                var perHost = await AcrossAsync<(string Host, ImageUpdateCheck Check)>(async (host, m) =>
                {
                    var local = await m.GetImageInfoAsync(reference.ToString(), cancellationToken).ConfigureAwait(false);
                    return new[] { (Host: host, Check: RegistryAnswer.AgainstLocal(answer, local, reference)) };
                }, cancellationToken).ConfigureAwait(false);
                result[reference.ToString()] = Combine(answer, perHost);
            }

            return result;
        }

        /// <summary>The check of several hosts: the first host's comparison, update available when any host is behind.</summary>
        private static ImageUpdateCheck Combine(ImageUpdateCheck answer, HostResultList<(string Host, ImageUpdateCheck Check)> perHost)
        {
            if (perHost.Count == 0)
            {
                return answer with { State = ImageUpdateState.Error, Error = "No host could be reached: " + string.Join("; ", perHost.HostErrors) };
            }

            var behind = perHost.Where(p => p.Check.UpdateAvailable || p.Check.State == ImageUpdateState.NotPresentLocally).Select(p => p.Host).ToList();
            var first = perHost.FirstOrDefault(p => p.Check.UpdateAvailable).Check ?? perHost[0].Check;
            return first with { UpdateAvailable = perHost.Any(p => p.Check.UpdateAvailable), HostsBehind = behind, HostErrors = perHost.HostErrors };
        }

        private IReadOnlyList<ImageReference> RequiredReferences() =>
            Options.RequiredImages.Select(ImageReference.Parse).Distinct().ToList();

        private (string Name, ArkImageManager Manager) HostByName(string name)
        {
            foreach (var host in _hosts)
            {
                if (string.Equals(host.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return host;
                }
            }

            throw new UnknownHostException(name, $"No host named '{name}'; the configured hosts are: {string.Join(", ", _hosts.Select(h => h.Name))}.");
        }

        /// <summary>Runs <paramref name="body"/> on every host at once; an unreachable host becomes a <see cref="HostError"/>.</summary>
        private async Task<HostResultList<T>> AcrossAsync<T>(Func<string, ArkImageManager, Task<IEnumerable<T>>> body, CancellationToken cancellationToken)
        {
            var parts = await Task.WhenAll(_hosts.Select(async h =>
            {
                try
                {
                    return (Items: (await body(h.Name, h.Manager).ConfigureAwait(false)).ToList(), Error: (HostError?)null);
                }
                catch (DockerUnavailableException ex)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    return (Items: new List<T>(), Error: (HostError?)new HostError { Host = h.Name, Error = ex.Message, ErrorId = ex.ErrorId });
                }
            })).ConfigureAwait(false);
            return new HostResultList<T>(parts.SelectMany(p => p.Items).ToList(), parts.Where(p => p.Error != null).Select(p => p.Error!).ToList());
        }

        private void ThrowIfDisposed()
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(ArkFleetManager));
            }
        }

        private sealed class Progress : IProgress<PullProgress>
        {
            private readonly Action<PullProgress> _report;

            public Progress(Action<PullProgress> report) => _report = report;

            public void Report(PullProgress value) => _report(value);
        }
    }
}
