using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images
{
    /// <summary>Servers over several hosts: lists from every host, one server routed to the host that has it.</summary>
    public sealed partial class ArkFleetManager
    {
        /// <inheritdoc />
        /// <remarks>The server's host comes from <c>host/name</c> in <see cref="ServerSpec.Name"/>; it may be left out when one host is configured.</remarks>
        public async Task<ServerInfo> NewServerAsync(ServerSpec spec, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            if (spec is null)
            {
                throw new ArgumentNullException(nameof(spec));
            }

            var (host, manager, name) = Named(spec.Name, "New-ArkServer");
            return Stamp(await manager.NewServerAsync(spec with { Name = name }, cancellationToken).ConfigureAwait(false), host);
        }

        /// <inheritdoc />
        public Task<IReadOnlyList<ServerInfo>> GetServersAsync(CancellationToken cancellationToken = default) => GetServersAsync(null, cancellationToken);

        /// <inheritdoc />
        public async Task<IReadOnlyList<ServerInfo>> GetServersAsync(string? owner, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            return await AcrossAsync(async (host, m) => (await m.GetServersAsync(owner, cancellationToken).ConfigureAwait(false)).Select(s => Stamp(s, host)), cancellationToken).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public async Task<ServerInfo?> GetServerAsync(string name, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            try
            {
                var (host, manager, local) = await LocateAsync(name, cancellationToken).ConfigureAwait(false);
                return await manager.GetServerAsync(local, cancellationToken).ConfigureAwait(false) is ServerInfo s ? Stamp(s, host) : null;
            }
            catch (ServerNotFoundException)
            {
                return null;
            }
        }

        /// <inheritdoc />
        public Task<ServerInfo> StartServerAsync(string name, CancellationToken cancellationToken = default) =>
            OnServerAsync(name, (m, n) => m.StartServerAsync(n, cancellationToken), Stamp, cancellationToken);

        /// <inheritdoc />
        public Task<ServerInfo> StopServerAsync(string name, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
            OnServerAsync(name, (m, n) => m.StopServerAsync(n, timeout, cancellationToken), Stamp, cancellationToken);

        /// <inheritdoc />
        public Task<SafeStopResult> SafeStopServerAsync(string name, SafeStopOptions? options = null, IProgress<StopProgress>? progress = null, CancellationToken cancellationToken = default) =>
            OnServerAsync(name, (m, n) => m.SafeStopServerAsync(n, options, progress, cancellationToken), (r, _) => r, cancellationToken);

        /// <inheritdoc />
        public Task<string> SendRconCommandAsync(string name, string command, CancellationToken cancellationToken = default) =>
            OnServerAsync(name, (m, n) => m.SendRconCommandAsync(n, command, cancellationToken), (r, _) => r, cancellationToken);

        /// <inheritdoc />
        public Task<IReadOnlyList<ArkPlayer>> GetPlayersAsync(string name, CancellationToken cancellationToken = default) =>
            OnServerAsync(name, (m, n) => m.GetPlayersAsync(n, cancellationToken), (r, _) => r, cancellationToken);

        /// <inheritdoc />
        public async Task<IReadOnlyList<ContainerInfo>> GetContainersByImageAsync(string reference, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            ImageReference.Parse(reference);
            return await AcrossAsync(async (host, m) => (await m.GetContainersByImageAsync(reference, cancellationToken).ConfigureAwait(false)).Select(c => c with { Host = host }), cancellationToken).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<AffectedServer>> GetAffectedServersAsync(string reference, string? owner = null, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            ImageReference.Parse(reference);
            return await AcrossAsync(async (host, m) => (await m.GetAffectedServersAsync(reference, owner, cancellationToken).ConfigureAwait(false)).Select(a => a with { Host = host }), cancellationToken).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public Task<ServerUpdateResult> RecreateContainerAsync(string server, RecreateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default) =>
            OnServerAsync(server, (m, n) => m.RecreateContainerAsync(n, options, progress, cancellationToken), (r, h) => r with { Host = h }, cancellationToken);

        /// <inheritdoc />
        public Task<ServerUpdateResult> RollbackAsync(string server, RecreateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default) =>
            OnServerAsync(server, (m, n) => m.RollbackAsync(n, options, progress, cancellationToken), (r, h) => r with { Host = h }, cancellationToken);

        /// <inheritdoc />
        public Task<BackupInfo> BackupServerAsync(string server, string destinationDirectory, BackupOptions? options = null, CancellationToken cancellationToken = default) =>
            OnServerAsync(server, (m, n) => m.BackupServerAsync(n, destinationDirectory, options, cancellationToken), (r, _) => r, cancellationToken);

        /// <inheritdoc />
        public Task<BackupInfo> RestoreServerAsync(string server, string archivePath, CancellationToken cancellationToken = default) =>
            OnServerAsync(server, (m, n) => m.RestoreServerAsync(n, archivePath, cancellationToken), (r, _) => r, cancellationToken);

        /// <inheritdoc />
        public Task<ServerInfo> RegisterServerAsync(string container, string name, string? owner = null, CancellationToken cancellationToken = default) =>
            RegisterServerAsync(container, name, owner, force: false, cancellationToken);

        /// <inheritdoc />
        /// <remarks>The container's host comes from <c>host/name</c> in <paramref name="name"/>; it may be left out when one host is configured.</remarks>
        public async Task<ServerInfo> RegisterServerAsync(string container, string name, string? owner, bool force, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            var (host, manager, local) = Named(name, "Register-ArkServer");
            return Stamp(await manager.RegisterServerAsync(container, local, owner, force, cancellationToken).ConfigureAwait(false), host);
        }

        private static ServerInfo Stamp(ServerInfo server, string host) => server with { Host = host };

        /// <summary>Runs <paramref name="body"/> on the host that has the server, with the server's name on that host.</summary>
        private async Task<T> OnServerAsync<T>(string name, Func<ArkImageManager, string, Task<T>> body, Func<T, string, T> stamp, CancellationToken cancellationToken)
        {
            ThrowIfDisposed();
            var (host, manager, local) = await LocateAsync(name, cancellationToken).ConfigureAwait(false);
            return stamp(await body(manager, local).ConfigureAwait(false), host);
        }

        /// <summary>
        /// The host of a server: the part before '/' when there is one, else the one host that has a server by that name.
        /// A name on no reachable host, while some host could not be asked, rethrows that host's error (it may be there).
        /// </summary>
        private async Task<(string Host, ArkImageManager Manager, string Name)> LocateAsync(string name, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A server name is required.", nameof(name));
            }

            var slash = name.IndexOf('/');
            if (slash >= 0)
            {
                var (host, manager) = HostByName(name.Substring(0, slash));
                return (host, manager, name.Substring(slash + 1));
            }

            if (_hosts.Count == 1)
            {
                return (_hosts[0].Name, _hosts[0].Manager, name);
            }

            ExceptionDispatchInfo? unreachable = null;
            var found = new List<(string, ArkImageManager)>();
            foreach (var result in await Task.WhenAll(_hosts.Select(async h =>
            {
                try
                {
                    return (h, Found: await h.Manager.GetServerAsync(name, cancellationToken).ConfigureAwait(false) != null, Error: (ExceptionDispatchInfo?)null);
                }
                catch (DockerUnavailableException ex)
                {
                    return (h, Found: false, Error: ExceptionDispatchInfo.Capture(ex));
                }
            })).ConfigureAwait(false))
            {
                if (result.Found)
                {
                    found.Add(result.h);
                }

                unreachable ??= result.Error;
            }

            if (found.Count > 1)
            {
                throw new AmbiguousServerNameException(name, found.Select(f => f.Item1).ToList());
            }

            if (found.Count == 1)
            {
                return (found[0].Item1, found[0].Item2, name);
            }

            unreachable?.Throw();
            throw new ServerNotFoundException(name);
        }

        /// <summary>The host of a name that creates something: <c>host/name</c>, or the name alone when one host is configured.</summary>
        private (string Host, ArkImageManager Manager, string Name) Named(string name, string command)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A server name is required.", nameof(name));
            }

            var slash = name.IndexOf('/');
            if (slash >= 0)
            {
                var (host, manager) = HostByName(name.Substring(0, slash));
                return (host, manager, name.Substring(slash + 1));
            }

            if (_hosts.Count == 1)
            {
                return (_hosts[0].Name, _hosts[0].Manager, name);
            }

            throw new UnknownHostException(string.Empty, $"{command} '{name}': several hosts are configured ({string.Join(", ", _hosts.Select(h => h.Name))}); name the host as {_hosts[0].Name}/{name} or use -Host.");
        }
    }
}
