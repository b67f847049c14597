using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace ArkManager.Images.Configuration
{
    /// <summary>Reads the JSON configuration file strictly, reporting the line of every problem.</summary>
    internal static partial class ConfigFileReader
    {
        public static ArkManagerOptions Read(string path)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (FileNotFoundException ex)
            {
                throw new ArkConfigurationException(path, null, "the file does not exist.", ex);
            }
            catch (DirectoryNotFoundException ex)
            {
                throw new ArkConfigurationException(path, null, "the file does not exist.", ex);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new ArkConfigurationException(path, null, "the file cannot be read: " + ex.Message, ex);
            }

            return Parse(path, bytes);
        }

        public static ArkManagerOptions Parse(string path, byte[] bytes)
        {
            var offset = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
            var span = new ReadOnlySpan<byte>(bytes, offset, bytes.Length - offset);
            var options = new ArkManagerOptions { SourceFile = path };
            var reader = new Utf8JsonReader(span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var seen = new HashSet<string>(StringComparer.Ordinal);
            if (IsBlank(span))
            {
                throw new ArkConfigurationException(path, 1, "the file is empty; it must hold a JSON object such as { \"requiredImages\": [\"tbro98/ase-server:latest\"] }.");
            }

            try
            {
                if (!reader.Read())
                {
                    throw Error(path, bytes, offset, 0, "the file is empty; it must hold a JSON object such as { \"requiredImages\": [\"tbro98/ase-server:latest\"] }.");
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Error(path, bytes, offset, reader.TokenStartIndex, "the file must hold a JSON object.");
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var keyPosition = reader.TokenStartIndex;
                    var key = reader.GetString() ?? string.Empty;
                    if (!seen.Add(key))
                    {
                        throw Error(path, bytes, offset, keyPosition, $"the key '{key}' appears twice.");
                    }

                    reader.Read();
                    switch (key)
                    {
                        case "dockerHost":
                            options = options with { DockerHost = ReadNullableString(ref reader, path, bytes, offset, key) };
                            break;
                        case "stateDirectory":
                            options = options with { StateDirectory = ReadNullableString(ref reader, path, bytes, offset, key) };
                            break;
                        case "dockerConfigDirectory":
                            options = options with { DockerConfigDirectory = ReadNullableString(ref reader, path, bytes, offset, key) };
                            break;
                        case "requiredImages":
                            options = options with { RequiredImages = ReadImageList(ref reader, path, bytes, offset, key) };
                            break;
                        case "insecureRegistries":
                            options = options with { InsecureRegistries = ReadStringList(ref reader, path, bytes, offset, key) };
                            break;
                        case "connectTimeoutSeconds":
                            options = options with { ConnectTimeout = ReadSeconds(ref reader, path, bytes, offset, key) };
                            break;
                        case "dockerRequestTimeoutSeconds":
                            options = options with { DockerRequestTimeout = ReadSeconds(ref reader, path, bytes, offset, key) };
                            break;
                        case "registryTimeoutSeconds":
                            options = options with { RegistryTimeout = ReadSeconds(ref reader, path, bytes, offset, key) };
                            break;
                        case "credentialHelperTimeoutSeconds":
                            options = options with { CredentialHelperTimeout = ReadSeconds(ref reader, path, bytes, offset, key) };
                            break;
                        case "maxConcurrentChecks":
                            var position = reader.TokenStartIndex;
                            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var max) || max < 1 || max > 256)
                            {
                                throw Error(path, bytes, offset, position, "'maxConcurrentChecks' must be a whole number from 1 to 256.");
                            }

                            options = options with { MaxConcurrentChecks = max };
                            break;
                        case "webhooks":
                            options = options with { Webhooks = ReadWebhooks(ref reader, path, bytes, offset, key) };
                            break;
                        case "hosts":
                            options = options with { Hosts = ReadHosts(ref reader, path, bytes, offset, key) };
                            break;
                        default:
                            throw Error(path, bytes, offset, keyPosition,
                                $"unknown key '{key}'. Known keys: dockerHost, requiredImages, insecureRegistries, stateDirectory, dockerConfigDirectory, connectTimeoutSeconds, dockerRequestTimeoutSeconds, registryTimeoutSeconds, credentialHelperTimeoutSeconds, maxConcurrentChecks, webhooks, hosts.");
                    }
                }

                if (reader.Read())
                {
                    throw Error(path, bytes, offset, reader.TokenStartIndex, "unexpected content after the closing brace.");
                }

                if (options.Hosts.Count > 0 && !string.IsNullOrWhiteSpace(options.DockerHost))
                {
                    throw new ArkConfigurationException(path, null, "set either \"dockerHost\" (one engine) or \"hosts\" (several engines), not both.");
                }
            }
            catch (JsonException ex)
            {
                var line = ex.LineNumber is long l ? (int)l + 1 : (int?)null;
                throw new ArkConfigurationException(path, line, "invalid JSON: " + StripJsonLocation(ex.Message), ex);
            }
            catch (InvalidOperationException ex)
            {
                // Utf8JsonReader.GetString: bytes that are not UTF-8, or an escaped lone surrogate (\ud800).
                throw new ArkConfigurationException(path, null, "the file holds text that is not valid UTF-8 (or an escaped lone surrogate such as \\ud800): " + ex.Message + " Save it as UTF-8.", ex);
            }

            return options;
        }

        private static bool IsBlank(ReadOnlySpan<byte> span)
        {
            foreach (var b in span)
            {
                if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r' && b != (byte)'\n')
                {
                    return false;
                }
            }

            return true;
        }

        private static string? ReadNullableString(ref Utf8JsonReader reader, string path, byte[] bytes, int offset, string key)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                throw Error(path, bytes, offset, reader.TokenStartIndex, $"'{key}' must be a string.");
            }

            var value = reader.GetString();
            return string.IsNullOrWhiteSpace(value) ? null : value;
        }

        private static TimeSpan ReadSeconds(ref Utf8JsonReader reader, string path, byte[] bytes, int offset, string key)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var seconds) || seconds <= 0 || seconds > 86400)
            {
                throw Error(path, bytes, offset, reader.TokenStartIndex, $"'{key}' must be a number of seconds greater than 0 and at most 86400.");
            }

            return TimeSpan.FromSeconds(seconds);
        }

        private static IReadOnlyList<string> ReadStringList(ref Utf8JsonReader reader, string path, byte[] bytes, int offset, string key)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Error(path, bytes, offset, reader.TokenStartIndex, $"'{key}' must be an array of strings.");
            }

            var list = new List<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.String || string.IsNullOrWhiteSpace(reader.GetString()))
                {
                    throw Error(path, bytes, offset, reader.TokenStartIndex, $"every entry of '{key}' must be a non-empty string.");
                }

                list.Add(reader.GetString()!.Trim());
            }

            return list;
        }

        private static IReadOnlyList<string> ReadImageList(ref Utf8JsonReader reader, string path, byte[] bytes, int offset, string key)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Error(path, bytes, offset, reader.TokenStartIndex, $"'{key}' must be an array of image references.");
            }

            var list = new List<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var position = reader.TokenStartIndex;
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw Error(path, bytes, offset, position, $"every entry of '{key}' must be a string such as \"tbro98/ase-server:latest\".");
                }

                var text = reader.GetString() ?? string.Empty;
                try
                {
                    list.Add(ImageReference.Parse(text).ToString());
                }
                catch (InvalidImageReferenceException ex)
                {
                    throw Error(path, bytes, offset, position, ex.Message);
                }
            }

            return list;
        }

        private static IReadOnlyList<WebhookOptions> ReadWebhooks(ref Utf8JsonReader reader, string path, byte[] bytes, int offset, string key)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return Array.Empty<WebhookOptions>();
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Error(path, bytes, offset, reader.TokenStartIndex,
                    $"'{key}' must be an array of objects such as {{ \"url\": \"https://example.org/hook\", \"format\": \"json\" }}.");
            }

            var list = new List<WebhookOptions>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                list.Add(ReadWebhook(ref reader, path, bytes, offset, $"{key}[{list.Count}]"));
            }

            return list;
        }

        // The URL may carry a secret (Discord's token): no message below ever quotes it.
        private static WebhookOptions ReadWebhook(ref Utf8JsonReader reader, string path, byte[] bytes, int offset, string name)
        {
            var objectPosition = reader.TokenStartIndex;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Error(path, bytes, offset, objectPosition, $"'{name}' must be an object with at least \"url\".");
            }

            var webhook = new WebhookOptions();
            var hasUrl = false;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var keyPosition = reader.TokenStartIndex;
                var key = reader.GetString() ?? string.Empty;
                if (!seen.Add(key))
                {
                    throw Error(path, bytes, offset, keyPosition, $"the key '{key}' appears twice in '{name}'.");
                }

                reader.Read();
                var position = reader.TokenStartIndex;
                switch (key)
                {
                    case "url":
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            throw Error(path, bytes, offset, position, $"'{name}.url' must be a string.");
                        }

                        var url = (reader.GetString() ?? string.Empty).Trim();
                        if (!WebhookOptions.TryParseUrl(url, out _, out var problem))
                        {
                            throw Error(path, bytes, offset, position, $"'{name}.url' must be an absolute http:// or https:// URL ({problem}).");
                        }

                        webhook = webhook with { Url = url };
                        hasUrl = true;
                        break;
                    case "format":
                        var format = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        if (string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
                        {
                            webhook = webhook with { Format = WebhookFormat.Json };
                        }
                        else if (string.Equals(format, "discord", StringComparison.OrdinalIgnoreCase))
                        {
                            webhook = webhook with { Format = WebhookFormat.Discord };
                        }
                        else
                        {
                            throw Error(path, bytes, offset, position, $"'{name}.format' must be \"json\" or \"discord\".");
                        }

                        break;
                    case "events":
                        webhook = webhook with { Events = ReadEvents(ref reader, path, bytes, offset, name + ".events") };
                        break;
                    case "timeoutSeconds":
                        webhook = webhook with { Timeout = ReadSeconds(ref reader, path, bytes, offset, name + ".timeoutSeconds") };
                        break;
                    default:
                        throw Error(path, bytes, offset, keyPosition, $"unknown key '{key}' in '{name}'. Known keys: url, format, events, timeoutSeconds.");
                }
            }

            if (!hasUrl)
            {
                throw Error(path, bytes, offset, objectPosition, $"'{name}' has no \"url\".");
            }

            return webhook;
        }

        private static IReadOnlyList<NotificationEvent>? ReadEvents(ref Utf8JsonReader reader, string path, byte[] bytes, int offset, string name)
        {
            const string Known = "updateAvailable, updated, rolledBack, failed";
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            var arrayPosition = reader.TokenStartIndex;
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Error(path, bytes, offset, arrayPosition, $"'{name}' must be an array of event names ({Known}).");
            }

            var list = new List<NotificationEvent>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var position = reader.TokenStartIndex;
                var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                NotificationEvent value;
                switch (text?.ToUpperInvariant())
                {
                    case "UPDATEAVAILABLE":
                        value = NotificationEvent.UpdateAvailable;
                        break;
                    case "UPDATED":
                        value = NotificationEvent.Updated;
                        break;
                    case "ROLLEDBACK":
                        value = NotificationEvent.RolledBack;
                        break;
                    case "FAILED":
                        value = NotificationEvent.Failed;
                        break;
                    default:
                        throw Error(path, bytes, offset, position,
                            text is null ? $"every entry of '{name}' must be a string, one of {Known}." : $"unknown event '{text}' in '{name}'. Known events: {Known}.");
                }

                if (!list.Contains(value))
                {
                    list.Add(value);
                }
            }

            if (list.Count == 0)
            {
                throw Error(path, bytes, offset, arrayPosition, $"'{name}' lists no event; leave it out to receive all of them.");
            }

            return list;
        }

        private static ArkConfigurationException Error(string path, byte[] bytes, int offset, long tokenIndex, string problem) =>
            new ArkConfigurationException(path, LineOf(bytes, offset + (int)tokenIndex), problem);

        private static int LineOf(byte[] bytes, int index)
        {
            var line = 1;
            for (var i = 0; i < index && i < bytes.Length; i++)
            {
                if (bytes[i] == (byte)'\n')
                {
                    line++;
                }
            }

            return line;
        }

        private static string StripJsonLocation(string message)
        {
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            var sb = new StringBuilder(cut >= 0 ? message.Substring(0, cut) : message);
            return sb.ToString().Trim().TrimEnd('.') + ".";
        }
    }
}
