using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
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
    internal sealed partial class WebhookNotifier : IDisposable
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
        /// Reports an update: one event per server that was <see cref="UpdateOutcome.Updated"/>,
        /// <see cref="UpdateOutcome.RolledBack"/>, <see cref="UpdateOutcome.Reverted"/> (a manual rollback: event RolledBack,
        /// Outcome "Reverted") or <see cref="UpdateOutcome.Failed"/> (other outcomes are not reported).
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
    }
}
