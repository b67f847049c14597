using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArkManager.Images.Rcon
{
    /// <summary>
    /// A Source RCON client with ARK's quirks: one command at a time per connection, multi-packet replies (assembled by
    /// sending an empty RESPONSE_VALUE marker after each command and reading until the server mirrors it), ARK's
    /// "Server received, But no response!!" taken as success with no output, a log-in retried with back-off while the
    /// port refuses or drops connections during start-up, and one reconnect and log-in when the server dropped the session.
    /// The password must be printable ASCII; it is kept only as bytes for logging in again and never logged or shown.
    /// </summary>
    internal sealed class RconClient : IAsyncDisposable, IDisposable
    {
        /// <summary>ARK's answer to a command that has no output.</summary>
        public const string NoResponseText = "Server received, But no response!!";

        private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);
        private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

        private readonly ILogger _logger;
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private Connection? _connection;
        private string _host = string.Empty;
        private int _port;
        private byte[]? _password;
        private int _nextId;
        private bool _disposed;

        /// <summary>Creates a client; nothing is connected until <see cref="ConnectAsync(string, int, string, TimeSpan, CancellationToken)"/>.</summary>
        public RconClient(ILogger? logger = null)
        {
            _logger = logger ?? NullLogger.Instance;
        }

        /// <summary>host:port of the server (empty before the first connect).</summary>
        public string Endpoint => _host.Length == 0 ? string.Empty : FormatEndpoint(_host, _port);

        /// <summary>How long a reply may stay silent before it is taken as complete when a server does not mirror the end marker.</summary>
        public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>How many times the client connected and logged in again after the server dropped the session.</summary>
        public int Reconnects { get; private set; }

        /// <summary>How many connection attempts the last <see cref="ConnectAsync(string, int, string, TimeSpan, CancellationToken)"/> made.</summary>
        public int ConnectAttempts { get; private set; }

        /// <summary>Connects with the given settings (see <see cref="ConnectAsync(string, int, string, TimeSpan, CancellationToken)"/>).</summary>
        public Task ConnectAsync(RconSettings settings, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (settings is null)
            {
                throw new ArgumentNullException(nameof(settings));
            }

            return ConnectAsync(settings.Host, settings.Port, settings.Password, timeout, cancellationToken);
        }

        /// <summary>
        /// Connects and logs in. While the port refuses connections, or accepts and drops them (ARK opens the port before
        /// it is ready), it retries with back-off until <paramref name="timeout"/> has passed. A wrong password fails at once.
        /// </summary>
        /// <exception cref="RconException">InvalidPassword (before any I/O), AuthenticationFailed, Timeout or Unavailable.</exception>
        public async Task ConnectAsync(string host, int port, string password, TimeSpan timeout, CancellationToken cancellationToken)
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

            var endpoint = FormatEndpoint(host, port);
            var passwordBytes = ValidatePassword(password, endpoint);
            ThrowIfDisposed();

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                CloseConnection();
                _host = host;
                _port = port;
                _password = passwordBytes;
                ConnectAttempts = 0;
                var watch = Stopwatch.StartNew();
                var delay = FirstRetryDelay;
                RconException? previous = null;
                while (true)
                {
                    ConnectAttempts++;
                    RconLog.Connecting(_logger, endpoint, ConnectAttempts);
                    var remaining = timeout - watch.Elapsed;
                    var attempt = await TryOpenAsync(remaining, cancellationToken).ConfigureAwait(false);
                    if (attempt.Connection != null)
                    {
                        _connection = attempt.Connection;
                        RconLog.LoggedIn(_logger, endpoint, ConnectAttempts);
                        return;
                    }

                    var failure = attempt.Failure!;
                    remaining = timeout - watch.Elapsed;
                    if (attempt.Fatal)
                    {
                        // Running out of time on a retry says nothing new: report why the earlier attempts failed.
                        throw failure.Kind == RconErrorKind.Timeout && previous != null && previous.Kind != RconErrorKind.Timeout
                            ? GaveUp(previous, ConnectAttempts, watch.Elapsed)
                            : failure;
                    }

                    previous = failure;

                    if (remaining <= TimeSpan.Zero)
                    {
                        throw GaveUp(failure, ConnectAttempts, watch.Elapsed);
                    }

                    var wait = delay < remaining ? delay : remaining;
                    RconLog.NotReady(_logger, endpoint, failure.Message, (int)wait.TotalMilliseconds);
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                    if (timeout - watch.Elapsed <= TimeSpan.Zero)
                    {
                        throw GaveUp(failure, ConnectAttempts, watch.Elapsed);
                    }
                }
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
            if (_password is null)
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
                        return await RunAsync(_connection!, commandBytes, verb, timeout, watch, cancellationToken).ConfigureAwait(false);
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

        /// <summary>True when the text is ARK's "no output" answer (any case, surrounding white space ignored).</summary>
        internal static bool IsNoResponse(string text) => string.Equals(text.Trim(), NoResponseText, StringComparison.OrdinalIgnoreCase);

        private static RconException GaveUp(RconException last, int attempts, TimeSpan elapsed) =>
            new RconException(last.Kind, last.Endpoint,
                last.Message + $" (gave up after {attempts.ToString(CultureInfo.InvariantCulture)} attempts in {elapsed.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s)",
                last.Command, last.InnerException);

        private static string FormatEndpoint(string host, int port) =>
            (host.IndexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);

        private async Task ReconnectAsync(TimeSpan remaining, string verb, CancellationToken cancellationToken)
        {
            if (remaining <= TimeSpan.Zero)
            {
                throw new RconException(RconErrorKind.Timeout, Endpoint, $"RCON at {Endpoint}: no time left to log in again for '{verb}'.", verb);
            }

            var attempt = await TryOpenAsync(remaining, cancellationToken).ConfigureAwait(false);
            if (attempt.Connection is null)
            {
                throw attempt.Failure!;
            }

            _connection = attempt.Connection;
            Reconnects++;
            RconLog.LoggedIn(_logger, Endpoint, 1);
        }

        /// <summary>One connection and log-in attempt: a connection, or a failure that says whether a retry can help.</summary>
        private async Task<OpenAttempt> TryOpenAsync(TimeSpan remaining, CancellationToken cancellationToken)
        {
            var endpoint = Endpoint;
            if (remaining <= TimeSpan.Zero)
            {
                return OpenAttempt.Failed(new RconException(RconErrorKind.Timeout, endpoint, $"RCON at {endpoint}: no login within the timeout."), fatal: true);
            }

            var tcp = new TcpClient { NoDelay = true };
            Connection? connection = null;
            var answered = false;
            try
            {
                var connect = tcp.ConnectAsync(_host, _port);
                if (!await Connection.WaitAsync(connect, remaining, cancellationToken).ConfigureAwait(false))
                {
                    ObserveAndDispose(connect, tcp);
                    return OpenAttempt.Failed(new RconException(RconErrorKind.Timeout, endpoint,
                        $"RCON at {endpoint} did not accept a connection within {remaining.TotalSeconds:0.#} s."), fatal: true);
                }

                await connect.ConfigureAwait(false);
                connection = new Connection(tcp);
                var authId = NextId();
                await connection.SendAsync(RconPacket.Encode(authId, RconPacket.ServerDataAuth, _password!), cancellationToken).ConfigureAwait(false);
                var watch = Stopwatch.StartNew();
                while (true)
                {
                    var packet = await connection.ReadAsync(remaining - watch.Elapsed, cancellationToken).ConfigureAwait(false);
                    if (packet is null)
                    {
                        connection.Dispose();
                        return OpenAttempt.Failed(new RconException(RconErrorKind.Timeout, endpoint,
                            $"RCON at {endpoint} accepted the connection but did not answer the login within {remaining.TotalSeconds:0.#} s."), fatal: true);
                    }

                    var p = packet.Value;
                    if (p.Type != RconPacket.ServerDataAuthResponse)
                    {
                        continue; // Source servers send an empty RESPONSE_VALUE before the login result
                    }

                    answered = true;
                    if (p.Id == -1)
                    {
                        connection.Dispose();
                        RconLog.LoginRefused(_logger, endpoint);
                        return OpenAttempt.Failed(new RconException(RconErrorKind.AuthenticationFailed, endpoint,
                            $"RCON at {endpoint} refused the password. Check the server's admin password (ServerAdminPassword) and the RCON settings."), fatal: true);
                    }

                    if (p.Id == authId)
                    {
                        return OpenAttempt.Succeeded(connection);
                    }

                    RconLog.IgnoredPacket(_logger, endpoint, p.Id, p.Type);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                connection?.Dispose();
                tcp.Dispose();
                throw;
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                connection?.Dispose();
                tcp.Dispose();
                var problem = ex is SocketException se && se.SocketErrorCode == SocketError.ConnectionRefused
                    ? "connection refused"
                    : answered ? "the connection failed" : "the server closed the connection before answering the login";
                return OpenAttempt.Failed(new RconException(RconErrorKind.Unavailable, endpoint,
                    $"RCON at {endpoint} is not available: {problem}. Check that the server is running, that RCON is enabled (RCONEnabled=True, RCONPort) and the RCON host and port.", null, ex), fatal: false);
            }
            catch (Exception ex) when (ex is SocketException || ex is FormatException || ex is ObjectDisposedException)
            {
                connection?.Dispose();
                tcp.Dispose();
                var problem = ex is FormatException ? "the server sent an invalid RCON packet" : ex.Message;
                return OpenAttempt.Failed(new RconException(RconErrorKind.Unavailable, endpoint, $"RCON at {endpoint} is not available: {problem}.", null, ex), fatal: true);
            }
        }

        private static bool IsTransient(Exception ex)
        {
            if (ex is EndOfStreamException || ex is IOException)
            {
                return true;
            }

            if (ex is SocketException se)
            {
                switch (se.SocketErrorCode)
                {
                    case SocketError.ConnectionRefused:
                    case SocketError.ConnectionReset:
                    case SocketError.ConnectionAborted:
                    case SocketError.Shutdown:
                    case SocketError.NetworkUnreachable:
                    case SocketError.HostUnreachable:
                    case SocketError.NetworkDown:
                    case SocketError.TryAgain:
                        return true;
                }
            }

            return false;
        }

        private static void ObserveAndDispose(Task task, IDisposable owner)
        {
            owner.Dispose();
            task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private async Task<string> RunAsync(Connection connection, byte[] commandBytes, string verb, TimeSpan timeout, Stopwatch watch, CancellationToken cancellationToken)
        {
            var endpoint = Endpoint;
            var id = NextId();
            var marker = NextId();
            var exec = RconPacket.Encode(id, RconPacket.ServerDataExecCommand, commandBytes);
            var end = RconPacket.Encode(marker, RconPacket.ServerDataResponseValue, Array.Empty<byte>());
            var both = new byte[exec.Length + end.Length];
            Buffer.BlockCopy(exec, 0, both, 0, exec.Length);
            Buffer.BlockCopy(end, 0, both, exec.Length, end.Length);

            RconLog.Sending(_logger, endpoint, verb);
            var output = new MemoryStream();
            var packets = 0;
            var lastPacketAt = TimeSpan.Zero;
            try
            {
                await connection.SendAsync(both, cancellationToken).ConfigureAwait(false);
                while (true)
                {
                    var remaining = timeout - watch.Elapsed;
                    var quiet = packets > 0 ? QuietPeriod - (watch.Elapsed - lastPacketAt) : TimeSpan.MaxValue;
                    var wait = quiet < remaining ? quiet : remaining;
                    var packet = await connection.ReadAsync(wait, cancellationToken).ConfigureAwait(false);
                    if (packet is null)
                    {
                        if (packets > 0 && watch.Elapsed < timeout)
                        {
                            // A server that does not mirror the marker: the reply ended when it fell silent. The pending
                            // read stays with the connection, so a late marker is skipped by its id.
                            RconLog.QuietEnd(_logger, endpoint, verb, (int)QuietPeriod.TotalMilliseconds);
                            break;
                        }

                        RconLog.CommandTimedOut(_logger, endpoint, verb, timeout.TotalSeconds);
                        CloseConnection();
                        throw new RconException(RconErrorKind.Timeout, endpoint,
                            $"RCON at {endpoint}: '{verb}' got no answer within {timeout.TotalSeconds:0.#} s.", verb);
                    }

                    var p = packet.Value;
                    if (p.Id == marker)
                    {
                        break;
                    }

                    if (p.Id == id && p.Type == RconPacket.ServerDataResponseValue)
                    {
                        output.Write(p.Body, 0, p.Body.Length);
                        packets++;
                        lastPacketAt = watch.Elapsed;
                        continue;
                    }

                    if (p.Id == -1 && packets == 0)
                    {
                        // The server no longer knows this session (it answers like a refused login).
                        throw new SessionDroppedException();
                    }

                    RconLog.IgnoredPacket(_logger, endpoint, p.Id, p.Type);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                CloseConnection();
                throw;
            }
            catch (Exception ex) when (IsTransient(ex) || ex is ObjectDisposedException)
            {
                if (packets == 0)
                {
                    throw new SessionDroppedException(ex);
                }

                // The server answered and then closed the connection (ARK does so after DoExit): the reply is complete.
                RconLog.ClosedAfterReply(_logger, endpoint, verb);
                CloseConnection();
            }
            catch (FormatException ex)
            {
                CloseConnection();
                throw new RconException(RconErrorKind.Unavailable, endpoint, $"RCON at {endpoint} sent an invalid packet in answer to '{verb}'.", verb, ex);
            }

            var bytes = output.ToArray();
            RconLog.Answered(_logger, endpoint, verb, bytes.Length, packets);
            var text = Encoding.UTF8.GetString(bytes);
            return IsNoResponse(text) ? string.Empty : text;
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
            if (_password != null)
            {
                Array.Clear(_password, 0, _password.Length);
            }
        }

        /// <inheritdoc />
        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }

        private readonly struct OpenAttempt
        {
            private OpenAttempt(Connection? connection, RconException? failure, bool fatal)
            {
                Connection = connection;
                Failure = failure;
                Fatal = fatal;
            }

            public Connection? Connection { get; }

            public RconException? Failure { get; }

            public bool Fatal { get; }

            public static OpenAttempt Succeeded(Connection connection) => new OpenAttempt(connection, null, false);

            public static OpenAttempt Failed(RconException failure, bool fatal) => new OpenAttempt(null, failure, fatal);
        }

        private sealed class SessionDroppedException : Exception
        {
            public SessionDroppedException(Exception? inner = null)
                : base("The RCON session was dropped by the server.", inner)
            {
            }
        }

        /// <summary>
        /// One TCP connection and its read buffer. A read that outlives its wait stays pending and is picked up by the
        /// next read, so timeouts work alike on .NET Framework and .NET; disposing aborts it.
        /// </summary>
        private sealed class Connection : IDisposable
        {
            private readonly TcpClient _tcp;
            private readonly NetworkStream _stream;
            private readonly byte[] _buffer = new byte[4 + RconPacket.MaxSize + 4096];
            private int _start;
            private int _count;
            private Task<RconPacket>? _pending;
            private bool _disposed;

            public Connection(TcpClient tcp)
            {
                _tcp = tcp;
                _stream = tcp.GetStream();
            }

            /// <summary>False when the server closed the connection while it was idle.</summary>
            public bool IsAlive
            {
                get
                {
                    if (_disposed)
                    {
                        return false;
                    }

                    if (_pending != null)
                    {
                        return !_pending.IsCompleted || _pending.Status == TaskStatus.RanToCompletion;
                    }

                    if (_count > 0)
                    {
                        return true;
                    }

                    try
                    {
                        var socket = _tcp.Client;
                        return !(socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0);
                    }
                    catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
                    {
                        return false;
                    }
                }
            }

            /// <summary>Waits for a task up to <paramref name="wait"/>; false when the time ran out first.</summary>
            public static async Task<bool> WaitAsync(Task task, TimeSpan wait, CancellationToken cancellationToken)
            {
                if (task.IsCompleted)
                {
                    return true;
                }

                if (wait <= TimeSpan.Zero)
                {
                    return false;
                }

                using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(wait > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : wait, cts.Token);
                var winner = await Task.WhenAny(task, delay).ConfigureAwait(false);
                cts.Cancel();
                if (winner == task)
                {
                    return true;
                }

                cancellationToken.ThrowIfCancellationRequested();
                return false;
            }

            public async Task SendAsync(byte[] data, CancellationToken cancellationToken)
            {
                await _stream.WriteAsync(data, 0, data.Length, cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            /// <summary>The next packet, or null when none arrived within <paramref name="wait"/> (the read stays pending).</summary>
            public async Task<RconPacket?> ReadAsync(TimeSpan wait, CancellationToken cancellationToken)
            {
                _pending ??= ReadCoreAsync();
                if (!await WaitAsync(_pending, wait, cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                var task = _pending;
                _pending = null;
                return await task.ConfigureAwait(false);
            }

            private async Task<RconPacket> ReadCoreAsync()
            {
                while (true)
                {
                    if (RconPacket.TryDecode(_buffer, _start, _count, out var packet, out var consumed))
                    {
                        _start += consumed;
                        _count -= consumed;
                        if (_count == 0)
                        {
                            _start = 0;
                        }

                        return packet;
                    }

                    if (_start > 0)
                    {
                        Buffer.BlockCopy(_buffer, _start, _buffer, 0, _count);
                        _start = 0;
                    }

                    var read = await _stream.ReadAsync(_buffer, _count, _buffer.Length - _count).ConfigureAwait(false);
                    if (read <= 0)
                    {
                        throw new EndOfStreamException("The server closed the RCON connection.");
                    }

                    _count += read;
                }
            }

            public void Dispose()
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                var pending = _pending;
                _pending = null;
                try
                {
                    _stream.Dispose();
                }
                finally
                {
                    _tcp.Dispose();
                }

                pending?.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }
}
