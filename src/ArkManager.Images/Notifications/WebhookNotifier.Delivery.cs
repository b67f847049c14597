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
using Polly;
using Polly.Timeout;

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

        internal static HttpMessageHandler CreateHandler(TimeSpan connectTimeout)
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

            // Webhooks in parallel; the events of one webhook in order, after what its outbox kept from earlier runs.
            await Task.WhenAll(_hooks.Select(async hook =>
            {
                var wanted = new List<NotificationMessage>();
                foreach (var message in messages)
                {
                    if (hook.Accepts(message.Event))
                    {
                        wanted.Add(message);
                    }
                    else
                    {
                        NotificationLog.Filtered(_logger, hook.RedactedUrl, WebhookPayload.EventName(message.Event));
                    }
                }

                await DeliverAsync(hook, wanted, cancellationToken).ConfigureAwait(false);
            })).ConfigureAwait(false);
        }

        /// <summary>
        /// Delivers messages to one webhook in order: first what its outbox kept (oldest first, each removed once accepted),
        /// then the new ones. While the outbox cannot be emptied the webhook is taken as down: the new "updated / rolled
        /// back / failed" messages are appended to the outbox without a try, others are not sent (an announcement is tried
        /// again by the next check). A durable message that fails is appended too. Returns, per message, whether it was accepted.
        /// </summary>
        private async Task<bool[]> DeliverAsync(WebhookOptions hook, IReadOnlyList<NotificationMessage> messages, CancellationToken cancellationToken)
        {
            var sent = new bool[messages.Count];
            var key = AnnouncementStore.HookKey(hook);
            if (!_outbox.HasEntries(key) && !messages.Any(m => WebhookOutbox.IsDurable(m.Event)))
            {
                for (var i = 0; i < messages.Count; i++)
                {
                    sent[i] = await SendAsync(hook, WebhookPayload.EventName(messages[i].Event), messages[i].Image, WebhookPayload.Build(hook.Format, messages[i]), cancellationToken).ConfigureAwait(false);
                }

                return sent;
            }

            FileLock fileLock;
            try
            {
                fileLock = await _outbox.LockAsync(key, LockTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // Another process delivers to this webhook for too long: try the new messages without the outbox.
                NotificationLog.LockUnavailable(_logger, _outbox.Directory, hook.RedactedUrl, ex.Message);
                for (var i = 0; i < messages.Count; i++)
                {
                    sent[i] = await SendAsync(hook, WebhookPayload.EventName(messages[i].Event), messages[i].Image, WebhookPayload.Build(hook.Format, messages[i]), cancellationToken).ConfigureAwait(false);
                }

                return sent;
            }

            using (fileLock)
            {
                var kept = _outbox.Read(key);
                while (kept.Count > 0)
                {
                    var entry = kept[0];
                    if (!await SendAsync(hook, entry.Event, entry.Image, Encoding.UTF8.GetBytes(entry.Body), cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }

                    kept.RemoveAt(0);
                    _outbox.Write(key, kept); // at once: a crash later must not send it twice
                    NotificationLog.OutboxDelivered(_logger, hook.RedactedUrl, entry.Event, entry.Image, entry.QueuedAt);
                }

                var down = kept.Count > 0;
                var added = false;
                for (var i = 0; i < messages.Count; i++)
                {
                    var message = messages[i];
                    var eventName = WebhookPayload.EventName(message.Event);
                    var body = WebhookPayload.Build(hook.Format, message);
                    if (!down)
                    {
                        sent[i] = await SendAsync(hook, eventName, message.Image, body, cancellationToken).ConfigureAwait(false);
                        down = !sent[i];
                        if (sent[i] || !WebhookOutbox.IsDurable(message.Event))
                        {
                            continue;
                        }
                    }
                    else if (!WebhookOutbox.IsDurable(message.Event))
                    {
                        NotificationLog.NotTriedWhileDown(_logger, hook.RedactedUrl, eventName, message.Image);
                        continue;
                    }

                    kept.Add(new OutboxEntry { Event = eventName, Image = message.Image, Server = message.Server, QueuedAt = Time.GetUtcNow(), Body = Encoding.UTF8.GetString(body) });
                    added = true;
                    NotificationLog.Queued(_logger, hook.RedactedUrl, eventName, message.Image, kept.Count);
                }

                if (added)
                {
                    _outbox.Write(key, kept);
                }
            }

            return sent;
        }

        /// <summary>POSTs one body to one webhook through its retry pipeline; true when it answered 2xx. Throws only when the caller cancels.</summary>
        private async Task<bool> SendAsync(WebhookOptions hook, string eventName, string image, byte[] body, CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            HttpResponseMessage? response = null;
            try
            {
                var context = ResilienceContextPool.Shared.Get(cancellationToken);
                try
                {
                    context.Properties.Set(EventKey, eventName);
                    response = await PipelineOf(hook).ExecuteAsync(
                        async (ctx, state) =>
                        {
                            using var request = new HttpRequestMessage(HttpMethod.Post, state.Hook.Url.Trim()) { Content = new ByteArrayContent(state.Body) };
                            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                            return await state.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ctx.CancellationToken).ConfigureAwait(false);
                        },
                        context,
                        (Hook: hook, Body: body, Client: Http)).ConfigureAwait(false);
                }
                finally
                {
                    ResilienceContextPool.Shared.Return(context);
                }

                var status = (int)response.StatusCode;
                if (status >= 200 && status <= 299)
                {
                    NotificationLog.Sent(_logger, hook.RedactedUrl, eventName, image, status, watch.ElapsedMilliseconds);
                    return true;
                }

                string problem;
                if (status >= 300 && status <= 399)
                {
                    problem = $"HTTP {status} redirect, not followed";
                }
                else
                {
                    using var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    readTimeout.CancelAfter(hook.Timeout);
                    var detail = await ReadErrorBodyAsync(response, readTimeout.Token).ConfigureAwait(false);
                    problem = $"HTTP {status} {response.ReasonPhrase}".TrimEnd() + (detail.Length == 0 ? string.Empty : ": " + detail);
                }

                NotificationLog.SendFailed(_logger, hook.RedactedUrl, eventName, image, watch.ElapsedMilliseconds, Scrub(hook, problem));
                return false;
            }
            catch (TimeoutRejectedException)
            {
                NotificationLog.SendFailed(_logger, hook.RedactedUrl, eventName, image, watch.ElapsedMilliseconds,
                    $"no answer within the timeout of {hook.Timeout.TotalSeconds:0.###} s ({WebhookRetryPipeline.Tries} tries)");
                return false;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                NotificationLog.SendFailed(_logger, hook.RedactedUrl, eventName, image, watch.ElapsedMilliseconds,
                    $"no answer within the timeout of {hook.Timeout.TotalSeconds:0.###} s");
                return false;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                // Connection refused, DNS, TLS, a handler that throws: never the caller's problem.
                NotificationLog.SendFailed(_logger, hook.RedactedUrl, eventName, image, watch.ElapsedMilliseconds, Scrub(hook, Describe(ex)));
                return false;
            }
            finally
            {
                response?.Dispose();
            }
        }
    }
}
