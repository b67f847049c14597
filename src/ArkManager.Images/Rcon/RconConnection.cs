using System;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Rcon
{
    /// <summary>
    /// One TCP connection to an RCON port and its read buffer: writes packets and reads them back one at a time. A read
    /// that outlives its wait stays pending and is picked up by the next read, so timeouts work alike on .NET Framework
    /// and .NET; disposing aborts it.
    /// </summary>
    internal sealed class RconConnection : IDisposable
    {
        private readonly TcpClient _tcp;
        private readonly NetworkStream _stream;
        private readonly byte[] _buffer = new byte[4 + RconPacket.MaxSize + 4096];
        private int _start;
        private int _count;
        private Task<RconPacket>? _pending;
        private bool _disposed;

        public RconConnection(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
        }

        /// <summary>True once the connection was closed (by this side).</summary>
        public bool IsDisposed => _disposed;

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

        /// <summary>Sends encoded packets (one or several back to back).</summary>
        public async Task SendAsync(byte[] data, CancellationToken cancellationToken)
        {
            await _stream.WriteAsync(data, 0, data.Length, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The next packet, or null when none arrived within <paramref name="wait"/> (the read stays pending).</summary>
        /// <exception cref="EndOfStreamException">The server closed the connection.</exception>
        /// <exception cref="FormatException">The server sent something that is not an RCON packet.</exception>
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

        /// <summary>True for the failures of a connection that a new connection may not have (refused, reset, closed).</summary>
        public static bool IsTransient(Exception ex)
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

        /// <summary>True when the failure is the port refusing the connection (nothing listens there).</summary>
        public static bool IsRefused(Exception ex) => ex is SocketException se && se.SocketErrorCode == SocketError.ConnectionRefused;

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
    }
}
