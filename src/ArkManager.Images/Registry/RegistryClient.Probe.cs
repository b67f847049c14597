using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Registry
{
    // Reachability of a registry: one GET /v2/, for health checks (an image need not be local, nor exist).
    internal sealed partial class RegistryClient
    {
        /// <summary>
        /// Asks <c>GET /v2/</c> of the registry <paramref name="reference"/> names (HTTP for loopback and insecure
        /// registries, as the checks do). 200, or 401 with a <c>WWW-Authenticate</c> challenge, is reachable; another
        /// answer, no answer within the registry timeout, or a connection failure is not. Never throws but for the
        /// caller's cancellation; sends no credentials.
        /// </summary>
        public async Task<RegistryProbe> ProbeAsync(ImageReference reference, CancellationToken cancellationToken)
        {
            ThrowIfDisposed();
            var url = new Uri($"{(UseHttp(reference) ? "http" : "https")}://{reference.RegistryApiHost}/v2/");
            var watch = Stopwatch.StartNew();
            var probe = new RegistryProbe { Registry = reference.Registry, Url = url.ToString() };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Timeout);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                var challenged = response.StatusCode == HttpStatusCode.Unauthorized && response.Headers.WwwAuthenticate.Any();
                var detail = response.StatusCode == HttpStatusCode.OK ? "the registry API answered (HTTP 200)"
                    : challenged ? $"the registry API answered and asks for authentication ({response.Headers.WwwAuthenticate.First().Scheme})"
                    : $"HTTP {status} {response.ReasonPhrase}".TrimEnd() + " is not a registry API answer";
                return probe with { Reachable = response.StatusCode == HttpStatusCode.OK || challenged, StatusCode = status, Detail = detail, Elapsed = watch.Elapsed };
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return probe with { Detail = $"no answer within {_options.Timeout.TotalSeconds:0.#} s", Elapsed = watch.Elapsed };
            }
            catch (HttpRequestException ex)
            {
                return probe with { Detail = Describe(ex), Elapsed = watch.Elapsed };
            }
        }
    }
}
