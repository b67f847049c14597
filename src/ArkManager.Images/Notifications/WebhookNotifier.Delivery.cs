using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Internal;

namespace ArkManager.Images.Notifications
{
    // Delivery: the HTTP handler, the POST of a message with its 429 retry, and the redaction of what is logged.
    internal sealed partial class WebhookNotifier
    {
        /// <summary>Removes every trace of the webhook's URL (whole, user info, long path segments, query) from a problem text.</summary>
        internal static string Scrub(WebhookOptions hook, string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return string.Empty;
            }

            var url = (hook.Url ?? string.Empty).Trim();
            var result = text!;
            if (url.Length == 0)
            {
                return result;
            }

            result = result.Replace(url, hook.RedactedUrl);
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                return result;
            }

            foreach (var whole in new[] { uri.AbsoluteUri, uri.OriginalString, uri.ToString() })
            {
                if (!string.IsNullOrEmpty(whole))
                {
                    result = result.Replace(whole, hook.RedactedUrl);
                }
            }

            var secrets = new List<string>();
            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                secrets.Add(uri.UserInfo);
            }

            foreach (var part in uri.AbsolutePath.Split('/').Concat(uri.Query.TrimStart('?').Split('&', '=')))
            {
                if (part.Length >= 8)
                {
                    secrets.Add(part);
                    secrets.Add(Uri.UnescapeDataString(part));
                }
            }

            if (uri.PathAndQuery.Length > 1)
            {
                secrets.Add(uri.PathAndQuery);
            }

            foreach (var secret in secrets.Where(s => s.Length > 0).Distinct().OrderByDescending(s => s.Length))
            {
                result = result.Replace(secret, "…");
            }

            return result;
        }

        private static HttpMessageHandler CreateHandler(TimeSpan connectTimeout)
        {
#if NET
            return new SocketsHttpHandler
            {
                ConnectTimeout = connectTimeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                AllowAutoRedirect = false, // a redirected POST would turn into a GET, or carry the body elsewhere
                AutomaticDecompression = DecompressionMethods.None,
            };
#else
            _ = connectTimeout;
            return new HttpClientHandler { AllowAutoRedirect = false };
#endif
        }

        private static string Describe(Exception ex)
        {
            var parts = new List<string>();
            for (var current = ex; current != null && parts.Count < 4; current = current.InnerException)
            {
                var text = current.Message.Trim().TrimEnd('.');
                if (text.Length > 0 && !parts.Contains(text))
                {
                    parts.Add(text);
                }
            }

            return parts.Count == 0 ? ex.GetType().Name : string.Join(": ", parts);
        }

        private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
        {
            var retryAfter = response.Headers.RetryAfter;
            if (retryAfter?.Delta is TimeSpan delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            if (retryAfter?.Date is DateTimeOffset date)
            {
                var wait = date - DateTimeOffset.UtcNow;
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }

            return null;
        }

        private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            try
            {
                if (response.Content is null)
                {
                    return string.Empty;
                }

                using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                var buffer = new byte[MaxErrorBodyBytes];
                var total = 0;
                int read;
                while (total < buffer.Length && (read = await stream.ReadAsync(buffer, total, buffer.Length - total, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }

                var text = Encoding.UTF8.GetString(buffer, 0, total);
                var sb = new StringBuilder(text.Length);
                foreach (var c in text)
                {
                    sb.Append(char.IsControl(c) || char.IsWhiteSpace(c) ? ' ' : c);
                }

                var collapsed = string.Join(" ", sb.ToString().Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries));
                return total == buffer.Length ? collapsed + "…" : collapsed;
            }
            catch (Exception ex) when (ex is IOException || ex is HttpRequestException || ex is ObjectDisposedException)
            {
                return string.Empty;
            }
        }

        private async Task SendToAllAsync(IReadOnlyList<NotificationMessage> messages, CancellationToken cancellationToken)
        {
            if (messages.Count == 0 || _hooks.Count == 0)
            {
                return;
            }

            // Webhooks in parallel; the events of one webhook in order.
            await Task.WhenAll(_hooks.Select(async hook =>
            {
                foreach (var message in messages)
                {
                    if (hook.Accepts(message.Event))
                    {
                        await SendAsync(hook, message, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        NotificationLog.Filtered(_logger, hook.RedactedUrl, WebhookPayload.EventName(message.Event));
                    }
                }
            })).ConfigureAwait(false);
        }

        /// <summary>POSTs one message to one webhook; true when it answered 2xx. Throws only when the caller cancels.</summary>
        private async Task<bool> SendAsync(WebhookOptions hook, NotificationMessage message, CancellationToken cancellationToken)
        {
            var eventName = WebhookPayload.EventName(message.Event);
            var body = WebhookPayload.Build(hook.Format, message);
            var watch = Stopwatch.StartNew();
            var retried = false;
            while (true)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(hook.Timeout);
                TimeSpan? retryAfter = null;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url.Trim()) { Content = new ByteArrayContent(body) };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                    var status = (int)response.StatusCode;
                    if (status >= 200 && status <= 299)
                    {
                        NotificationLog.Sent(_logger, hook.RedactedUrl, eventName, message.Image, status, watch.ElapsedMilliseconds);
                        return true;
                    }

                    if (status == 429 && !retried)
                    {
                        retryAfter = RetryAfterOf(response) ?? TimeSpan.FromSeconds(1);
                    }

                    if (retryAfter is null || retryAfter > MaxRetryAfter)
                    {
                        string problem;
                        if (status >= 300 && status <= 399)
                        {
                            problem = $"HTTP {status} redirect, not followed";
                        }
                        else
                        {
                            var detail = await ReadErrorBodyAsync(response, timeout.Token).ConfigureAwait(false);
                            problem = $"HTTP {status} {response.ReasonPhrase}".TrimEnd() + (detail.Length == 0 ? string.Empty : ": " + detail);
                        }

                        NotificationLog.SendFailed(_logger, hook.RedactedUrl, eventName, message.Image, watch.ElapsedMilliseconds, Scrub(hook, problem));
                        return false;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    NotificationLog.SendFailed(_logger, hook.RedactedUrl, eventName, message.Image, watch.ElapsedMilliseconds,
                        $"no answer within the timeout of {hook.Timeout.TotalSeconds:0.###} s");
                    return false;
                }
                catch (Exception ex) when (!(ex is OperationCanceledException))
                {
                    // Connection refused, DNS, TLS, a handler that throws: never the caller's problem.
                    NotificationLog.SendFailed(_logger, hook.RedactedUrl, eventName, message.Image, watch.ElapsedMilliseconds, Scrub(hook, Describe(ex)));
                    return false;
                }

                retried = true;
                NotificationLog.RateLimited(_logger, hook.RedactedUrl, eventName, (long)retryAfter.Value.TotalMilliseconds);
                await Task.Delay(retryAfter.Value, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
