using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ArkManager.Images.Rcon;

namespace ArkManager.Images.Tests.Rcon;

/// <summary>
/// An in-process RCON server whose behaviour a test chooses per command (for the cases the stand-in does not have:
/// a server that does not mirror the end marker, one that closes after answering, one that forgets a session).
/// </summary>
internal sealed class FakeRconServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<FakeSession, int, string, Task> _onCommand;
    private readonly List<Task> _sessions = new();
    private readonly Task _accept;

    public FakeRconServer(string password, Func<FakeSession, int, string, Task> onCommand, bool mirrorMarker = true)
    {
        Password = password;
        MirrorMarker = mirrorMarker;
        _onCommand = onCommand;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public string Password { get; }

    public bool MirrorMarker { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Logins;

    public ConcurrentQueue<string> Commands { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            lock (_sessions)
            {
                _sessions.Add(new FakeSession(this, tcp).RunAsync(_stop.Token));
            }
        }
    }

    internal Task OnCommandAsync(FakeSession session, int id, string command)
    {
        Commands.Enqueue(command);
        return _onCommand(session, id, command);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (Exception)
        {
        }

        Task[] sessions;
        lock (_sessions)
        {
            sessions = _sessions.ToArray();
        }

        await Task.WhenAll(sessions.Select(t => t.ContinueWith(_ => { })));
        _stop.Dispose();
    }
}

internal sealed class FakeSession(FakeRconServer server, TcpClient tcp)
{
    private readonly NetworkStream _stream = tcp.GetStream();

    public bool Authenticated { get; set; }

    public async Task SendAsync(int id, int type, string body)
    {
        var bytes = RconPacket.Encode(id, type, body);
        await _stream.WriteAsync(bytes);
    }

    public void Close() => tcp.Close();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var count = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var read = await _stream.ReadAsync(buffer.AsMemory(count), cancellationToken);
                if (read == 0)
                {
                    return;
                }

                count += read;
                var offset = 0;
                while (RconPacket.TryDecode(buffer, offset, count - offset, out var packet, out var used))
                {
                    offset += used;
                    await HandleAsync(packet);
                    if (!tcp.Connected)
                    {
                        return;
                    }
                }

                Buffer.BlockCopy(buffer, offset, buffer, 0, count - offset);
                count -= offset;
            }
        }
        catch (Exception)
        {
            // the client or the test went away
        }
        finally
        {
            tcp.Dispose();
        }
    }

    private async Task HandleAsync(RconPacket packet)
    {
        if (packet.Type == RconPacket.ServerDataAuth)
        {
            Authenticated = packet.Text == server.Password;
            if (Authenticated)
            {
                Interlocked.Increment(ref server.Logins);
            }

            await SendAsync(Authenticated ? packet.Id : -1, RconPacket.ServerDataAuthResponse, string.Empty);
            return;
        }

        if (packet.Type == RconPacket.ServerDataResponseValue)
        {
            if (server.MirrorMarker)
            {
                await SendAsync(packet.Id, RconPacket.ServerDataResponseValue, string.Empty);
            }

            return;
        }

        if (!Authenticated)
        {
            await SendAsync(-1, RconPacket.ServerDataAuthResponse, string.Empty);
            return;
        }

        await server.OnCommandAsync(this, packet.Id, Encoding.UTF8.GetString(packet.Body));
    }
}
