using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Rcon
{
    /// <summary>
    /// One command and its whole reply on a logged-in connection. ARK splits long replies over several packets and does
    /// not say how many: the command is followed by an empty RESPONSE_VALUE marker and the reply ends when the server
    /// mirrors it (or, for a server that does not, after a quiet period once something arrived). ARK's
    /// "Server received, But no response!!" is taken as success with no output.
    /// </summary>
    internal static class RconExchange
    {
        /// <summary>ARK's answer to a command that has no output.</summary>
        public const string NoResponseText = "Server received, But no response!!";

        /// <summary>True when the text is ARK's "no output" answer (any case, surrounding white space ignored).</summary>
        public static bool IsNoResponse(string text) => string.Equals(text.Trim(), NoResponseText, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// Sends the command (packet <paramref name="id"/>) and the end marker (packet <paramref name="marker"/>) and reads
        /// the reply until the marker, the quiet period, or <paramref name="timeout"/> counted on <paramref name="watch"/>.
        /// The connection is closed when it cannot be used any more (timeout, cancellation, an invalid packet, the server
        /// closing it after answering).
        /// </summary>
        /// <exception cref="SessionDroppedException">The server no longer knows the session, or closed it before answering.</exception>
        /// <exception cref="RconException">Timeout, or Unavailable for an invalid packet.</exception>
        public static async Task<string> RunAsync(
            RconConnection connection,
            int id,
            int marker,
            byte[] commandBytes,
            string verb,
            string endpoint,
            TimeSpan timeout,
            TimeSpan quietPeriod,
            Stopwatch watch,
            ILogger logger,
            CancellationToken cancellationToken)
        {
            var exec = RconPacket.Encode(id, RconPacket.ServerDataExecCommand, commandBytes);
            var end = RconPacket.Encode(marker, RconPacket.ServerDataResponseValue, Array.Empty<byte>());
            var both = new byte[exec.Length + end.Length];
            Buffer.BlockCopy(exec, 0, both, 0, exec.Length);
            Buffer.BlockCopy(end, 0, both, exec.Length, end.Length);

            RconLog.Sending(logger, endpoint, verb);
            var output = new MemoryStream();
            var packets = 0;
            var lastPacketAt = TimeSpan.Zero;
            try
            {
                await connection.SendAsync(both, cancellationToken).ConfigureAwait(false);
                while (true)
                {
                    var remaining = timeout - watch.Elapsed;
                    var quiet = packets > 0 ? quietPeriod - (watch.Elapsed - lastPacketAt) : TimeSpan.MaxValue;
                    var wait = quiet < remaining ? quiet : remaining;
                    var packet = await connection.ReadAsync(wait, cancellationToken).ConfigureAwait(false);
                    if (packet is null)
                    {
                        if (packets > 0 && watch.Elapsed < timeout)
                        {
                            // A server that does not mirror the marker: the reply ended when it fell silent. The pending
                            // read stays with the connection, so a late marker is skipped by its id.
                            RconLog.QuietEnd(logger, endpoint, verb, (int)quietPeriod.TotalMilliseconds);
                            break;
                        }

                        RconLog.CommandTimedOut(logger, endpoint, verb, timeout.TotalSeconds);
                        connection.Dispose();
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

                    RconLog.IgnoredPacket(logger, endpoint, p.Id, p.Type);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                connection.Dispose();
                throw;
            }
            catch (Exception ex) when (RconConnection.IsTransient(ex) || ex is ObjectDisposedException)
            {
                if (packets == 0)
                {
                    throw new SessionDroppedException(ex);
                }

                // The server answered and then closed the connection (ARK does so after DoExit): the reply is complete.
                RconLog.ClosedAfterReply(logger, endpoint, verb);
                connection.Dispose();
            }
            catch (FormatException ex)
            {
                connection.Dispose();
                throw new RconException(RconErrorKind.Unavailable, endpoint, $"RCON at {endpoint} sent an invalid packet in answer to '{verb}'.", verb, ex);
            }

            var bytes = output.ToArray();
            RconLog.Answered(logger, endpoint, verb, bytes.Length, packets);
            var text = Encoding.UTF8.GetString(bytes);
            return IsNoResponse(text) ? string.Empty : text;
        }
    }

    /// <summary>The server dropped the session before answering: log in again and repeat the command.</summary>
    internal sealed class SessionDroppedException : Exception
    {
        public SessionDroppedException(Exception? inner = null)
            : base("The RCON session was dropped by the server.", inner)
        {
        }
    }
}
