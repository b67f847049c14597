using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Registry
{
    // The authentication challenge: credentials, Bearer token fetch or Basic header, and their caches.
    internal sealed partial class RegistryClient
    {
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
