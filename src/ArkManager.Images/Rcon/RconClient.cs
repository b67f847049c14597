using System;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArkManager.Images.Rcon
{
    /// <summary>
    /// A Source RCON client with ARK's quirks: one command at a time per connection, multi-packet replies (see
    /// <see cref="RconExchange"/>), a log-in retried with back-off while a server that is still starting refuses or drops
    /// connections (see <see cref="RconConnector"/> and <see cref="RconStartupRetry"/>), and one reconnect and log-in when
    /// the server dropped the session. The password must be printable ASCII; it is kept only as bytes for logging in
    /// again and never logged or shown.
    /// </summary>
    internal sealed class RconClient : IAsyncDisposable, IDisposable
    {
        private readonly ILogger _logger;
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private RconConnector? _connector;
        private RconConnection? _connection;
        private byte[]? _password;
        private int _nextId;
        private bool _disposed;

        /// <summary>Creates a client; nothing is connected until <see cref="ConnectAsync(string, int, string, TimeSpan, RconStartupRetry, CancellationToken)"/>.</summary>
        public RconClient(ILogger? logger = null)
        {
            _logger = logger ?? NullLogger.Instance;
        }

        /// <summary>host:port of the server (empty before the first connect).</summary>
        public string Endpoint => _connector?.Endpoint ?? string.Empty;

        /// <summary>How long a reply may stay silent before it is taken as complete when a server does not mirror the end marker.</summary>
        public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>How many times the client connected and logged in again after the server dropped the session.</summary>
        public int Reconnects { get; private set; }

        /// <summary>How many connection attempts the last connect made.</summary>
        public int ConnectAttempts => _connector?.Attempts ?? 0;

        /// <summary>Connects with the given settings (see <see cref="ConnectAsync(string, int, string, TimeSpan, RconStartupRetry, CancellationToken)"/>).</summary>
        public Task ConnectAsync(RconSettings settings, TimeSpan timeout, RconStartupRetry retry, CancellationToken cancellationToken)
        {
            if (settings is null)
            {
                throw new ArgumentNullException(nameof(settings));
            }

            return ConnectAsync(settings.Host, settings.Port, settings.Password, timeout, retry, cancellationToken);
        }

        /// <summary>Connects to a server known to be starting: failed connections are retried until <paramref name="timeout"/>.</summary>
        public Task ConnectAsync(string host, int port, string password, TimeSpan timeout, CancellationToken cancellationToken) =>
            ConnectAsync(host, port, password, timeout, RconStartupRetry.Always, cancellationToken);

        /// <summary>
        /// Connects and logs in. While the port refuses connections, or accepts and drops them (ARK opens the port before
        /// it is ready), it retries with back-off until <paramref name="timeout"/> has passed, as long as
        /// <paramref name="retry"/> allows (a server past its start-up fails at once). A wrong password fails at once.
        /// </summary>
        /// <exception cref="RconException">InvalidPassword (before any I/O), AuthenticationFailed, Timeout or Unavailable.</exception>
        public async Task ConnectAsync(string host, int port, string password, TimeSpan timeout, RconStartupRetry retry, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(host))
            {
                throw new ArgumentException("An RCON host is required.", nameof(host));
            }

            if (port < 1 || port > 65535)
            {
                throw new ArgumentOutOfRangeException(nameof(port), "The RCON port must be between 1 and 65535.");
            }

            if (timeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(timeout), "The RCON connect timeout must be positive.");
            }

            if (retry is null)
            {
                throw new ArgumentNullException(nameof(retry));
            }

            var passwordBytes = ValidatePassword(password, RconConnector.FormatEndpoint(host, port));
            ThrowIfDisposed();

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                CloseConnection();
                ClearPassword();
                _password = passwordBytes;
                _connector = new RconConnector(host, port, passwordBytes, NextId, _logger);
                _connection = await _connector.ConnectAsync(timeout, retry, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>
        /// Runs one command and returns its whole output (all packets), or an empty string when ARK answers
        /// "Server received, But no response!!". Commands on one client run one at a time. When the server dropped the
        /// session, the client connects and logs in again once and repeats the command (only when nothing of its
        /// answer had arrived). A timeout closes the connection (the next command connects again).
        /// </summary>
        /// <exception cref="RconException">Timeout, Unavailable or AuthenticationFailed (after a reconnect).</exception>
        public async Task<string> ExecuteAsync(string command, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(command))
            {
                throw new ArgumentException("An RCON command is required.", nameof(command));
            }

            if (command.IndexOf('\0') >= 0)
            {
                throw new ArgumentException("An RCON command cannot contain NUL characters.", nameof(command));
            }

            var commandBytes = Encoding.UTF8.GetBytes(command);
            if (commandBytes.Length > RconPacket.MaxBodyLength)
            {
                throw new ArgumentException($"An RCON command cannot be longer than {RconPacket.MaxBodyLength} bytes.", nameof(command));
            }

            if (timeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(timeout), "The RCON command timeout must be positive.");
            }

            ThrowIfDisposed();
            if (_connector is null)
            {
                throw new InvalidOperationException("Call ConnectAsync before ExecuteAsync.");
            }

            var verb = Verb(command);
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var watch = Stopwatch.StartNew();
                var reconnected = false;
                while (true)
                {
                    if (_connection is null || !_connection.IsAlive)
                    {
                        if (_connection != null)
                        {
                            RconLog.SessionDropped(_logger, Endpoint);
                            CloseConnection();
                        }

                        await ReconnectAsync(timeout - watch.Elapsed, verb, cancellationToken).ConfigureAwait(false);
                        reconnected = true;
                    }

                    try
                    {
                        return await RconExchange.RunAsync(_connection!, NextId(), NextId(), commandBytes, verb, Endpoint, timeout, QuietPeriod, watch, _logger, cancellationToken).ConfigureAwait(false);
                    }
                    catch (SessionDroppedException) when (!reconnected)
                    {
                        RconLog.SessionDropped(_logger, Endpoint);
                        CloseConnection();
                    }
                    catch (SessionDroppedException ex)
                    {
                        CloseConnection();
                        throw new RconException(RconErrorKind.Unavailable, Endpoint,
                            $"RCON at {Endpoint}: the server closed the connection before answering '{verb}', even after logging in again.", verb, ex);
                    }
                    finally
                    {
                        if (_connection?.IsDisposed == true)
                        {
                            _connection = null; // closed by the exchange (timeout, cancellation, closed after the reply)
                        }
                    }
                }
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>Refuses a password that cannot be sent (empty, or not printable ASCII) before any I/O; the message never contains it.</summary>
        internal static byte[] ValidatePassword(string? password, string endpoint)
        {
            if (string.IsNullOrEmpty(password))
            {
                throw new RconException(RconErrorKind.InvalidPassword, endpoint,
                    $"No RCON password is set for {endpoint}: set the server's admin password (ServerAdminPassword) in the container's environment or in the configuration.");
            }

            foreach (var c in password!)
            {
                if (c < 0x20 || c > 0x7E)
                {
                    throw new RconException(RconErrorKind.InvalidPassword, endpoint,
                        $"The RCON password for {endpoint} contains a character that is not printable ASCII. ARK compares RCON passwords as ASCII: choose an admin password made of ASCII letters, digits and punctuation only.");
                }
            }

            return Encoding.ASCII.GetBytes(password);
        }

        /// <summary>The first word of a command: what is logged and put in errors (arguments may hold anything).</summary>
        internal static string Verb(string command)
        {
            var trimmed = command.Trim();
            var space = trimmed.IndexOfAny(new[] { ' ', '\t', '\r', '\n' });
            return space < 0 ? trimmed : trimmed.Substring(0, space);
        }

        private async Task ReconnectAsync(TimeSpan remaining, string verb, CancellationToken cancellationToken)
        {
            if (remaining <= TimeSpan.Zero)
            {
                throw new RconException(RconErrorKind.Timeout, Endpoint, $"RCON at {Endpoint}: no time left to log in again for '{verb}'.", verb);
            }

            _connection = await _connector!.ReconnectAsync(remaining, cancellationToken).ConfigureAwait(false);
            Reconnects++;
        }

        private int NextId()
        {
            // Positive ids only: -1 means "refused".
            _nextId = _nextId >= int.MaxValue - 1 ? 1 : _nextId + 1;
            return _nextId;
        }

        private void CloseConnection()
        {
            _connection?.Dispose();
            _connection = null;
        }

        private void ClearPassword()
        {
            if (_password != null)
            {
                Array.Clear(_password, 0, _password.Length);
                _password = null;
            }
        }

        private void ThrowIfDisposed()
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(RconClient));
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            CloseConnection();
            ClearPassword();
        }

        /// <inheritdoc />
        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
