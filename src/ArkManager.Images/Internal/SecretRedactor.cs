using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ArkManager.Images.Internal
{
    /// <summary>
    /// Hides the values of environment variables whose names look secret (PASSWORD, PASS, SECRET, TOKEN, KEY) wherever
    /// the library writes a container's environment: snapshots, history, logs.
    /// </summary>
    internal static class SecretRedactor
    {
        public const string Mask = "***";

        private static readonly string[] SecretWords = { "PASSWORD", "PASS", "SECRET", "TOKEN", "KEY" };

        /// <summary>True when a variable's name looks like it holds a secret.</summary>
        public static bool IsSecretName(string name)
        {
            var upper = name.ToUpperInvariant();
            return SecretWords.Any(w => upper.IndexOf(w, StringComparison.Ordinal) >= 0);
        }

        /// <summary><c>NAME=value</c> with the value masked when the name looks secret.</summary>
        public static string RedactEntry(string entry)
        {
            var eq = entry.IndexOf('=');
            return eq > 0 && IsSecretName(entry.Substring(0, eq)) ? entry.Substring(0, eq + 1) + Mask : entry;
        }

        /// <summary>An inspect JSON (container or image) with the secret values of <c>Config.Env</c> masked.</summary>
        public static string RedactInspectJson(string json)
        {
            var root = JsonNode.Parse(json);
            if (root?["Config"]?["Env"] is JsonArray env)
            {
                for (var i = 0; i < env.Count; i++)
                {
                    if (env[i] is JsonValue value && value.TryGetValue<string>(out var entry))
                    {
                        env[i] = RedactEntry(entry);
                    }
                }
            }

            return root?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? json;
        }

        /// <summary>Masks every occurrence of the given secret values in a text (for messages built from remote replies).</summary>
        public static string RedactValues(string text, IEnumerable<string?> secrets)
        {
            foreach (var secret in secrets)
            {
                if (!string.IsNullOrEmpty(secret) && secret!.Length >= 3)
                {
                    text = text.Replace(secret, Mask);
                }
            }

            return text;
        }
    }
}
