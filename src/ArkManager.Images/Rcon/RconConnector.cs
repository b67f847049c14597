using System;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Rcon
{
    /// <summary>
    /// Opens logged-in RCON connections to one endpoint: a TCP connect and the log-in, retried with back-off while the
    /// port refuses or drops connections and <see cref="RconStartupRetry"/> says the server may still be starting. A
    /// wrong password and a silent port fail at once.
    /// </summary>
    internal sealed class RconConnector
    {
        private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);
        private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

        private readonly string _host;
        private readonly int _port;
        private readonly byte[] _password;
        private readonly Func<int> _nextId;
        private readonly ILogger _logger;

        /// <param name="host">The RCON host.</param>
        /// <param name="port">The RCON port.</param>
        /// <param name="password">The password as ASCII bytes (see <see cref="RconClient.ValidatePassword"/>); never logged.</param>
        /// <param name="nextId">Gives the packet id of each log-in.</param>
        /// <param name="logger">Where the attempts are logged.</param>
        public RconConnector(string host, int port, byte[] password, Func<int> nextId, ILogger logger)
        {
            _host = host;
            _port = port;
            _password = password;
            _nextId = nextId;
            _logger = logger;
            Endpoint = FormatEndpoint(host, port);
        }

        /// <summary>host:port ([host]:port for IPv6).</summary>
        public string Endpoint { get; }

        /// <summary>How many connection attempts the last <see cref="ConnectAsync"/> made.</summary>
        public int Attempts { get; private set; }

        public static string FormatEndpoint(string host, int port) =>
            (host.IndexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// Connects and logs in. A refused or dropped connection is retried with back-off until <paramref name="timeout"/>
        /// has passed, as long as <paramref name="retry"/> allows; when it does not, the first failure is final.
        /// </summary>
        /// <exception cref="RconException">AuthenticationFailed, Timeout or Unavailable.</exception>
        public async Task<RconConnection> ConnectAsync(TimeSpan timeout, RconStartupRetry retry, CancellationToken cancellationToken)
        {
            Attempts = 0;
            var watch = Stopwatch.StartNew();
            var delay = FirstRetryDelay;
            RconException? previous = null;
            while (true)
            {
                Attempts++;
                RconLog.Connecting(_logger, Endpoint, Attempts);
                var attempt = await TryOpenAsync(timeout - watch.Elapsed, cancellationToken).ConfigureAwait(false);
                if (attempt.Connection != null)
                {
                    RconLog.LoggedIn(_logger, Endpoint, Attempts);
                    return attempt.Connection;
                }

                var failure = attempt.Failure!;
                if (attempt.Fatal)
                {
                    // Running out of time on a retry says nothing new: report why the earlier attempts failed.
                    throw failure.Kind == RconErrorKind.Timeout && previous != null && previous.Kind != RconErrorKind.Timeout
                        ? GaveUp(previous, Attempts, watch.Elapsed)
                        : failure;
                }

                if (!retry.MayRetry())
                {
                    if (previous is null && attempt.Refused)
                    {
                        RconLog.RefusedNoRetry(_logger, Endpoint);
                        throw new RconException(RconErrorKind.Unavailable, Endpoint,
                            $"RCON at {Endpoint} refused the connection: {retry.WhyNoRetry()}. Check that RCON is enabled (RCONEnabled=True, RCONPort) and the RCON host and port.",
                            null, failure.InnerException);
                    }

                    throw previous is null ? failure : GaveUp(failure, Attempts, watch.Elapsed);
                }

                previous = failure;
                var remaining = timeout - watch.Elapsed;
                if (remaining <= TimeSpan.Zero)
                {
                    throw GaveUp(failure, Attempts, watch.Elapsed);
                }

                var wait = delay < remaining ? delay : remaining;
                RconLog.NotReady(_logger, Endpoint, failure.Message, (int)wait.TotalMilliseconds);
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                if (timeout - watch.Elapsed <= TimeSpan.Zero)
                {
                    throw GaveUp(failure, Attempts, watch.Elapsed);
                }
            }
        }

        /// <summary>One connection and log-in attempt, no retry (logging in again after the server dropped a session).</summary>
        /// <exception cref="RconException">Why it failed.</exception>
        public async Task<RconConnection> ReconnectAsync(TimeSpan remaining, CancellationToken cancellationToken)
        {
            var attempt = await TryOpenAsync(remaining, cancellationToken).ConfigureAwait(false);
            if (attempt.Connection is null)
            {
                throw attempt.Failure!;
            }

            RconLog.LoggedIn(_logger, Endpoint, 1);
            return attempt.Connection;
        }

        private static RconException GaveUp(RconException last, int attempts, TimeSpan elapsed) =>
            new RconException(last.Kind, last.Endpoint,
                last.Message + $" (gave up after {attempts.ToString(CultureInfo.InvariantCulture)} attempts in {elapsed.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s)",
                last.Command, last.InnerException);

        private static void ObserveAndDispose(Task task, IDisposable owner)
        {
            owner.Dispose();
            task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
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
            RconConnection? connection = null;
            var answered = false;
            try
            {
                var connect = tcp.ConnectAsync(_host, _port);
                if (!await RconConnection.WaitAsync(connect, remaining, cancellationToken).ConfigureAwait(false))
                {
                    ObserveAndDispose(connect, tcp);
                    return OpenAttempt.Failed(new RconException(RconErrorKind.Timeout, endpoint,
                        $"RCON at {endpoint} did not accept a connection within {remaining.TotalSeconds:0.#} s."), fatal: true);
                }

                await connect.ConfigureAwait(false);
                connection = new RconConnection(tcp);
                var authId = _nextId();
                await connection.SendAsync(RconPacket.Encode(authId, RconPacket.ServerDataAuth, _password), cancellationToken).ConfigureAwait(false);
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
            catch (Exception ex) when (RconConnection.IsTransient(ex))
            {
                connection?.Dispose();
                tcp.Dispose();
                var refused = RconConnection.IsRefused(ex);
                var problem = refused
                    ? "connection refused"
                    : answered ? "the connection failed" : "the server closed the connection before answering the login";
                return OpenAttempt.Failed(new RconException(RconErrorKind.Unavailable, endpoint,
                    $"RCON at {endpoint} is not available: {problem}. Check that the server is running, that RCON is enabled (RCONEnabled=True, RCONPort) and the RCON host and port.", null, ex), fatal: false, refused);
            }
            catch (Exception ex) when (ex is SocketException || ex is FormatException || ex is ObjectDisposedException)
            {
                connection?.Dispose();
                tcp.Dispose();
                var problem = ex is FormatException ? "the server sent an invalid RCON packet" : ex.Message;
                return OpenAttempt.Failed(new RconException(RconErrorKind.Unavailable, endpoint, $"RCON at {endpoint} is not available: {problem}.", null, ex), fatal: true);
            }
        }

        private readonly struct OpenAttempt
        {
            private OpenAttempt(RconConnection? connection, RconException? failure, bool fatal, bool refused)
            {
                Connection = connection;
                Failure = failure;
                Fatal = fatal;
                Refused = refused;
            }

            public RconConnection? Connection { get; }

            public RconException? Failure { get; }

            /// <summary>A retry cannot help (a wrong password, no time left, an invalid packet).</summary>
            public bool Fatal { get; }

            /// <summary>The port refused the connection (nothing listens there).</summary>
            public bool Refused { get; }

            public static OpenAttempt Succeeded(RconConnection connection) => new OpenAttempt(connection, null, false, false);

            public static OpenAttempt Failed(RconException failure, bool fatal, bool refused = false) => new OpenAttempt(null, failure, fatal, refused);
        }
    }
}
