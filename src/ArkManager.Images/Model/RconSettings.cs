using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ArkManager.Images
{
    /// <summary>
    /// Where and how to reach a server's RCON (Source RCON protocol). The password can be set but never read from
    /// outside the library: it is not shown by <see cref="ToString"/>, the debugger, PowerShell's format views or JSON
    /// serialization. See <c>RconSettingsResolver</c> for how settings come from a container's labels and environment.
    /// </summary>
    [DebuggerDisplay("{ToString(),nq}")]
    public sealed record RconSettings
    {
        /// <summary>The default RCON host: the server runs on this machine (host network or a port published on loopback).</summary>
        public const string DefaultHost = "127.0.0.1";

        /// <summary>The host name or IP address of the RCON endpoint.</summary>
        public string Host { get; init; } = DefaultHost;

        /// <summary>The RCON TCP port (ARK's RCONPort, 27020 by default in ARK's own configuration).</summary>
        public int Port { get; init; }

        /// <summary>The RCON (server admin) password. Printable ASCII only. Write-only outside the library.</summary>
        public string Password { internal get; init; } = string.Empty;

        /// <summary>True when a password is set.</summary>
        public bool HasPassword => !string.IsNullOrEmpty(Password);

        /// <summary>Host, port and whether a password is set; never the password.</summary>
        public override string ToString() =>
            $"RconSettings {{ Host = {Host}, Port = {Port.ToString(CultureInfo.InvariantCulture)}, Password = {(HasPassword ? "***" : "(none)")} }}";

        private bool PrintMembers(StringBuilder builder)
        {
            builder.Append("Host = ").Append(Host)
                .Append(", Port = ").Append(Port.ToString(CultureInfo.InvariantCulture))
                .Append(", Password = ").Append(HasPassword ? "***" : "(none)");
            return true;
        }
    }
}
