using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
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
    internal sealed class RegistryClient : IDisposable
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
            _http = handler is null ? new HttpClient(CreateHandler(options.Timeout), disposeHandler: true) : new HttpClient(handler, disposeHandler: false);
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

        private static HttpMessageHandler CreateHandler(TimeSpan timeout)
        {
#if NET
            return new SocketsHttpHandler
            {
                ConnectTimeout = timeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                AllowAutoRedirect = true,
                AutomaticDecompression = DecompressionMethods.None,
            };
#else
            return new HttpClientHandler { AllowAutoRedirect = true };
#endif
        }

        private bool UseHttp(ImageReference reference) =>
            !reference.IsDockerHub &&
            (reference.IsLoopbackRegistry || _insecureRegistries.Contains(reference.Registry) || _insecureRegistries.Contains(reference.RegistryApiHost));

        private async Task<HttpResponseMessage> SendHeadAsync(Target target, CachedAuthorization? authorization, CancellationToken cancellationToken)
        {
            var request = new HttpRequestMessage(HttpMethod.Head, target.ManifestUri);
            foreach (var mediaType in ManifestMediaTypes)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
            }

            if (authorization is not null)
            {
                request.Headers.Authorization = authorization.Header;
            }

            return await SendAsync(request, target, "the manifest HEAD", cancellationToken).ConfigureAwait(false);
        }

        private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Target target, string what, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            var url = SafeUrl(uri);
            var method = request.Method.Method;
            using var timeout = new CancellationTokenSource(_options.Timeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var stopwatch = Stopwatch.StartNew();
            try
            {
                using (request)
                {
                    var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
                    RegistryLog.RequestCompleted(_logger, method, url, (int)response.StatusCode, stopwatch.ElapsedMilliseconds);
                    return response;
                }
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                var problem = $"{what} ({method} {url}) got no answer within {_options.Timeout.TotalSeconds:0.#} s";
                RegistryLog.RequestFailed(_logger, method, url, stopwatch.ElapsedMilliseconds, problem);
                throw Unreachable(target, problem, uri, ex);
            }
            catch (HttpRequestException ex)
            {
                var problem = $"{what} ({method} {url}) failed: {Describe(ex)}";
                RegistryLog.RequestFailed(_logger, method, url, stopwatch.ElapsedMilliseconds, problem);
                throw Unreachable(target, problem, uri, ex);
            }
        }

        private static RegistryUnreachableException Unreachable(Target target, string problem, Uri uri, Exception inner)
        {
            var hint = uri.Scheme == "https" && LooksLikeTls(inner)
                ? $" If {target.Registry} serves plain http, list it in InsecureRegistries."
                : string.Empty;
            return new RegistryUnreachableException(
                target.Registry,
                target.Image,
                $"Registry {target.Registry} unreachable while checking {target.Image}: {problem}. Check the registry address, that it is running and that this machine can reach it.{hint}",
                inner);
        }

        private static bool LooksLikeTls(Exception exception)
        {
            for (var e = exception; e is not null; e = e.InnerException)
            {
                if (e is System.Security.Authentication.AuthenticationException || e.Message.IndexOf("SSL", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return true;
                }
            }

            return false;
        }

        private static string Describe(Exception exception)
        {
            var messages = new List<string>();
            for (var e = exception; e is not null && messages.Count < 3; e = e.InnerException)
            {
                if (!string.IsNullOrWhiteSpace(e.Message) && !messages.Contains(e.Message))
                {
                    messages.Add(e.Message.Trim().TrimEnd('.'));
                }
            }

            return messages.Count == 0 ? exception.GetType().Name : string.Join(": ", messages);
        }

        /// <summary>The URL without user info (query strings of registry and token URLs carry no secrets).</summary>
        private static string SafeUrl(Uri uri) =>
            string.IsNullOrEmpty(uri.UserInfo) ? uri.AbsoluteUri : new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri.AbsoluteUri;

        private static IReadOnlyList<AuthChallenge> ReadChallenges(HttpResponseMessage response) =>
            response.Headers.TryGetValues("WWW-Authenticate", out var values)
                ? WwwAuthenticateParser.Parse(values)
                : Array.Empty<AuthChallenge>();

        private string Interpret(HttpResponseMessage response, Target target, CachedAuthorization? authorization)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                var digest = response.Headers.TryGetValues(DigestHeader, out var values) ? values.FirstOrDefault()?.Trim() : null;
                if (string.IsNullOrEmpty(digest))
                {
                    throw new RegistryException(target.Registry, target.Image, status,
                        $"Registry {target.Registry} answered the manifest HEAD for {target.Image} (HTTP {status}) without a {DigestHeader} header, so its digest cannot be known without downloading the manifest, which an update check never does. The registry does not implement the Docker Registry HTTP API V2 fully; compare by pulling instead.");
                }

                if (!DigestPattern.IsMatch(digest))
                {
                    throw new RegistryException(target.Registry, target.Image, status,
                        $"Registry {target.Registry} answered the manifest HEAD for {target.Image} with a {DigestHeader} header that is not a digest ('{Truncate(digest!, 100)}').");
                }

                digest = digest!.ToLowerInvariant();
                RegistryLog.DigestResolved(_logger, target.Image, digest);
                return digest;
            }

            switch (response.StatusCode)
            {
                case HttpStatusCode.Unauthorized:
                case HttpStatusCode.Forbidden:
                    throw AuthenticationFailure(target, status, authorization?.Credential,
                        authorization is null ? "the registry answered"
                        : authorization.Credential is null ? "the registry refused anonymous access with"
                        : "the registry answered the authenticated request with");
                case HttpStatusCode.NotFound:
                    var what = target.Reference.Digest is null
                        ? $"The tag '{target.Reference.ManifestReference}' does not exist"
                        : $"The manifest {target.Reference.Digest} does not exist";
                    throw new RegistryException(target.Registry, target.Image, status,
                        $"{what} in repository {target.Reference.Repository} on registry {target.Registry} (HTTP 404 for {target.Image}). Check the image name and tag.");
                case (HttpStatusCode)429:
                    throw new RegistryException(target.Registry, target.Image, status,
                        $"Registry {target.Registry} refused the check of {target.Image} with HTTP 429 (too many requests: rate limit). Try again later, or log in with 'docker login {target.Registry}' for a higher limit.");
                default:
                    throw new RegistryException(target.Registry, target.Image, status,
                        $"Registry {target.Registry} answered HTTP {status} ({response.ReasonPhrase}) to the manifest check of {target.Image}.");
            }
        }

        private RegistryAuthenticationException AuthenticationFailure(Target target, int? status, RegistryCredential? credential, string how, Exception? inner = null)
        {
            var statusText = status is int s ? $"HTTP {s}" : "no token";
            if (credential is not null)
            {
                _credentials.TryRemove(target.Registry, out _);
                return new RegistryAuthenticationException(target.Registry, target.Image, status,
                    $"Registry {target.Registry} refused the credentials of user '{credential.Username}' (from {credential.Source}) for {target.Image}: {how} {statusText}. " +
                    $"Log in again with 'docker login {target.Registry}' using a user that may pull this repository.",
                    inner);
            }

            return new RegistryAuthenticationException(target.Registry, target.Image, status,
                $"Registry {target.Registry} requires authentication for {target.Image} ({how} {statusText}) and no credentials for it were found in {CredentialStore.ConfigFile}. " +
                $"Log in with 'docker login {target.Registry}', or point DockerConfigDirectory at the folder whose config.json has them. (A repository that does not exist can be reported this way too.)",
                inner);
        }

        private CachedAuthorization? GetCachedAuthorization(string key)
        {
            if (_authorizations.TryGetValue(key, out var entry))
            {
                if (entry.ExpiresAt > DateTimeOffset.UtcNow)
                {
                    return entry;
                }

                RemoveIfSame(key, entry);
            }

            return null;
        }

        private void RemoveIfSame(string key, CachedAuthorization entry) =>
            ((ICollection<KeyValuePair<string, CachedAuthorization>>)_authorizations).Remove(new KeyValuePair<string, CachedAuthorization>(key, entry));

        private async Task<CachedAuthorization> AuthorizeAsync(Target target, IReadOnlyList<AuthChallenge> challenges, CachedAuthorization? rejected, CancellationToken cancellationToken)
        {
            var bearer = challenges.FirstOrDefault(c => c.IsBearer && !string.IsNullOrWhiteSpace(c.Realm));
            var basic = challenges.FirstOrDefault(c => c.IsBasic);
            var challenge = bearer ?? basic;
            if (challenge is null)
            {
                var offered = challenges.Count == 0 ? "no WWW-Authenticate challenge" : "only the unsupported scheme(s) " + string.Join(", ", challenges.Select(c => c.Scheme).Distinct());
                throw new RegistryAuthenticationException(target.Registry, target.Image, 401,
                    $"Registry {target.Registry} asks for authentication to check {target.Image} but offers {offered}; only Bearer tokens and Basic authentication are supported.");
            }

            RegistryLog.Challenged(_logger, target.Registry, challenge.ToString());
            var gate = _authorizationLocks.GetOrAdd(target.CacheKey, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Another check of the same repository may have fetched a token while this one waited.
                var fresh = GetCachedAuthorization(target.CacheKey);
                if (fresh is not null && !ReferenceEquals(fresh, rejected))
                {
                    RegistryLog.TokenReused(_logger, target.Registry, target.Scope);
                    return fresh;
                }

                var credential = await GetCredentialAsync(target, cancellationToken).ConfigureAwait(false);
                CachedAuthorization authorization;
                if (bearer is not null)
                {
                    authorization = await FetchTokenAsync(target, bearer, credential, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    if (credential is null)
                    {
                        throw AuthenticationFailure(target, 401, null, "the registry answered");
                    }

                    authorization = new CachedAuthorization(
                        new AuthenticationHeaderValue("Basic", BasicValue(credential)),
                        DateTimeOffset.MaxValue,
                        credential);
                }

                _authorizations[target.CacheKey] = authorization;
                return authorization;
            }
            finally
            {
                gate.Release();
            }
        }

        private async Task<RegistryCredential?> GetCredentialAsync(Target target, CancellationToken cancellationToken)
        {
            if (_credentials.TryGetValue(target.Registry, out var cached) && cached.ExpiresAt > DateTimeOffset.UtcNow)
            {
                return cached.Credential;
            }

            RegistryCredential? credential;
            try
            {
                credential = await CredentialStore.GetAsync(target.Registry, cancellationToken).ConfigureAwait(false);
            }
            catch (CredentialHelperException ex)
            {
                throw new RegistryAuthenticationException(target.Registry, target.Image, null, ex.Message, ex);
            }

            if (credential is null)
            {
                RegistryLog.NoCredentials(_logger, target.Registry, CredentialStore.ConfigFile);
            }
            else
            {
                RegistryLog.CredentialsFound(_logger, target.Registry, credential.Username, credential.Source);
            }

            _credentials[target.Registry] = new CachedCredential(credential, DateTimeOffset.UtcNow + CredentialCacheLifetime);
            return credential;
        }

        private async Task<CachedAuthorization> FetchTokenAsync(Target target, AuthChallenge challenge, RegistryCredential? credential, CancellationToken cancellationToken)
        {
            if (!Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm) || (realm.Scheme != "https" && realm.Scheme != "http"))
            {
                throw new RegistryException(target.Registry, target.Image, 401,
                    $"Registry {target.Registry} names a token service that is not an http(s) URL ('{Truncate(challenge.Realm ?? string.Empty, 200)}'); the check of {target.Image} cannot authenticate.");
            }

            var service = challenge.Service;
            HttpRequestMessage request;
            if (credential is not null && credential.IsIdentityToken)
            {
                // OAuth2 refresh-token grant, as Docker does with an identity token.
                var form = new List<KeyValuePair<string, string>>
                {
                    new KeyValuePair<string, string>("grant_type", "refresh_token"),
                    new KeyValuePair<string, string>("client_id", "ArkManager.Images"),
                    new KeyValuePair<string, string>("scope", target.Scope),
                    new KeyValuePair<string, string>("refresh_token", credential.Secret),
                };
                if (!string.IsNullOrEmpty(service))
                {
                    form.Add(new KeyValuePair<string, string>("service", service!));
                }

                request = new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
            }
            else
            {
                var query = new StringBuilder(realm.Query.Length > 1 ? realm.Query.Substring(1) + "&" : string.Empty);
                if (!string.IsNullOrEmpty(service))
                {
                    query.Append("service=").Append(Uri.EscapeDataString(service!)).Append('&');
                }

                query.Append("scope=").Append(Uri.EscapeDataString(target.Scope));
                var uri = new UriBuilder(realm) { Query = query.ToString() }.Uri;
                request = new HttpRequestMessage(HttpMethod.Get, uri);
                if (credential is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Basic", BasicValue(credential));
                }
            }

            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await SendAsync(request, target, "the token request to " + realm.GetLeftPart(UriPartial.Path), cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.Unauthorized || response.StatusCode == HttpStatusCode.Forbidden)
            {
                throw AuthenticationFailure(target, status, credential, "its token service " + realm.GetLeftPart(UriPartial.Path) + " answered");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new RegistryException(target.Registry, target.Image, status,
                    $"The token service {realm.GetLeftPart(UriPartial.Path)} of registry {target.Registry} answered HTTP {status} ({response.ReasonPhrase}) while checking {target.Image}.");
            }

            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            var (token, expiresIn) = ParseTokenResponse(body);
            if (string.IsNullOrEmpty(token))
            {
                throw new RegistryException(target.Registry, target.Image, status,
                    $"The token service {realm.GetLeftPart(UriPartial.Path)} of registry {target.Registry} answered without a token (expected JSON with 'token' or 'access_token') while checking {target.Image}.");
            }

            var margin = Math.Min(10, expiresIn / 10);
            RegistryLog.TokenObtained(_logger, target.Registry, target.Scope, credential is null ? "anonymous" : "user " + credential.Username, expiresIn);
            return new CachedAuthorization(
                new AuthenticationHeaderValue("Bearer", token),
                DateTimeOffset.UtcNow + TimeSpan.FromSeconds(expiresIn - margin),
                credential);
        }

        internal static (string? Token, int ExpiresInSeconds) ParseTokenResponse(string body)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return (null, DefaultTokenLifetimeSeconds);
                }

                string? token = null;
                if (root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String)
                {
                    token = t.GetString();
                }

                if (string.IsNullOrEmpty(token) && root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String)
                {
                    token = a.GetString();
                }

                var expiresIn = DefaultTokenLifetimeSeconds;
                if (root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var seconds))
                {
                    // The specification: a lifetime under 60 s is taken as 60 s.
                    expiresIn = Math.Max(seconds, DefaultTokenLifetimeSeconds);
                }

                return (token, expiresIn);
            }
            catch (JsonException)
            {
                return (null, DefaultTokenLifetimeSeconds);
            }
        }

        private static string BasicValue(RegistryCredential credential) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.Username + ":" + credential.Secret));

        private static string Truncate(string text, int length) => text.Length <= length ? text : text.Substring(0, length) + "…";

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

        /// <summary>An Authorization header that worked (or was just issued) for one registry and scope.</summary>
        private sealed class CachedAuthorization
        {
            public CachedAuthorization(AuthenticationHeaderValue header, DateTimeOffset expiresAt, RegistryCredential? credential)
            {
                Header = header;
                ExpiresAt = expiresAt;
                Credential = credential;
            }

            public AuthenticationHeaderValue Header { get; }

            public DateTimeOffset ExpiresAt { get; }

            /// <summary>The credentials it was obtained with; null for an anonymous token.</summary>
            public RegistryCredential? Credential { get; }
        }

        private sealed class CachedCredential
        {
            public CachedCredential(RegistryCredential? credential, DateTimeOffset expiresAt)
            {
                Credential = credential;
                ExpiresAt = expiresAt;
            }

            public RegistryCredential? Credential { get; }

            public DateTimeOffset ExpiresAt { get; }
        }
    }
}
