using System;
using System.Collections.Generic;
using System.Linq;
using ArkManager.Images.Internal;

namespace ArkManager.Images.Notifications
{
    // Message building: the notifications that report an update result.
    internal sealed partial class WebhookNotifier
    {
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
                    case UpdateOutcome.Reverted:
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
                    Error = notificationEvent == NotificationEvent.Updated || server.Outcome == UpdateOutcome.Reverted ? null : (string.IsNullOrWhiteSpace(server.Error) ? null : server.Error),
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
    }
}
