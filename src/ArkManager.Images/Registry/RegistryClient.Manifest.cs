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
    }
}
