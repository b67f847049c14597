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

        /// <summary>Pulls an image (because the caller asked), reporting progress, and returns the pulled image.</summary>
        Task<ImageInfo> PullImageAsync(string reference, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default);

        /// <summary>Asks the registry for the tag's digest (one manifest HEAD) and compares it with the local one. Never pulls.</summary>
        Task<ImageUpdateCheck> CheckImageUpdateAsync(string reference, CancellationToken cancellationToken = default);

        /// <summary>Checks every required image concurrently; one failing registry does not hide the others.</summary>
        Task<IReadOnlyDictionary<string, ImageUpdateCheck>> CheckImageUpdatesAsync(CancellationToken cancellationToken = default);

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
    }
}
