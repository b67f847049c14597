using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

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
        /// <summary>The longest Retry-After that is waited for before a retry; a longer one fails the POST at once (kept in the outbox).</summary>
        internal static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(5);

        private const int MaxErrorBodyBytes = 300;

        private readonly IReadOnlyList<WebhookOptions> _hooks;
        private readonly ILogger _logger;
        private static readonly ResiliencePropertyKey<string> EventKey = new ResiliencePropertyKey<string>("arkmanager.webhook.event");

        private readonly HttpClient _http;
        private readonly Func<HttpClient>? _clientFactory;
        private readonly AnnouncementStore _store;
        private readonly WebhookOutbox _outbox;
        private readonly SemaphoreSlim _announceGate = new SemaphoreSlim(1, 1);
        private readonly ConcurrentDictionary<WebhookOptions, ResiliencePipeline<HttpResponseMessage>> _pipelines =
            new ConcurrentDictionary<WebhookOptions, ResiliencePipeline<HttpResponseMessage>>();

        /// <summary>Creates a notifier.</summary>
        /// <param name="hooks">The webhooks.</param>
        /// <param name="stateDirectory">Where announced.json and the outbox live.</param>
        /// <param name="logger">Where delivery is logged.</param>
        /// <param name="handler">A handler to send through (tests); null: the notifier's own.</param>
        /// <param name="clientFactory">
        /// Gives the HttpClient of each POST (a host's IHttpClientFactory named client, so the host's handlers see it);
        /// null: the notifier's own client over <paramref name="handler"/> or its own handler.
        /// </param>
        public WebhookNotifier(IReadOnlyList<WebhookOptions> hooks, string stateDirectory, ILogger logger, HttpMessageHandler? handler = null, Func<HttpClient>? clientFactory = null)
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
            _outbox = new WebhookOutbox(stateDirectory, _logger);
            var longest = _hooks.Count == 0 ? TimeSpan.FromSeconds(10) : _hooks.Max(h => h.Timeout);
            // Long enough for another process's delivery: every try of a POST, the back-offs between them, and the error body.
            LockTimeout = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, (longest.Ticks * (WebhookRetryPipeline.Tries + 1)) + (MaxRetryAfter.Ticks * (WebhookRetryPipeline.Tries - 1))));
            _clientFactory = clientFactory;
            _http = handler is null ? new HttpClient(CreateHandler(longest), disposeHandler: true) : new HttpClient(handler, disposeHandler: false);
            _http.Timeout = Timeout.InfiniteTimeSpan; // every POST gets its webhook's own timeout
            _http.DefaultRequestHeaders.UserAgent.Add(UserAgent);
        }

        private static readonly ProductInfoHeaderValue UserAgent = new ProductInfoHeaderValue("ArkManager.Images", typeof(WebhookNotifier).Assembly.GetName().Version?.ToString(3) ?? "0");

        /// <summary>The first back-off between tries (then doubled, jittered). Tests shorten it.</summary>
        internal TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>The clock of back-offs, per-try timeouts, Retry-After dates and notification timestamps (tests give a fake one).</summary>
        internal TimeProvider Time { get; set; } = TimeProvider.System;

        /// <summary>The folder of the outbox (notifications kept for a webhook that did not accept them).</summary>
        public string OutboxDirectory => _outbox.Directory;

        /// <summary>The client of one POST: the host's named client when given, else the notifier's own.</summary>
        private HttpClient Http
        {
            get
            {
                if (_clientFactory is null)
                {
                    return _http;
                }

                var client = _clientFactory();
                if (client.DefaultRequestHeaders.UserAgent.Count == 0)
                {
                    client.DefaultRequestHeaders.UserAgent.Add(UserAgent);
                }

                return client;
            }
        }

        private ResiliencePipeline<HttpResponseMessage> PipelineOf(WebhookOptions hook) =>
            _pipelines.GetOrAdd(hook, h => WebhookRetryPipeline.Build(h.Timeout, RetryDelay, Time,
                (status, delay, context) =>
                {
                    if (status == 429)
                    {
                        NotificationLog.RateLimited(_logger, h.RedactedUrl, context.Properties.GetValue(EventKey, "notification"), (long)delay.TotalMilliseconds);
                    }
                    else
                    {
                        NotificationLog.Retrying(_logger, h.RedactedUrl, status is null ? "no answer" : "HTTP " + status, (long)delay.TotalMilliseconds);
                    }
                }));

        /// <summary>The webhooks.</summary>
        public IReadOnlyList<WebhookOptions> Webhooks => _hooks;

        /// <summary>The file that remembers what was announced.</summary>
        public string AnnouncedFile => _store.FilePath;

        /// <summary>How long an announcement waits for another process that is announcing; then it is left to the next check.</summary>
        internal TimeSpan LockTimeout { get; set; }

        /// <summary>The host name put into every notification.</summary>
        internal string HostName { get; set; } = Environment.MachineName;


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

            return SendToAllAsync(MessagesOf(result, Time.GetUtcNow(), HostName), cancellationToken);
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
                Timestamp = Time.GetUtcNow(),
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
