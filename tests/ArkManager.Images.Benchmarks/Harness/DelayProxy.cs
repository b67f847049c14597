using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ArkManager.Images.Benchmarks.Harness;

/// <summary>
/// A delaying HTTP/1.1 proxy on 127.0.0.1 in front of the sandbox registry: every request waits <see cref="Delay"/>
/// before it is forwarded (a registry farther away than loopback), and is counted by method. Responses flow back
/// untouched. A request with a chunked body switches its connection to a plain pipe (only pushes send those).
/// </summary>
internal sealed class DelayProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<TcpClient> _clients = new();
    private int _heads;
    private int _gets;
    private int _others;

    public DelayProxy(IPEndPoint upstream)
    {
        _upstream = upstream;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The delay applied to each request from now on.</summary>
    public TimeSpan Delay { get; set; }

    public (int Heads, int Gets, int Others) Counts => (Volatile.Read(ref _heads), Volatile.Read(ref _gets), Volatile.Read(ref _others));

    public void ResetCounts()
    {
        Interlocked.Exchange(ref _heads, 0);
        Interlocked.Exchange(ref _gets, 0);
        Interlocked.Exchange(ref _others, 0);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            lock (_clients)
            {
                _clients.Add(client);
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var upstream = new TcpClient { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await upstream.ConnectAsync(_upstream, _stop.Token);
            var c = client.GetStream();
            var u = upstream.GetStream();
            var back = Task.Run(async () =>
            {
                try { await u.CopyToAsync(c, 81920, _stop.Token); } catch (Exception) { }
                client.Client.Shutdown(SocketShutdown.Send);
            });
            await ForwardRequestsAsync(c, u);
            await back;
        }
        catch (Exception)
        {
            // A connection the client or the registry closed: nothing to do.
        }
        finally
        {
            client.Dispose();
        }
    }

    // Reads request after request (headers, then a Content-Length body), delays each one, forwards it.
    private async Task ForwardRequestsAsync(NetworkStream client, NetworkStream upstream)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        while (true)
        {
            int headerEnd;
            while ((headerEnd = IndexOfHeaderEnd(buffer, filled)) < 0)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var n = await client.ReadAsync(buffer.AsMemory(filled), _stop.Token);
                if (n == 0)
                {
                    upstream.Socket.Shutdown(SocketShutdown.Send);
                    return;
                }

                filled += n;
            }

            var head = Encoding.ASCII.GetString(buffer, 0, headerEnd);
            var method = head.Substring(0, Math.Max(0, head.IndexOf(' ')));
            switch (method)
            {
                case "HEAD": Interlocked.Increment(ref _heads); break;
                case "GET": Interlocked.Increment(ref _gets); break;
                default: Interlocked.Increment(ref _others); break;
            }

            var delay = Delay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _stop.Token);
            }

            var chunked = head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase);
            long length = 0;
            foreach (var line in head.Split("\r\n"))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    length = long.Parse(line.Substring(15).Trim());
                }
            }

            if (chunked)
            {
                // Plain pipe from here on.
                await upstream.WriteAsync(buffer.AsMemory(0, filled), _stop.Token);
                await client.CopyToAsync(upstream, 81920, _stop.Token);
                upstream.Socket.Shutdown(SocketShutdown.Send);
                return;
            }

            var requestEnd = headerEnd + 4;
            var inBuffer = Math.Min(length, filled - requestEnd);
            await upstream.WriteAsync(buffer.AsMemory(0, requestEnd + (int)inBuffer), _stop.Token);
            var left = length - inBuffer;
            var consumed = requestEnd + (int)inBuffer;
            Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
            filled -= consumed;
            while (left > 0)
            {
                var n = await client.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), _stop.Token);
                if (n == 0)
                {
                    return;
                }

                await upstream.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
                left -= n;
            }
        }
    }

    private static int IndexOfHeaderEnd(byte[] buffer, int count)
    {
        for (var i = 0; i + 3 < count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients)
        {
            foreach (var c in _clients)
            {
                c.Dispose();
            }
        }

        try { await _acceptLoop; } catch (Exception) { }
    }
}
