using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Registry
{
    // The HTTP handler setup and the sending of one request with its timeout and error reporting.
    internal sealed partial class RegistryClient
    {
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

        private static string Truncate(string text, int length) => text.Length <= length ? text : text.Substring(0, length) + "…";
    }
}
