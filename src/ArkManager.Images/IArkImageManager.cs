using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images
{
    /// <summary>
    /// Manual-only management of the images and containers of ARK servers. Nothing here pulls an image unless the
    /// method is <see cref="PullImageAsync"/>.
    /// </summary>
    public interface IArkImageManager : IDisposable
    {
        /// <summary>The options this manager was created with.</summary>
        ArkManagerOptions Options { get; }

        /// <summary>Connects (once) and describes the Docker engine and the negotiated API version.</summary>
        Task<DockerEngineInfo> GetEngineInfoAsync(CancellationToken cancellationToken = default);

        /// <summary>Returns the required images that are missing locally (empty when all are present). Looks locally only.</summary>
        Task<IReadOnlyList<string>> ValidateRequiredImagesAsync(CancellationToken cancellationToken = default);

        /// <summary>Describes a local image, or returns null when it is absent.</summary>
        Task<ImageInfo?> GetImageInfoAsync(string reference, CancellationToken cancellationToken = default);

        /// <summary>One status per required image.</summary>
        Task<IReadOnlyList<ImageStatus>> GetImageStatusAsync(CancellationToken cancellationToken = default);

        /// <summary>Every local tag of the reference's repository (all its local images, newest first); looks locally only.</summary>
        Task<IReadOnlyList<string>> GetLocalTagsAsync(string reference, CancellationToken cancellationToken = default);

        /// <summary>Pulls an image (because the caller asked), reporting progress, and returns the pulled image.</summary>
        Task<ImageInfo> PullImageAsync(string reference, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default);

        /// <summary>Asks the registry for the tag's digest (one manifest HEAD) and compares it with the local one. Never pulls.</summary>
        Task<ImageUpdateCheck> CheckImageUpdateAsync(string reference, CancellationToken cancellationToken = default);

        /// <summary>
        /// Asks each registry of the required images whether it answers at all: one <c>GET /v2/</c> per registry host (200,
        /// or 401 with an authentication challenge, is reachable). The images need not be local; nothing is pulled.
        /// </summary>
        Task<IReadOnlyList<RegistryProbe>> ProbeRegistriesAsync(CancellationToken cancellationToken = default);

        /// <summary>Checks every required image concurrently; one failing registry does not hide the others.</summary>
        Task<IReadOnlyDictionary<string, ImageUpdateCheck>> CheckImageUpdatesAsync(CancellationToken cancellationToken = default);

        /// <summary>
        /// Like <see cref="CheckImageUpdatesAsync(CancellationToken)"/>; with <paramref name="notify"/> each available update is
        /// announced to the configured webhooks (once per new digest). A failed notification never fails the check.
        /// </summary>
        Task<IReadOnlyDictionary<string, ImageUpdateCheck>> CheckImageUpdatesAsync(bool notify, CancellationToken cancellationToken = default);

        /// <summary>Like <see cref="CheckImageUpdateAsync(string, CancellationToken)"/>, announcing an available update to the webhooks when <paramref name="notify"/>.</summary>
        Task<ImageUpdateCheck> CheckImageUpdateAsync(string reference, bool notify, CancellationToken cancellationToken = default);

        /// <summary>Creates a server container from a local image; refuses when the image is missing.</summary>
        Task<ServerInfo> NewServerAsync(ServerSpec spec, CancellationToken cancellationToken = default);

        /// <summary>Lists the managed servers.</summary>
        Task<IReadOnlyList<ServerInfo>> GetServersAsync(CancellationToken cancellationToken = default);

        /// <summary>Returns one server, or null when there is none by that name.</summary>
        Task<ServerInfo?> GetServerAsync(string name, CancellationToken cancellationToken = default);

        /// <summary>Starts a server; refuses (without pulling) when its image is missing locally.</summary>
        Task<ServerInfo> StartServerAsync(string name, CancellationToken cancellationToken = default);

        /// <summary>Stops a server, honouring its StopTimeout and StopSignal (or the given timeout).</summary>
        Task<ServerInfo> StopServerAsync(string name, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

        /// <summary>
        /// Stops a server safely: with RCON (countdown warnings when players are online, a confirmed SaveWorld, DoExit) when
        /// it has RCON settings; otherwise, and as the fallback, Docker's stop with its StopTimeout and StopSignal.
        /// </summary>
        Task<SafeStopResult> SafeStopServerAsync(string name, SafeStopOptions? options = null, IProgress<StopProgress>? progress = null, CancellationToken cancellationToken = default);

        /// <summary>Runs an RCON command on a server (its RCON settings come from its labels and environment). The password never appears in logs or errors.</summary>
        Task<string> SendRconCommandAsync(string name, string command, CancellationToken cancellationToken = default);

        /// <summary>The players online (RCON ListPlayers, parsed).</summary>
        Task<IReadOnlyList<ArkPlayer>> GetPlayersAsync(string name, CancellationToken cancellationToken = default);

        /// <summary>Lists the managed servers of one owner (null: all).</summary>
        Task<IReadOnlyList<ServerInfo>> GetServersAsync(string? owner, CancellationToken cancellationToken = default);

        /// <summary>
        /// Every container (running or not) created from the reference, including containers still on an image the tag
        /// pointed to before; each flagged as a server or not.
        /// </summary>
        Task<IReadOnlyList<ContainerInfo>> GetContainersByImageAsync(string reference, CancellationToken cancellationToken = default);

        /// <summary>The servers among <see cref="GetContainersByImageAsync"/>, with whether each runs the newest local image.</summary>
        Task<IReadOnlyList<AffectedServer>> GetAffectedServersAsync(string reference, string? owner = null, CancellationToken cancellationToken = default);

        /// <summary>
        /// Recreates a server on the newest local image of its reference (or <see cref="RecreateOptions.Image"/>), keeping its
        /// whole configuration and volumes, through a journaled transaction that rolls back when the new container fails.
        /// </summary>
        Task<ServerUpdateResult> RecreateContainerAsync(string server, RecreateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default);

        /// <summary>What <see cref="UpdateImageAsync"/> would do, without changing anything (the registry is asked; nothing is pulled).</summary>
        Task<IReadOnlyList<UpdatePlanItem>> PlanUpdateAsync(string reference, UpdateOptions? options = null, CancellationToken cancellationToken = default);

        /// <summary>
        /// What <see cref="UpdateAllImagesAsync"/> would do for every required image (one registry check each, nothing
        /// changed): one plan item per affected server with its <see cref="UpdatePlanItem.Status"/>.
        /// </summary>
        Task<IReadOnlyList<UpdatePlanItem>> PlanAllAsync(UpdateOptions? options = null, CancellationToken cancellationToken = default);

        /// <summary>Checks, pulls (because the caller asked), plans, then updates every affected server one transaction at a time, and records history.</summary>
        Task<ImageUpdateResult> UpdateImageAsync(string reference, UpdateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default);

        /// <summary>
        /// Updates every required image in one rolling run: each image checked and pulled once, then the affected servers
        /// replaced one window at a time (<see cref="UpdateOptions.MaxParallel"/>; a cluster's servers one after another),
        /// stopping at the first failure unless <see cref="UpdateOptions.ContinueOnError"/>.
        /// </summary>
        Task<BatchUpdateResult> UpdateAllImagesAsync(UpdateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default);

        /// <summary>Recreates the server on the image it ran before its last successful update (kept on disk for this).</summary>
        Task<ServerUpdateResult> RollbackAsync(string server, RecreateOptions? options = null, IProgress<UpdateProgress>? progress = null, CancellationToken cancellationToken = default);

        /// <summary>Removes older images of the reference's repository, never one a container uses and never a rollback target.</summary>
        Task<ImageCleanupResult> RemoveOldImagesAsync(string reference, int keep = 1, CancellationToken cancellationToken = default);

        /// <summary>
        /// Decides exactly as <see cref="RemoveOldImagesAsync"/> and removes nothing: <see cref="ImageCleanupResult.Removed"/>
        /// lists the images it would remove (<see cref="ImageCleanupResult.IsPlan"/> is true).
        /// </summary>
        Task<ImageCleanupResult> PlanRemoveOldImagesAsync(string reference, int keep = 1, CancellationToken cancellationToken = default);

        /// <summary>Archives every volume of a stopped server (tar, gzip optional) with a manifest; applies retention.</summary>
        Task<BackupInfo> BackupServerAsync(string server, string destinationDirectory, BackupOptions? options = null, CancellationToken cancellationToken = default);

        /// <summary>Restores a backup into a stopped server; refuses entries that would escape a mount.</summary>
        Task<BackupInfo> RestoreServerAsync(string server, string archivePath, CancellationToken cancellationToken = default);

        /// <summary>The update history, newest last.</summary>
        Task<IReadOnlyList<UpdateHistoryRecord>> GetUpdateHistoryAsync(UpdateHistoryFilter? filter = null, CancellationToken cancellationToken = default);

        /// <summary>Makes an existing container a managed server without recreating or stopping it.</summary>
        Task<ServerInfo> RegisterServerAsync(string container, string name, string? owner = null, CancellationToken cancellationToken = default);

        /// <summary>
        /// Makes an existing container a managed server without recreating or stopping it. A container that already is a
        /// server under another name or owner is refused (<see cref="ServerAlreadyRegisteredException"/>, naming its
        /// current name and owner) unless <paramref name="force"/>; with it the registration is replaced, the owner kept
        /// unless <paramref name="owner"/> gives a new one, and the change is logged as a warning. A labelled container's
        /// name and owner change only when it is recreated, so Force does not apply to it.
        /// </summary>
        Task<ServerInfo> RegisterServerAsync(string container, string name, string? owner, bool force, CancellationToken cancellationToken = default);
    }
}
