using System;
using System.Globalization;
using System.IO;
using System.Text.Json;

namespace ArkManager.Images.Notifications
{
    /// <summary>One thing to tell the webhooks about.</summary>
    internal sealed record NotificationMessage
    {
        public NotificationEvent Event { get; init; }

        public string Image { get; init; } = string.Empty;

        /// <summary>The server; null for an image-wide event (update available, a pull without servers, a failure before any server).</summary>
        public string? Server { get; init; }

        public string? OldDigest { get; init; }

        public string? NewDigest { get; init; }

        /// <summary>The <see cref="UpdateOutcome"/> name for server events; null otherwise.</summary>
        public string? Outcome { get; init; }

        public string? Error { get; init; }

        /// <summary>The registry that was asked (update available only).</summary>
        public string? Registry { get; init; }

        public DateTimeOffset Timestamp { get; init; }

        public string Host { get; init; } = string.Empty;
    }

    /// <summary>
    /// Builds the bodies: a generic JSON object, or a Discord message kept within Discord's limits (content 2000,
    /// embed title 256, description 4096, field value 1024, 6000 characters per embed).
    /// </summary>
    internal static class WebhookPayload
    {
        public const string Tool = "ArkManager.Images";
        public const string DiscordUsername = "ArkManager";
        public const int DiscordContentLimit = 2000;
        public const int DiscordTitleLimit = 256;
        public const int DiscordDescriptionLimit = 1024; // Discord allows 4096; kept small so the embed stays far below 6000
        public const int DiscordFieldLimit = 1024;
        public const int DiscordNameFieldLimit = 256;    // server, image, host: short in practice, capped so the embed total stays bounded

        public const int ColorUpdateAvailable = 0x3498DB; // blue
        public const int ColorUpdated = 0x2ECC71;         // green
        public const int ColorRolledBack = 0xE67E22;      // orange
        public const int ColorFailed = 0xE74C3C;          // red

        public static byte[] Build(WebhookFormat format, NotificationMessage message) =>
            format == WebhookFormat.Discord ? BuildDiscord(message) : BuildJson(message);

        /// <summary>The wire name of an event: updateAvailable, updated, rolledBack, failed.</summary>
        public static string EventName(NotificationEvent notificationEvent) => notificationEvent switch
        {
            NotificationEvent.UpdateAvailable => "updateAvailable",
            NotificationEvent.Updated => "updated",
            NotificationEvent.RolledBack => "rolledBack",
            NotificationEvent.Failed => "failed",
            _ => notificationEvent.ToString(),
        };

        public static int ColorOf(NotificationEvent notificationEvent) => notificationEvent switch
        {
            NotificationEvent.UpdateAvailable => ColorUpdateAvailable,
            NotificationEvent.Updated => ColorUpdated,
            NotificationEvent.RolledBack => ColorRolledBack,
            _ => ColorFailed,
        };

        /// <summary>One human line about the event; <paramref name="quote"/> marks names (a code span on Discord).</summary>
        public static string Describe(NotificationMessage m, Func<string, string>? quote = null)
        {
            quote ??= s => s;
            var image = quote(m.Image);
            var digests = $"{ShortDigest(m.OldDigest)} → {ShortDigest(m.NewDigest)}";
            var error = string.IsNullOrWhiteSpace(m.Error) ? "no reason was given" : m.Error!.Trim();
            switch (m.Event)
            {
                case NotificationEvent.UpdateAvailable:
                    return $"Update available for {image} ({digests}) on {m.Host}.";
                case NotificationEvent.Updated:
                    return m.Server is null
                        ? $"Image {image} was updated ({digests}) on {m.Host}."
                        : $"Server {quote(m.Server)} was updated to {image} ({digests}) on {m.Host}.";
                case NotificationEvent.RolledBack:
                    return $"The update of server {quote(m.Server ?? "?")} to {image} was rolled back on {m.Host}: {error}";
                default:
                    return m.Server is null
                        ? $"The update of image {image} failed on {m.Host}: {error}"
                        : $"The update of server {quote(m.Server)} to {image} failed on {m.Host}: {error}";
            }
        }

        /// <summary><c>sha256:</c> and the first 12 hex digits; "unknown" for null.</summary>
        public static string ShortDigest(string? digest)
        {
            if (string.IsNullOrWhiteSpace(digest))
            {
                return "unknown";
            }

            var colon = digest!.IndexOf(':');
            return colon >= 0 && digest.Length > colon + 13 ? digest.Substring(0, colon + 13) : digest;
        }

        /// <summary>Cuts <paramref name="text"/> to at most <paramref name="max"/> characters, ending with "…", never inside a surrogate pair.</summary>
        public static string Truncate(string text, int max)
        {
            if (text.Length <= max)
            {
                return text;
            }

            var cut = max - 1;
            if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
            {
                cut--;
            }

            return text.Substring(0, cut) + "…";
        }

