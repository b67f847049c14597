using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Registry
{
    // The manifest HEAD request and the reading of its answer (digest or error).
    internal sealed partial class RegistryClient
    {
        /// <summary>The longest Retry-After a check waits for (once) after an HTTP 429; a longer one is reported as RateLimited.</summary>
        internal static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(5);

        /// <summary>
        /// Sends the manifest HEAD; when the registry answers 429 with a Retry-After of at most <see cref="MaxRetryAfter"/>,
        /// waits that long and asks once more. Any other answer (including a second 429) is returned as it is.
        /// </summary>
        private async Task<HttpResponseMessage> SendHeadAsync(Target target, CachedAuthorization? authorization, CancellationToken cancellationToken)
        {
            var response = await SendHeadOnceAsync(target, authorization, cancellationToken).ConfigureAwait(false);
            if ((int)response.StatusCode != 429)
            {
                return response;
            }

            var wait = RetryAfterOf(response);
            if (wait is null || wait.Value > MaxRetryAfter)
            {
                return response;
            }

            response.Dispose();
            RegistryLog.RateLimitedRetry(_logger, target.Registry, target.Image, (long)wait.Value.TotalMilliseconds);
            await Task.Delay(wait.Value, cancellationToken).ConfigureAwait(false);
            return await SendHeadOnceAsync(target, authorization, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The wait a 429 answer asks for (Retry-After as seconds or as a date); null when it names none.</summary>
        private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
        {
            var header = response.Headers.RetryAfter;
            if (header?.Delta is TimeSpan delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            if (header?.Date is DateTimeOffset date)
            {
                var left = date - DateTimeOffset.UtcNow;
                return left < TimeSpan.Zero ? TimeSpan.Zero : left;
            }

            return null;
        }

        private async Task<HttpResponseMessage> SendHeadOnceAsync(Target target, CachedAuthorization? authorization, CancellationToken cancellationToken)
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
                    var retryAfter = RetryAfterOf(response);
                    var asked = retryAfter is null
                        ? "without a Retry-After"
                        : retryAfter.Value <= MaxRetryAfter
                            ? $"again after the {retryAfter.Value.TotalSeconds:0.#} s wait it asked for"
                            : $"asking for a wait of {retryAfter.Value.TotalSeconds:0.#} s (more than the {MaxRetryAfter.TotalSeconds:0} s a check waits)";
                    throw new RegistryRateLimitedException(target.Registry, target.Image, retryAfter,
                        $"Registry {target.Registry} refused the check of {target.Image} with HTTP 429 (too many requests: rate limit) {asked}. Try again later, or log in with 'docker login {target.Registry}' for a higher limit.");
                default:
                    throw new RegistryException(target.Registry, target.Image, status,
                        $"Registry {target.Registry} answered HTTP {status} ({response.ReasonPhrase}) to the manifest check of {target.Image}.");
            }
        }
    }
}
