using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace ArkManager.Images.Registry
{
    // Reading config.json: its auths, credHelpers and credsStore entries.
    internal sealed partial class DockerCredentialStore
    {
        private RegistryCredential? FindAuthEntry(ConfigFileContent config, string host, bool hub)
        {
            // Exact key first (as Docker does), then any key whose host part matches.
            var candidates = config.Auths
                .Where(p => KeyMatches(p.Key, host, hub))
                .OrderBy(p => p.Key == (hub ? DockerHubServerAddress : host) ? 0 : 1)
                .ToList();
            foreach (var candidate in candidates)
            {
                var credential = ReadAuthEntry(candidate.Key, candidate.Value);
                if (credential is not null)
                {
                    return credential;
                }
            }

            return null;
        }

        private RegistryCredential? ReadAuthEntry(string key, JsonElement entry)
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                RegistryLog.CredentialEntryUnusable(_logger, key, ConfigFile, "it is not a JSON object");
                return null;
            }

            var source = "auths in " + ConfigFile;
            string? username = null;
            string? password = null;
            var auth = GetString(entry, "auth");
            if (!string.IsNullOrEmpty(auth))
            {
                string decoded;
                try
                {
                    decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth!.Trim()));
                }
                catch (FormatException)
                {
                    RegistryLog.CredentialEntryUnusable(_logger, key, ConfigFile, "the 'auth' value is not base64 of 'user:password'");
                    return null;
                }

                var colon = decoded.IndexOf(':');
                if (colon < 0)
                {
                    RegistryLog.CredentialEntryUnusable(_logger, key, ConfigFile, "the decoded 'auth' value has no ':' between user and password");
                    return null;
                }

                username = decoded.Substring(0, colon);
                password = decoded.Substring(colon + 1);
            }
            else
            {
                username = GetString(entry, "username");
                password = GetString(entry, "password");
            }

            var identityToken = GetString(entry, "identitytoken");
            if (!string.IsNullOrEmpty(identityToken))
            {
                return new RegistryCredential(string.IsNullOrEmpty(username) ? TokenUsername : username!, identityToken!, true) { Source = source };
            }

            if (string.IsNullOrEmpty(username) && string.IsNullOrEmpty(password))
            {
                // An empty entry ({}) is what Docker leaves when a helper holds the secret.
                return null;
            }

            return new RegistryCredential(username ?? string.Empty, password ?? string.Empty, false) { Source = source };
        }

        private static string? GetString(JsonElement element, string name)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
                {
                    return property.Value.GetString();
                }
            }

            return null;
        }

        private ConfigFileContent? ReadConfig()
        {
            string text;
            try
            {
                if (!File.Exists(ConfigFile))
                {
                    return null;
                }

                text = File.ReadAllText(ConfigFile);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                RegistryLog.ConfigUnreadable(_logger, ConfigFile, ex.GetType().Name + ": " + ex.Message);
                return null;
            }

            try
            {
                using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    RegistryLog.ConfigUnreadable(_logger, ConfigFile, "the top level is not a JSON object");
                    return null;
                }

                var content = new ConfigFileContent();
                foreach (var property in root.EnumerateObject())
                {
                    switch (property.Name.ToLowerInvariant())
                    {
                        case "auths" when property.Value.ValueKind == JsonValueKind.Object:
                            foreach (var entry in property.Value.EnumerateObject())
                            {
                                content.Auths[entry.Name] = entry.Value.Clone();
                            }

                            break;
                        case "credhelpers" when property.Value.ValueKind == JsonValueKind.Object:
                            foreach (var entry in property.Value.EnumerateObject())
                            {
                                if (entry.Value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(entry.Value.GetString()))
                                {
                                    content.CredHelpers[entry.Name] = entry.Value.GetString()!;
                                }
                            }

                            break;
                        case "credsstore" when property.Value.ValueKind == JsonValueKind.String:
                            content.CredsStore = property.Value.GetString();
                            break;
                    }
                }

                return content;
            }
            catch (JsonException ex)
            {
                // The parser's own message quotes characters of the file, which may be part of a secret: give the position only.
                var where = ex.LineNumber is long line ? $"invalid JSON at line {line + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}" : "invalid JSON";
                RegistryLog.ConfigUnreadable(_logger, ConfigFile, where);
                return null;
            }
        }

        private sealed class ConfigFileContent
        {
            public Dictionary<string, JsonElement> Auths { get; } = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);

            public Dictionary<string, string> CredHelpers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

            public string? CredsStore { get; set; }
        }
    }
}
