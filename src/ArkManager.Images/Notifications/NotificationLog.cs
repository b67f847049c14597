using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Notifications
{
    /// <summary>
    /// Log messages of the webhook notifier (source-generated, event ids 500–599). A webhook is only ever named by
    /// <see cref="WebhookOptions.RedactedUrl"/>; a problem text is scrubbed of the URL before it is logged.
    /// </summary>
    internal static partial class NotificationLog
    {
        [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Webhook {Webhook} accepted the {Event} notification for {Image} (HTTP {StatusCode}, {ElapsedMs} ms)")]
        public static partial void Sent(ILogger logger, string webhook, string @event, string image, int statusCode, long elapsedMs);

        [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Webhook {Webhook}: the {Event} notification for {Image} failed after {ElapsedMs} ms: {Problem}. The update is not affected")]
        public static partial void SendFailed(ILogger logger, string webhook, string @event, string image, long elapsedMs, string problem);

        [LoggerMessage(EventId = 502, Level = LogLevel.Debug, Message = "Webhook {Webhook}: {Image} {Digest} was announced already; not repeated")]
        public static partial void AlreadyAnnounced(ILogger logger, string webhook, string image, string digest);

        [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "The notification state {File} cannot be read ({Problem}); it is started afresh, so an announcement may repeat")]
        public static partial void StateUnreadable(ILogger logger, string file, string problem);

        [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "The notification state {File} cannot be written ({Problem}); the announcement may repeat on the next check")]
        public static partial void StateUnwritable(ILogger logger, string file, string problem);

        [LoggerMessage(EventId = 505, Level = LogLevel.Warning, Message = "The notification lock {File} was not obtained ({Problem}); the update-available announcement of {Image} is left to the next check")]
        public static partial void LockUnavailable(ILogger logger, string file, string image, string problem);

        [LoggerMessage(EventId = 506, Level = LogLevel.Information, Message = "Webhook {Webhook} is rate limited (HTTP 429); retrying the {Event} notification in {DelayMs} ms")]
        public static partial void RateLimited(ILogger logger, string webhook, string @event, long delayMs);

        [LoggerMessage(EventId = 507, Level = LogLevel.Debug, Message = "Webhook {Webhook} does not receive {Event} notifications; skipped")]
        public static partial void Filtered(ILogger logger, string webhook, string @event);

        [LoggerMessage(EventId = 508, Level = LogLevel.Information, Message = "Webhook {Webhook}: {Problem}; trying again in {DelayMs} ms")]
        public static partial void Retrying(ILogger logger, string webhook, string problem, long delayMs);

        [LoggerMessage(EventId = 509, Level = LogLevel.Information, Message = "Webhook {Webhook}: the {Event} notification for {Image} is kept in the outbox ({Count} waiting); it is sent first by the next run")]
        public static partial void Queued(ILogger logger, string webhook, string @event, string image, int count);

        [LoggerMessage(EventId = 510, Level = LogLevel.Information, Message = "Webhook {Webhook} accepted the kept {Event} notification for {Image} (from {QueuedAt:u})")]
        public static partial void OutboxDelivered(ILogger logger, string webhook, string @event, string image, System.DateTimeOffset queuedAt);

        [LoggerMessage(EventId = 511, Level = LogLevel.Information, Message = "Webhook {Webhook} is down (its outbox could not be sent); the {Event} notification for {Image} is left to the next check")]
        public static partial void NotTriedWhileDown(ILogger logger, string webhook, string @event, string image);
    }
}
