using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ArkManager.Images.Docker;

namespace ArkManager.Images.Rcon
{
    /// <summary>
    /// Finds a server's RCON settings from its container and, optionally, from configuration.
    /// <list type="bullet">
    /// <item><description>Label <c>io.arkmanager.rcon.port</c>: the RCON port; it enables RCON (without a port, and without a
    /// "port" override, the server has no RCON and null is returned).</description></item>
    /// <item><description>Label <c>io.arkmanager.rcon.host</c>: the host to connect to. Without it, when the container publishes
    /// the RCON port (<c>&lt;port&gt;/tcp</c>) the published address and host port are used (0.0.0.0 and :: become 127.0.0.1);
    /// otherwise 127.0.0.1 (host network).</description></item>
    /// <item><description>The password is the value of the container's environment variable named by label
    /// <c>io.arkmanager.rcon.password-env</c> (default <c>ARK_RCON_PASSWORD</c>); empty when that variable is not set.</description></item>
    /// </list>
    /// Overrides (from configuration; keys are case-insensitive) win over labels: <c>port</c>, <c>host</c>,
    /// <c>password</c> (the password itself), <c>password-env</c> (the name of the environment variable that holds it) and
    /// <c>enabled</c> (<c>false</c> turns RCON off for the server).
    /// </summary>
    internal static class RconSettingsResolver
    {
        public const string PortLabel = ServerLabels.RconPort;
        public const string HostLabel = ServerLabels.RconHost;
        public const string PasswordEnvLabel = ServerLabels.RconPasswordEnv;
        public const string DefaultPasswordVariable = "ARK_RCON_PASSWORD";

        public const string PortKey = "port";
        public const string HostKey = "host";
        public const string PasswordKey = "password";
        public const string PasswordEnvKey = "password-env";
        public const string EnabledKey = "enabled";

        private static readonly string[] KnownKeys = { PortKey, HostKey, PasswordKey, PasswordEnvKey, EnabledKey };

        /// <summary>The RCON settings of the container, or null when RCON is not configured (or turned off) for it.</summary>
        /// <exception cref="RconException">InvalidSettings: a port that is not a number, or an unknown override key.</exception>
        public static RconSettings? FromContainer(ContainerDetails container, IReadOnlyDictionary<string, string>? overrides = null)
        {
            if (container is null)
            {
                throw new ArgumentNullException(nameof(container));
            }

            var name = container.Name.Length > 0 ? container.Name.TrimStart('/') : container.Id;
            var config = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (overrides != null)
            {
                foreach (var pair in overrides)
                {
                    if (!KnownKeys.Contains(pair.Key, StringComparer.OrdinalIgnoreCase))
                    {
                        throw new RconException(RconErrorKind.InvalidSettings, name,
                            $"Unknown RCON setting '{pair.Key}' for '{name}': use {string.Join(", ", KnownKeys)}.");
                    }

                    config[pair.Key] = pair.Value;
                }
            }

            if (config.TryGetValue(EnabledKey, out var enabled) && !string.IsNullOrWhiteSpace(enabled))
            {
                if (!bool.TryParse(enabled.Trim(), out var on))
                {
                    throw new RconException(RconErrorKind.InvalidSettings, name, $"The RCON setting 'enabled' for '{name}' must be true or false, not '{enabled}'.");
                }

                if (!on)
                {
                    return null;
                }
            }

            var labels = container.Labels;
            string? portText = null;
            var portSource = string.Empty;
            if (config.TryGetValue(PortKey, out var configuredPort) && !string.IsNullOrWhiteSpace(configuredPort))
            {
                portText = configuredPort;
                portSource = "the configured RCON port";
            }
            else if (labels.TryGetValue(PortLabel, out var labelPort) && !string.IsNullOrWhiteSpace(labelPort))
            {
                portText = labelPort;
                portSource = "label " + PortLabel;
            }

            if (portText is null)
            {
                return null;
            }

            if (!int.TryParse(portText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port < 1 || port > 65535)
            {
                throw new RconException(RconErrorKind.InvalidSettings, name, $"The RCON port of '{name}' ({portSource}) must be a number from 1 to 65535, not '{portText}'.");
            }

            string host;
            var connectPort = port;
            if (config.TryGetValue(HostKey, out var configuredHost) && !string.IsNullOrWhiteSpace(configuredHost))
            {
                host = configuredHost.Trim();
            }
            else if (labels.TryGetValue(HostLabel, out var labelHost) && !string.IsNullOrWhiteSpace(labelHost))
            {
                host = labelHost.Trim();
            }
            else if (TryPublished(container, port, out var publishedHost, out var publishedPort))
            {
                host = publishedHost;
                connectPort = publishedPort;
            }
            else
            {
                host = RconSettings.DefaultHost;
            }

            string password;
            if (config.TryGetValue(PasswordKey, out var configuredPassword) && !string.IsNullOrEmpty(configuredPassword))
            {
                password = configuredPassword;
            }
            else
            {
                var variable = config.TryGetValue(PasswordEnvKey, out var configuredVariable) && !string.IsNullOrWhiteSpace(configuredVariable)
                    ? configuredVariable.Trim()
                    : labels.TryGetValue(PasswordEnvLabel, out var labelVariable) && !string.IsNullOrWhiteSpace(labelVariable)
                        ? labelVariable.Trim()
                        : DefaultPasswordVariable;
                password = container.EnvironmentValue(variable) ?? string.Empty;
            }

            return new RconSettings { Host = host, Port = connectPort, Password = password };
        }

        private static bool TryPublished(ContainerDetails container, int port, out string host, out int hostPort)
        {
            host = string.Empty;
            hostPort = 0;
            var key = port.ToString(CultureInfo.InvariantCulture) + "/tcp";
            foreach (var binding in container.PublishedPorts)
            {
                if (binding is null || binding.ContainerPort != key ||
                    !int.TryParse(binding.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var published) || published < 1 || published > 65535)
                {
                    continue;
                }

                var ip = binding.HostIp;
                host = string.IsNullOrEmpty(ip) || ip == "0.0.0.0" || ip == "::" ? RconSettings.DefaultHost : ip;
                hostPort = published;
                return true;
            }

            return false;
        }
    }
}