        public static string Timestamp(DateTimeOffset value) =>
            value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        private static byte[] BuildJson(NotificationMessage m)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteString("event", EventName(m.Event));
                writer.WriteString("image", m.Image);
                WriteNullable(writer, "server", m.Server);
                WriteNullable(writer, "oldDigest", m.OldDigest);
                WriteNullable(writer, "newDigest", m.NewDigest);
                WriteNullable(writer, "outcome", m.Outcome);
                WriteNullable(writer, "error", m.Error);
                WriteNullable(writer, "registry", m.Registry);
                writer.WriteString("message", Describe(m));
                writer.WriteString("timestamp", Timestamp(m.Timestamp));
                writer.WriteString("host", m.Host);
                writer.WriteString("tool", Tool);
                writer.WriteEndObject();
            }

            return stream.ToArray();
        }

        private static byte[] BuildDiscord(NotificationMessage m)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteString("username", DiscordUsername);
                writer.WriteString("content", Truncate(Describe(m, Code), DiscordContentLimit));

                // Nothing in a notification may ping anyone (an error text could hold "@everyone").
                writer.WriteStartObject("allowed_mentions");
                writer.WriteStartArray("parse");
                writer.WriteEndArray();
                writer.WriteEndObject();

                writer.WriteStartArray("embeds");
                writer.WriteStartObject();
                writer.WriteString("title", Truncate(Title(m), DiscordTitleLimit));
                writer.WriteString("description", Truncate(Description(m), DiscordDescriptionLimit));
                writer.WriteNumber("color", ColorOf(m.Event));
                writer.WriteStartArray("fields");
                if (m.Server != null)
                {
                    Field(writer, "Server", Code(Truncate(m.Server, DiscordNameFieldLimit - 2)), true);
                }

                Field(writer, "Image", Code(Truncate(m.Image, DiscordNameFieldLimit - 2)), true);
                if (m.Outcome != null)
                {
                    Field(writer, "Outcome", m.Outcome, true);
                }

                Field(writer, m.Event == NotificationEvent.UpdateAvailable ? "Local digest" : "Old digest", DigestField(m.OldDigest), false);
                Field(writer, m.Event == NotificationEvent.UpdateAvailable ? "Registry digest" : "New digest", DigestField(m.NewDigest), false);
                if (!string.IsNullOrWhiteSpace(m.Error))
                {
                    Field(writer, "Error", Truncate(m.Error!.Trim(), DiscordFieldLimit), false);
                }

                Field(writer, "Host", Truncate(m.Host.Length == 0 ? "unknown" : m.Host, DiscordNameFieldLimit), true);
                writer.WriteEndArray();
                writer.WriteStartObject("footer");
                writer.WriteString("text", Tool);
                writer.WriteEndObject();
                writer.WriteString("timestamp", Timestamp(m.Timestamp));
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            return stream.ToArray();
        }

        private static string Title(NotificationMessage m) => m.Event switch
        {
            NotificationEvent.UpdateAvailable => "Update available: " + m.Image,
            NotificationEvent.Updated => "Updated: " + (m.Server ?? m.Image),
            NotificationEvent.RolledBack => "Rolled back: " + (m.Server ?? m.Image),
            _ => "Update failed: " + (m.Server ?? m.Image),
        };

        private static string Description(NotificationMessage m) => m.Event switch
        {
            NotificationEvent.UpdateAvailable => string.IsNullOrEmpty(m.Registry)
                ? "The registry has a newer image than the local one. Nothing has been pulled."
                : $"The registry {m.Registry} has a newer image than the local one. Nothing has been pulled.",
            NotificationEvent.Updated => m.Server is null
                ? "The new image was pulled."
                : "The server runs the new image.",
            NotificationEvent.RolledBack => "The update failed and was undone: the old container runs again.",
            _ => m.Server is null
                ? "The update of the image failed."
                : "The update failed and could not be undone completely; the server needs attention.",
        };

        private static string DigestField(string? digest) => string.IsNullOrWhiteSpace(digest) ? "unknown" : Code(Truncate(digest!, DiscordFieldLimit - 2));

        private static string Code(string text) => "`" + text.Replace('`', '\'') + "`";

        private static void Field(Utf8JsonWriter writer, string name, string value, bool inline)
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteString("value", value);
            writer.WriteBoolean("inline", inline);
            writer.WriteEndObject();
        }

        private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
        {
            if (value is null)
            {
                writer.WriteNull(name);
            }
            else
            {
                writer.WriteString(name, value);
            }
        }
    }
}
