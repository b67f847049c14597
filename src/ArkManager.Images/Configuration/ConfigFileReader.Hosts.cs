using System;
using System.Collections.Generic;
using System.Text.Json;

namespace ArkManager.Images.Configuration
{
    /// <summary>The <c>hosts</c> key: several Docker engines, each <c>{ "name", "dockerHost", "tlsVerify", "certPath" }</c>.</summary>
    internal static partial class ConfigFileReader
    {
        private static IReadOnlyList<DockerHostOptions> ReadHosts(ref Utf8JsonReader reader, string path, byte[] bytes, int offset, string key)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Error(path, bytes, offset, reader.TokenStartIndex, $"'{key}' must be an array of objects such as {{ \"name\": \"eu1\", \"dockerHost\": \"tcp://10.0.0.5:2376\", \"tlsVerify\": true }}.");
            }

            var list = new List<DockerHostOptions>();
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var position = reader.TokenStartIndex;
                var host = ReadHost(ref reader, path, bytes, offset, $"{key}[{list.Count}]");
                if (!names.Add(host.Name))
                {
                    throw Error(path, bytes, offset, position, $"the host name '{host.Name}' appears twice in '{key}'.");
                }

                list.Add(host);
            }

            return list;
        }

        private static DockerHostOptions ReadHost(ref Utf8JsonReader reader, string path, byte[] bytes, int offset, string name)
        {
            var objectPosition = reader.TokenStartIndex;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Error(path, bytes, offset, objectPosition, $"'{name}' must be an object with \"name\" and \"dockerHost\".");
            }

            var host = new DockerHostOptions();
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
                    case "name":
                        var hostName = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        if (!DockerHostOptions.IsValidName(hostName))
                        {
                            throw Error(path, bytes, offset, position, $"'{name}.name' must be a host name of letters, digits, '_', '.' and '-' (at most 63 characters).");
                        }

                        host = host with { Name = hostName! };
                        break;
                    case "dockerHost":
                        var endpoint = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        if (string.IsNullOrWhiteSpace(endpoint))
                        {
                            throw Error(path, bytes, offset, position, $"'{name}.dockerHost' must be an endpoint such as \"tcp://10.0.0.5:2376\".");
                        }

                        host = host with { DockerHost = endpoint!.Trim() };
                        break;
                    case "tlsVerify":
                        if (reader.TokenType != JsonTokenType.True && reader.TokenType != JsonTokenType.False)
                        {
                            throw Error(path, bytes, offset, position, $"'{name}.tlsVerify' must be true or false.");
                        }

                        host = host with { TlsVerify = reader.GetBoolean() };
                        break;
                    case "certPath":
                        host = host with { CertPath = ReadNullableString(ref reader, path, bytes, offset, name + ".certPath") };
                        break;
                    default:
                        throw Error(path, bytes, offset, keyPosition, $"unknown key '{key}' in '{name}'. Known keys: name, dockerHost, tlsVerify, certPath.");
                }
            }

            if (string.IsNullOrEmpty(host.Name) || string.IsNullOrEmpty(host.DockerHost))
            {
                throw Error(path, bytes, offset, objectPosition, $"'{name}' needs both \"name\" and \"dockerHost\".");
            }

            return host;
        }
    }
}
