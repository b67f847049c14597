using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArkManager.Images.Registry
{
    /// <summary>
    /// Asks a registry (Docker Registry HTTP API V2 / OCI distribution) for the digest of a manifest with a single
    /// <c>HEAD</c>, answering its authentication challenge (Bearer token or Basic) with the credentials of the Docker CLI
    /// configuration. Never downloads a manifest or a blob. One instance holds one connection pool and a token cache and is
    /// safe for concurrent use; dispose it when done.
    /// </summary>
    internal sealed partial class RegistryClient : IDisposable
    {
        /// <summary>The manifest media types a check accepts (Docker v2, Docker list, OCI manifest, OCI index).</summary>
        internal static readonly IReadOnlyList<string> ManifestMediaTypes = new[]
        {
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json",
        };

        private const string DigestHeader = "Docker-Content-Digest";
        private const int DefaultTokenLifetimeSeconds = 60;
        private static readonly TimeSpan CredentialCacheLifetime = TimeSpan.FromSeconds(60);
        private static readonly Regex DigestPattern = new Regex("^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$", RegexOptions.CultureInvariant);

        private readonly RegistryClientOptions _options;
        private readonly ILogger _logger;
        private readonly HttpClient _http;
        private readonly HashSet<string> _insecureRegistries;
        private readonly ConcurrentDictionary<string, CachedAuthorization> _authorizations = new ConcurrentDictionary<string, CachedAuthorization>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, SemaphoreSlim> _authorizationLocks = new ConcurrentDictionary<string, SemaphoreSlim>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, CachedCredential> _credentials = new ConcurrentDictionary<string, CachedCredential>(StringComparer.OrdinalIgnoreCase);
        private int _disposed;

        /// <summary>Creates a client.</summary>
        /// <param name="options">Timeouts, insecure registries and where the Docker configuration is.</param>
        /// <param name="logger">Receives a debug line per request (never a secret).</param>
        /// <param name="handler">The HTTP handler to use (tests); null creates a pooled one owned by this client.</param>
        public RegistryClient(RegistryClientOptions options, ILogger logger, HttpMessageHandler? handler = null)
            : this(options, logger, handler, null)
        {
        }

        /// <summary>Creates a client that takes credentials from <paramref name="credentialStore"/>.</summary>
        public RegistryClient(RegistryClientOptions options, ILogger logger, HttpMessageHandler? handler, DockerCredentialStore? credentialStore)
            : this(options, logger, handler, credentialStore, null)
        {
        }

        /// <summary>Creates a client that sends through <paramref name="client"/> when given (a host's IHttpClientFactory named client), else through <paramref name="handler"/> or its own handler.</summary>
        public RegistryClient(RegistryClientOptions options, ILogger logger, HttpMessageHandler? handler, DockerCredentialStore? credentialStore, HttpClient? client)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            if (options.Timeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "The registry timeout must be positive.");
            }

            _logger = logger ?? NullLogger.Instance;
            CredentialStore = credentialStore ?? new DockerCredentialStore(options.DockerConfigDirectory, options.CredentialHelperTimeout, _logger, options.CredentialHelperDirectory);
            _insecureRegistries = new HashSet<string>(
                (options.InsecureRegistries ?? Array.Empty<string>()).Where(r => !string.IsNullOrWhiteSpace(r)).Select(DockerCredentialStore.HostOf),
                StringComparer.OrdinalIgnoreCase);
            _http = client ?? (handler is null ? new HttpClient(CreateHandler(options.Timeout), disposeHandler: true) : new HttpClient(handler, disposeHandler: false));
            _http.Timeout = System.Threading.Timeout.InfiniteTimeSpan; // each request gets its own timeout
            _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ArkManager.Images", typeof(RegistryClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
        }

        /// <summary>Where this client's credentials come from (also usable for a Docker pull).</summary>
        public DockerCredentialStore CredentialStore { get; }

        /// <summary>
        /// Returns the registry's digest (<c>sha256:…</c>) of the manifest <paramref name="reference"/> names, from the
        /// <c>Docker-Content-Digest</c> header of one <c>HEAD /v2/&lt;repository&gt;/manifests/&lt;tag-or-digest&gt;</c>
        /// (plus the token round-trip when the registry asks for it and no cached token fits).
        /// </summary>
        /// <exception cref="RegistryAuthenticationException">The registry needs credentials that were refused or are missing.</exception>
        /// <exception cref="RegistryUnreachableException">Connection refused, name resolution failed or no answer within the timeout.</exception>
        /// <exception cref="RegistryException">The tag does not exist (404), the answer has no digest, or another status.</exception>
        public async Task<string> GetManifestDigestAsync(ImageReference reference, CancellationToken cancellationToken)
        {
            if (reference is null)
            {
                throw new ArgumentNullException(nameof(reference));
            }

            ThrowIfDisposed();
            var target = new Target(reference, UseHttp(reference) ? "http" : "https");
            var cached = GetCachedAuthorization(target.CacheKey);
            if (cached is not null)
            {
                RegistryLog.TokenReused(_logger, target.Registry, target.Scope);
            }

            IReadOnlyList<AuthChallenge> challenges;
            using (var first = await SendHeadAsync(target, cached, cancellationToken).ConfigureAwait(false))
            {
                if (first.StatusCode != HttpStatusCode.Unauthorized)
                {
                    return Interpret(first, target, cached);
                }

                challenges = ReadChallenges(first);
            }

            if (cached is not null)
            {
                // The cached token was refused (revoked or expired early): forget it and answer the challenge again.
                RemoveIfSame(target.CacheKey, cached);
            }

            var authorization = await AuthorizeAsync(target, challenges, cached, cancellationToken).ConfigureAwait(false);
            using var retry = await SendHeadAsync(target, authorization, cancellationToken).ConfigureAwait(false);
            return Interpret(retry, target, authorization);
        }

        /// <summary>Releases the connection pool.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            _http.Dispose();
            foreach (var semaphore in _authorizationLocks.Values)
            {
                semaphore.Dispose();
            }
        }

        private bool UseHttp(ImageReference reference) =>
            !reference.IsDockerHub &&
            (reference.IsLoopbackRegistry || _insecureRegistries.Contains(reference.Registry) || _insecureRegistries.Contains(reference.RegistryApiHost));

        private void ThrowIfDisposed()
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                throw new ObjectDisposedException(nameof(RegistryClient));
            }
        }

        /// <summary>What one check is about.</summary>
        private sealed class Target
        {
            public Target(ImageReference reference, string scheme)
            {
                Reference = reference;
                Registry = reference.Registry;
                Image = reference.ToString();
                Scope = "repository:" + reference.Repository + ":pull";
                CacheKey = reference.Registry + " " + Scope;
                ManifestUri = new Uri($"{scheme}://{reference.RegistryApiHost}/v2/{reference.Repository}/manifests/{reference.ManifestReference}");
            }

            public ImageReference Reference { get; }

            public string Registry { get; }

            public string Image { get; }

            public string Scope { get; }

            public string CacheKey { get; }

            public Uri ManifestUri { get; }
        }
    }
}
