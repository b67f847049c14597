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
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArkManager.Images.Notifications
{
    /// <summary>
    /// Tells the configured webhooks about updates: update available, updated, rolled back, failed.
    /// <para>
    /// Never fails the caller: a webhook that cannot be reached, answers non-2xx, redirects or does not answer within its
    /// <see cref="WebhookOptions.Timeout"/> is logged as a warning (its URL redacted to <c>scheme://host/…</c>) and
    /// skipped. Only a cancellation of the caller's own token is thrown (as <see cref="OperationCanceledException"/>).
    /// </para>
    /// <para>
    /// "Update available" is announced once per (webhook, image, registry digest): the digest is remembered in
    /// <c>&lt;state&gt;/notifications/announced.json</c> under an exclusive file lock, so a repeated check is silent and a
    /// new digest is announced again. The marker of a webhook is set only after that webhook accepted the POST (2xx);
    /// a failed announcement is therefore tried again by the next check. Update results are not de-duplicated: each
    /// call reports what that run did.
    /// </para>
    /// </summary>
    internal sealed class WebhookNotifier : IDisposable
    {
        /// <summary>The longest Retry-After of a 429 answer that is waited for (once) before the POST is given up.</summary>
        internal static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(5);

        private const int MaxErrorBodyBytes = 300;

        private readonly IReadOnlyList<WebhookOptions> _hooks;
        private readonly ILogger _logger;
        private readonly HttpClient _http;
        private readonly AnnouncementStore _store;
        private readonly SemaphoreSlim _announceGate = new SemaphoreSlim(1, 1);

        public WebhookNotifier(IReadOnlyList<WebhookOptions> hooks, string stateDirectory, ILogger logger, HttpMessageHandler? handler = null)
        {
            if (hooks is null)
            {
                throw new ArgumentNullException(nameof(hooks));
            }

            foreach (var hook in hooks)
            {
                if (hook is null)
                {
                    throw new ArgumentException("The webhook list contains null.", nameof(hooks));
                }

                hook.Validate();
            }

            _hooks = hooks.ToArray();
            _logger = logger ?? NullLogger.Instance;
            _store = new AnnouncementStore(stateDirectory, _logger);
            var longest = _hooks.Count == 0 ? TimeSpan.FromSeconds(10) : _hooks.Max(h => h.Timeout);
            LockTimeout = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, (longest + longest + MaxRetryAfter).Ticks));
            _http = handler is null ? new HttpClient(CreateHandler(longest), disposeHandler: true) : new HttpClient(handler, disposeHandler: false);
            _http.Timeout = Timeout.InfiniteTimeSpan; // every POST gets its webhook's own timeout
            _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ArkManager.Images", typeof(WebhookNotifier).Assembly.GetName().Version?.ToString(3) ?? "0"));
        }

        /// <summary>The webhooks.</summary>
        public IReadOnlyList<WebhookOptions> Webhooks => _hooks;

        /// <summary>The file that remembers what was announced.</summary>
        public string AnnouncedFile => _store.FilePath;

        /// <summary>How long an announcement waits for another process that is announcing; then it is left to the next check.</summary>
        internal TimeSpan LockTimeout { get; set; }

        /// <summary>The host name put into every notification.</summary>
        internal string HostName { get; set; } = Environment.MachineName;

        /// <summary>The clock of the notification timestamps.</summary>
        internal Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

        /// <summary>
        /// Announces an available update (<see cref="ImageUpdateCheck.UpdateAvailable"/>) to every webhook that receives
        /// <see cref="NotificationEvent.UpdateAvailable"/> and has not yet been told about this registry digest.
        /// </summary>
        public async Task NotifyUpdateAvailableAsync(ImageUpdateCheck check, CancellationToken cancellationToken)
        {
            if (check is null)
            {
                throw new ArgumentNullException(nameof(check));
            }

            if (!check.UpdateAvailable || string.IsNullOrWhiteSpace(check.RemoteDigest) || string.IsNullOrWhiteSpace(check.Image))
            {
                return;
            }

            var hooks = Receivers(NotificationEvent.UpdateAvailable);
            if (hooks.Count == 0)
            {
                return;
            }

            var digest = check.RemoteDigest!;
            var message = new NotificationMessage
            {
                Event = NotificationEvent.UpdateAvailable,
                Image = check.Image,
                OldDigest = check.LocalDigest,
                NewDigest = digest,
                Registry = string.IsNullOrEmpty(check.Registry) ? null : check.Registry,
                Timestamp = Clock(),
                Host = HostName,
            };

            await _announceGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                FileLock fileLock;
                try
                {
                    fileLock = await FileLock.AcquireAsync(_store.LockPath, "webhook announcement of " + check.Image, LockTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    NotificationLog.LockUnavailable(_logger, _store.LockPath, check.Image, ex.Message);
                    return;
                }

                using (fileLock)
                {
                    var announced = _store.Load();
                    var pending = new List<(WebhookOptions Hook, string Key)>();
                    foreach (var hook in hooks)
                    {
                        var key = AnnouncementStore.HookKey(hook);
                        if (announced.TryGetValue((key, check.Image), out var record) && string.Equals(record.Digest, digest, StringComparison.Ordinal))
                        {
                            NotificationLog.AlreadyAnnounced(_logger, hook.RedactedUrl, check.Image, digest);
                        }
                        else if (!pending.Any(p => p.Key == key))
                        {
                            pending.Add((hook, key));
                        }
                    }

                    if (pending.Count == 0)
                    {
                        return;
                    }

                    var sent = await Task.WhenAll(pending.Select(p => SendAsync(p.Hook, message, cancellationToken))).ConfigureAwait(false);
                    var changed = false;
                    for (var i = 0; i < pending.Count; i++)
                    {
                        if (sent[i])
                        {
                            announced[(pending[i].Key, check.Image)] = new AnnouncementRecord
                            {
                                Hook = pending[i].Key,
                                Image = check.Image,
                                Digest = digest,
                                AnnouncedAt = message.Timestamp,
                            };
                            changed = true;
                        }
                    }

                    if (changed)
                    {
                        _store.Save(announced);
                    }
                }
            }
            finally
            {
                _announceGate.Release();
            }
        }

        /// <summary>
        /// Reports an update: one event per server that was <see cref="UpdateOutcome.Updated"/>,
        /// <see cref="UpdateOutcome.RolledBack"/> or <see cref="UpdateOutcome.Failed"/> (other outcomes are not reported).
        /// Without such a server: a failed result is reported as one image-wide <see cref="NotificationEvent.Failed"/>, a
        /// pull as one image-wide <see cref="NotificationEvent.Updated"/>. Each webhook gets only the events it receives.
        /// </summary>
        public Task NotifyUpdateResultAsync(ImageUpdateResult result, CancellationToken cancellationToken)
        {
            if (result is null)
            {
                throw new ArgumentNullException(nameof(result));
            }

            return SendToAllAsync(MessagesOf(result, Clock(), HostName), cancellationToken);
        }

        /// <summary>Reports an update of <paramref name="image"/> that failed before it produced a result (an image-wide <see cref="NotificationEvent.Failed"/>).</summary>
        public Task NotifyUpdateFailedAsync(string image, string error, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(image))
            {
                throw new ArgumentException("An image reference is required.", nameof(image));
            }

            var message = new NotificationMessage
            {
                Event = NotificationEvent.Failed,
                Image = image,
                Error = string.IsNullOrWhiteSpace(error) ? "the update failed" : error,
                Timestamp = Clock(),
                Host = HostName,
            };
            return SendToAllAsync(new[] { message }, cancellationToken);
        }

        public void Dispose()
        {
            _http.Dispose();
            _announceGate.Dispose();
        }

        /// <summary>The messages that report <paramref name="result"/> (see <see cref="NotifyUpdateResultAsync"/>).</summary>
        internal static IReadOnlyList<NotificationMessage> MessagesOf(ImageUpdateResult result, DateTimeOffset timestamp, string host)
        {
            var messages = new List<NotificationMessage>();
            foreach (var server in result.Servers ?? Array.Empty<ServerUpdateResult>())
            {
                NotificationEvent notificationEvent;
                switch (server.Outcome)
                {
                    case UpdateOutcome.Updated:
                        notificationEvent = NotificationEvent.Updated;
                        break;
                    case UpdateOutcome.RolledBack:
                        notificationEvent = NotificationEvent.RolledBack;
                        break;
                    case UpdateOutcome.Failed:
                        notificationEvent = NotificationEvent.Failed;
                        break;
                    default:
                        continue;
                }

                messages.Add(new NotificationMessage
                {
                    Event = notificationEvent,
                    Image = string.IsNullOrEmpty(server.Image) ? result.Image : server.Image,
                    Server = server.Server,
                    OldDigest = server.OldDigest,
                    NewDigest = server.NewDigest ?? result.Check?.RemoteDigest,
                    Outcome = server.Outcome.ToString(),
                    Error = notificationEvent == NotificationEvent.Updated ? null : (string.IsNullOrWhiteSpace(server.Error) ? null : server.Error),
                    Timestamp = timestamp,
                    Host = host,
                });
            }

            if (messages.Count == 0 && !result.Succeeded)
            {
                messages.Add(new NotificationMessage
                {
                    Event = NotificationEvent.Failed,
                    Image = result.Image,
                    OldDigest = result.Check?.LocalDigest,
                    NewDigest = result.Check?.RemoteDigest,
                    Error = string.IsNullOrWhiteSpace(result.Summary) ? "the update failed" : result.Summary,
                    Timestamp = timestamp,
                    Host = host,
                });
            }
            else if (messages.Count == 0 && result.Pulled)
            {
                messages.Add(new NotificationMessage
                {
                    Event = NotificationEvent.Updated,
                    Image = result.Image,
                    OldDigest = result.Check?.LocalDigest,
                    NewDigest = result.Check?.RemoteDigest,
                    Timestamp = timestamp,
                    Host = host,
                });
            }

            return messages;
        }

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

        private List<WebhookOptions> Receivers(NotificationEvent notificationEvent)
        {
            var receivers = new List<WebhookOptions>();
            foreach (var hook in _hooks)
            {
                if (hook.Accepts(notificationEvent))
                {
                    receivers.Add(hook);
                }
                else
                {
                    NotificationLog.Filtered(_logger, hook.RedactedUrl, WebhookPayload.EventName(notificationEvent));
                }
            }

            return receivers;
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
