using System;
using System.Collections.Generic;
using System.Linq;

namespace ArkManager.Images
{
    /// <summary>The body format of a webhook.</summary>
    public enum WebhookFormat
    {
        /// <summary>A generic JSON object (<c>event</c>, <c>image</c>, <c>server</c>, <c>oldDigest</c>, <c>newDigest</c>, …).</summary>
        Json,

        /// <summary>A Discord webhook message (<c>content</c> and one embed).</summary>
        Discord,
    }

    /// <summary>What a webhook is told about.</summary>
    public enum NotificationEvent
    {
        /// <summary>The registry has a newer image than the local one (announced once per new digest).</summary>
        UpdateAvailable,

        /// <summary>A server (or, without servers, the image) was updated.</summary>
        Updated,

        /// <summary>The update of a server failed and the old container runs again (Outcome RolledBack), or a manual rollback returned a server to its previous image (Outcome Reverted).</summary>
        RolledBack,

        /// <summary>The update failed and could not be rolled back completely, or failed before any server was touched.</summary>
        Failed,
    }

    /// <summary>
    /// One webhook that is told about updates. The <see cref="Url"/> may hold a secret (a Discord webhook URL carries its
    /// token in the path): it is never logged, never put into an exception message and never shown by <see cref="ToString"/>;
    /// only <see cref="RedactedUrl"/> (<c>scheme://host[:port]/…</c>) is.
    /// </summary>
    public sealed record WebhookOptions
    {
        /// <summary>The absolute http:// or https:// URL the notifications are POSTed to.</summary>
        public string Url { get; init; } = string.Empty;

        /// <summary>The body format.</summary>
        public WebhookFormat Format { get; init; } = WebhookFormat.Json;

        /// <summary>The events this webhook receives; null: all of them.</summary>
        public IReadOnlyList<NotificationEvent>? Events { get; init; }

        /// <summary>How long one POST may take, connection included.</summary>
        public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

        /// <summary>The URL without user info, path and query: <c>scheme://host[:port]/…</c>, safe to log.</summary>
        public string RedactedUrl => Redact(Url);

        /// <summary>True when this webhook receives <paramref name="notificationEvent"/>.</summary>
        public bool Accepts(NotificationEvent notificationEvent) => Events is null || Events.Contains(notificationEvent);

        /// <summary>Checks the values; throws <see cref="ArgumentException"/> (whose message never holds the full URL).</summary>
        public void Validate()
        {
            if (!TryParseUrl(Url, out _, out var problem))
            {
                throw new ArgumentException($"The webhook URL {RedactedUrl} is not valid: {problem}.");
            }

            if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromDays(1))
            {
                throw new ArgumentException($"The timeout of webhook {RedactedUrl} must be positive and at most one day.");
            }

            if (!Enum.IsDefined(typeof(WebhookFormat), Format))
            {
                throw new ArgumentException($"The format of webhook {RedactedUrl} is not Json or Discord.");
            }

            if (Events != null)
            {
                if (Events.Count == 0)
                {
                    throw new ArgumentException($"Webhook {RedactedUrl} lists no event; leave Events null to receive all of them.");
                }

                foreach (var notificationEvent in Events)
                {
                    if (!Enum.IsDefined(typeof(NotificationEvent), notificationEvent))
                    {
                        throw new ArgumentException($"Webhook {RedactedUrl} lists the unknown event {(int)notificationEvent}.");
                    }
                }
            }
        }

        /// <summary>Describes the webhook without its secret parts.</summary>
        public override string ToString()
        {
            var events = Events is null ? "all events" : string.Join(", ", Events);
            return $"{Format} webhook {RedactedUrl} ({events}; timeout {Timeout.TotalSeconds:0.###} s)";
        }

        /// <summary>Redacts any URL to <c>scheme://host[:port]/…</c>; text that is no absolute URL becomes <c>(invalid URL)</c>.</summary>
        internal static string Redact(string? url)
        {
            if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url!.Trim(), UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                return "(invalid URL)";
            }

            return uri.Scheme + "://" + uri.Authority + "/…";
        }

        /// <summary>Parses an absolute http(s) URL with a host; the problem never quotes the URL.</summary>
        internal static bool TryParseUrl(string? url, out Uri? uri, out string problem)
        {
            uri = null;
            if (string.IsNullOrWhiteSpace(url))
            {
                problem = "it is empty";
                return false;
            }

            if (!Uri.TryCreate(url!.Trim(), UriKind.Absolute, out var parsed) || string.IsNullOrEmpty(parsed.Host))
            {
                problem = "it is not an absolute URL";
                return false;
            }

            if (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps)
            {
                problem = $"the scheme '{parsed.Scheme}' is not http or https";
                return false;
            }

            uri = parsed;
            problem = string.Empty;
            return true;
        }
    }
}
