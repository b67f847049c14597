using System;

namespace ArkManager.Images
{
    /// <summary>
    /// Whether a registry answers its API at all: one <c>GET /v2/</c> (no image, no credentials sent). An answer of 200, or
    /// 401 with an authentication challenge (the registry wants a login, so it is there), is reachable.
    /// </summary>
    public sealed record RegistryProbe
    {
        /// <summary>The registry host as in the image references (<c>docker.io</c>, <c>ghcr.io</c>, <c>127.0.0.1:5000</c>).</summary>
        public string Registry { get; init; } = string.Empty;

        /// <summary>The URL that was asked (<c>https://registry-1.docker.io/v2/</c>).</summary>
        public string Url { get; init; } = string.Empty;

        /// <summary>True when the registry answered as a registry (200, or 401 with a challenge).</summary>
        public bool Reachable { get; init; }

        /// <summary>The HTTP status of the answer; null when there was none (connection refused, timeout, DNS, TLS).</summary>
        public int? StatusCode { get; init; }

        /// <summary>What happened, in words (never a credential).</summary>
        public string Detail { get; init; } = string.Empty;

        /// <summary>How long the probe took.</summary>
        public TimeSpan Elapsed { get; init; }
    }
}
