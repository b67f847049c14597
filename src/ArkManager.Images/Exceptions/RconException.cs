using System;

namespace ArkManager.Images
{
    /// <summary>What went wrong with an RCON connection or command.</summary>
    public enum RconErrorKind
    {
        /// <summary>The server refused the RCON password.</summary>
        AuthenticationFailed,

        /// <summary>The server did not answer in time.</summary>
        Timeout,

        /// <summary>The RCON port could not be reached, or the server closed the connection.</summary>
        Unavailable,

        /// <summary>The password cannot be used (empty, or not printable ASCII). Raised before any I/O.</summary>
        InvalidPassword,

        /// <summary>The RCON settings of a server are unusable (for example a port label that is not a number).</summary>
        InvalidSettings,
    }

    /// <summary>
    /// An RCON (Source RCON protocol) connection or command failed. The message names the endpoint and, for commands, only
    /// the command's first word; it never contains the password.
    /// </summary>
    public sealed class RconException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="kind">What went wrong.</param>
        /// <param name="endpoint">The RCON endpoint (host:port) or the server concerned.</param>
        /// <param name="message">The message: it must not contain the password.</param>
        /// <param name="command">The first word of the command that failed, when a command failed.</param>
        /// <param name="innerException">The underlying failure, when there is one.</param>
        public RconException(RconErrorKind kind, string endpoint, string message, string? command = null, Exception? innerException = null)
            : base(message, innerException)
        {
            Kind = kind;
            Endpoint = endpoint;
            Command = command;
        }

        /// <summary>What went wrong.</summary>
        public RconErrorKind Kind { get; }

        /// <summary>The RCON endpoint (host:port) or the server concerned.</summary>
        public string Endpoint { get; }

        /// <summary>The first word of the command that failed (never its arguments), when a command failed.</summary>
        public string? Command { get; }

        /// <inheritdoc />
        public override string ErrorId => Kind switch
        {
            RconErrorKind.AuthenticationFailed => "RconAuthenticationFailed",
            RconErrorKind.Timeout => "RconTimeout",
            RconErrorKind.InvalidPassword => "RconInvalidPassword",
            RconErrorKind.InvalidSettings => "RconInvalidSettings",
            _ => "RconUnavailable",
        };

        /// <inheritdoc />
        public override object? Target => Endpoint;
    }
}
