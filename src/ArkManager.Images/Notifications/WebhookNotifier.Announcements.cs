using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Internal;

namespace ArkManager.Images.Notifications
{
    // Announcement policy: an available update is announced once per webhook, image and registry digest.
    internal sealed partial class WebhookNotifier
    {
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
                Timestamp = Time.GetUtcNow(),
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

                    var sent = (await Task.WhenAll(pending.Select(p => DeliverAsync(p.Hook, new[] { message }, cancellationToken))).ConfigureAwait(false)).Select(r => r[0]).ToArray();
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
    }
}
