using System;
using System.Collections.Generic;

namespace ArkManager.Images
{
    /// <summary>What the local Docker daemon knows about one image.</summary>
    public sealed record ImageInfo
    {
        // ToString shows list properties as their values, not their type name (see RecordText).
        private bool PrintMembers(System.Text.StringBuilder builder) => RecordText.PrintMembers(this, builder);

        /// <summary>The reference that was looked up, normalised (e.g. <c>tbro98/ase-server:latest</c>).</summary>
        public string Reference { get; init; } = string.Empty;

        /// <summary>The image id (<c>sha256:…</c>).</summary>
        public string Id { get; init; } = string.Empty;

        /// <summary>Every tag the image carries.</summary>
        public IReadOnlyList<string> RepoTags { get; init; } = Array.Empty<string>();

        /// <summary>Every repository digest the image carries (<c>repo@sha256:…</c>).</summary>
        public IReadOnlyList<string> RepoDigests { get; init; } = Array.Empty<string>();

        /// <summary>The manifest digest of the image in the repository of <see cref="Reference"/>, or null when it was never pulled from or pushed to it.</summary>
        public string? Digest { get; init; }

        /// <summary>When the image was built.</summary>
        public DateTimeOffset Created { get; init; }

        /// <summary>Size in bytes.</summary>
        public long Size { get; init; }

        /// <summary>Operating system, e.g. <c>linux</c>.</summary>
        public string Os { get; init; } = string.Empty;

        /// <summary>Architecture, e.g. <c>amd64</c>.</summary>
        public string Architecture { get; init; } = string.Empty;

        /// <summary>The image's labels.</summary>
        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    }

    /// <summary>Whether one required image is present locally.</summary>
    public sealed record ImageStatus
    {
        /// <summary>The configured host this status is for; null with a single engine.</summary>
        public string? Host { get; init; }

        /// <summary>The required image reference, normalised.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>True when the daemon has the image.</summary>
        public bool Present { get; init; }

        /// <summary>Details when present.</summary>
        public ImageInfo? Info { get; init; }

        /// <summary>The update check, when one was asked for (see <see cref="IArkImageManager.CheckImageUpdateAsync(string, System.Threading.CancellationToken)"/>).</summary>
        public ImageUpdateCheck? Update { get; init; }
    }

    /// <summary>Progress of one layer of a pull.</summary>
    public sealed record LayerProgress
    {
        /// <summary>Layer id (short digest).</summary>
        public string Id { get; init; } = string.Empty;

        /// <summary>The daemon's status text (e.g. <c>Downloading</c>, <c>Pull complete</c>).</summary>
        public string Status { get; init; } = string.Empty;

        /// <summary>Bytes done in the current phase.</summary>
        public long? Current { get; init; }

        /// <summary>Bytes in the current phase.</summary>
        public long? Total { get; init; }

        /// <summary>This layer's completion, 0 to 1.</summary>
        public double Fraction { get; init; }
    }

    /// <summary>One progress report of a pull.</summary>
    public sealed record PullProgress
    {
        /// <summary>The configured host that is pulling; null with a single engine.</summary>
        public string? Host { get; init; }

        /// <summary>The image being pulled.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>The layer this report is about, or null for an image-wide message.</summary>
        public string? LayerId { get; init; }

        /// <summary>The daemon's status text.</summary>
        public string Status { get; init; } = string.Empty;

        /// <summary>Bytes done for <see cref="LayerId"/> in its current phase.</summary>
        public long? Current { get; init; }

        /// <summary>Bytes in that phase.</summary>
        public long? Total { get; init; }

        /// <summary>The whole pull's completion, 0 to 1 (an estimate while layer sizes are still unknown).</summary>
        public double OverallFraction { get; init; }

        /// <summary>Every layer seen so far.</summary>
        public IReadOnlyList<LayerProgress> Layers { get; init; } = Array.Empty<LayerProgress>();

        /// <summary>True on the last report of a successful pull.</summary>
        public bool Completed { get; init; }
    }

    /// <summary>The outcome of comparing a local image with its registry.</summary>
    public enum ImageUpdateState
    {
        /// <summary>The registry has the same digest as the local image.</summary>
        UpToDate,

        /// <summary>The registry has a different (newer) digest.</summary>
        UpdateAvailable,

        /// <summary>The image is not present locally; pull it first.</summary>
        NotPresentLocally,

        /// <summary>The local image has no digest for this repository (built locally, never pushed or pulled).</summary>
        NoLocalDigest,

        /// <summary>The registry does not know this tag.</summary>
        NotFoundInRegistry,

        /// <summary>The registry could not be reached within the timeout.</summary>
        RegistryUnreachable,

        /// <summary>The registry refused the credentials.</summary>
        AuthenticationFailed,

        /// <summary>Any other failure; see <see cref="ImageUpdateCheck.Error"/>.</summary>
        Error,

        /// <summary>The registry answered HTTP 429 (rate limit) and asked for a longer wait than the check honours; see <see cref="ImageUpdateCheck.Error"/>.</summary>
        RateLimited,
    }

    /// <summary>Whether a newer image exists in the registry. Never pulls.</summary>
    public sealed record ImageUpdateCheck
    {
        /// <summary>The image reference, normalised.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>The registry host that was asked.</summary>
        public string Registry { get; init; } = string.Empty;

        /// <summary>The local manifest digest for this repository, when known.</summary>
        public string? LocalDigest { get; init; }

        /// <summary>The registry's manifest digest for the tag, when it answered.</summary>
        public string? RemoteDigest { get; init; }

        /// <summary>True only when both digests are known and differ.</summary>
        public bool UpdateAvailable { get; init; }

        /// <summary>The outcome.</summary>
        public ImageUpdateState State { get; init; }

        /// <summary>What went wrong, or null.</summary>
        public string? Error { get; init; }

        /// <summary>When the check ran.</summary>
        public DateTimeOffset CheckedAt { get; init; }

        /// <summary>With several hosts: the hosts whose image is behind the registry or missing (empty otherwise).</summary>
        public IReadOnlyList<string> HostsBehind { get; init; } = Array.Empty<string>();

        /// <summary>With several hosts: the hosts that could not be asked for their image (empty otherwise).</summary>
        public IReadOnlyList<HostError> HostErrors { get; init; } = Array.Empty<HostError>();
    }
}
