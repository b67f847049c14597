using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ArkManager.Images.Tests.Infrastructure;

/// <summary>What the <see cref="FaultFront"/> does with the requests it receives.</summary>
public enum FaultKind
{
    /// <summary>Forward to the registry behind and relay its answer unchanged.</summary>
    Pass,

    /// <summary>Answer HTTP 500 without asking the registry.</summary>
    Http500,

    /// <summary>Answer HTTP 401 with a Basic challenge (no credential will ever do).</summary>
    Http401,

    /// <summary>Answer HTTP 429 with <c>Retry-After: RetryAfterSeconds</c> to the first <c>FaultBudget</c> requests, then forward.</summary>
    Http429,

    /// <summary>Accept the connection, read the request and never answer.</summary>
    Stall,

    /// <summary>Read the request and reset the connection (RST) without an answer.</summary>
    Reset,

    /// <summary>Forward; a blob GET gets its answer cut to half its bytes, announced with that shorter Content-Length.</summary>
    TruncateBlob,

    /// <summary>Forward only requests carrying <c>Authorization: Basic</c> with <see cref="FaultFront.BasicCredential"/>; answer 401 with a Basic challenge otherwise.</summary>
    BasicAuth,
}

/// <summary>
/// A fault-injecting HTTP/1.1 front on 127.0.0.1 before a registry (one request per connection: the request is sent
/// on with <c>Connection: close</c>, the answer is relayed until the registry closes). Counts every request it sees,
/// by method and path, and every fault it injected.
/// </summary>
public sealed class FaultFront : IDisposable
{
    private readonly TcpListener _listener;
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentBag<TcpClient> _stalled = new();
    private readonly Task _loop;
    private int _faults;
    private int _budgetUsed;
    private int _authenticated;

    /// <summary>Starts a front on a free 127.0.0.1 port forwarding to <paramref name="upstream"/> (host:port).</summary>
    public FaultFront(string upstream)
    {
        var colon = upstream.LastIndexOf(':');
        _upstreamHost = upstream[..colon];
        _upstreamPort = int.Parse(upstream[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>127.0.0.1:port of this front (use it as the registry host of an image reference).</summary>
    public string Host => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The current behaviour.</summary>
    public FaultKind Kind { get; set; } = FaultKind.Pass;

    /// <summary>The Retry-After the 429 fault sends, in seconds.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>How many requests the 429 fault refuses before it forwards (int.MaxValue: all).</summary>
    public int FaultBudget { get; set; } = int.MaxValue;

    /// <summary>The base64 "user:password" the <see cref="FaultKind.BasicAuth"/> mode accepts.</summary>
    public string? BasicCredential { get; set; }

    /// <summary>Requests the <see cref="FaultKind.BasicAuth"/> mode let through with the right credential.</summary>
    public int Authenticated => Volatile.Read(ref _authenticated);

    /// <summary>Faults injected so far (answers altered, stalls, resets).</summary>
    public int FaultsInjected => Volatile.Read(ref _faults);

    /// <summary>Every request seen, as "METHOD /path".</summary>
    public IReadOnlyList<string> Requests => _requests.ToArray();

    /// <summary>Requests seen whose path contains <paramref name="fragment"/> (e.g. a repository name).</summary>
    public int Count(string method, string fragment) =>
        _requests.Count(r => r.StartsWith(method + " ", StringComparison.Ordinal) && r.Contains(fragment, StringComparison.Ordinal));

    /// <summary>Sets a behaviour and resets the 429 budget.</summary>
    public void Set(FaultKind kind, int retryAfterSeconds = 1, int budget = int.MaxValue)
    {
        Kind = kind;
        RetryAfterSeconds = retryAfterSeconds;
        FaultBudget = budget;
        Interlocked.Exchange(ref _budgetUsed, 0);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var c in _stalled)
        {
            c.Dispose();
        }

        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
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
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        var keep = false;
        try
        {
            var stream = client.GetStream();
            var (head, body) = await ReadRequestAsync(stream);
            if (head is null)
            {
                return;
            }

            var lines = head.Split("\r\n");
            var requestLine = lines[0].Split(' ');
            var method = requestLine[0];
            var path = requestLine.Length > 1 ? requestLine[1] : "/";
            _requests.Enqueue(method + " " + path);
            var kind = Kind;
            if (kind == FaultKind.Http429 && Interlocked.Increment(ref _budgetUsed) > FaultBudget)
            {
                kind = FaultKind.Pass;
            }

            if (kind == FaultKind.BasicAuth)
            {
                var authorization = lines.FirstOrDefault(l => l.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase));
                if (authorization is not null && authorization["Authorization:".Length..].Trim() == "Basic " + BasicCredential)
                {
                    Interlocked.Increment(ref _authenticated);
                    kind = FaultKind.Pass;
                }
                else
                {
                    kind = FaultKind.Http401;
                }
            }

            switch (kind)
            {
                case FaultKind.Http500:
                    Interlocked.Increment(ref _faults);
                    await WriteAsync(stream, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nboom\n");
                    return;
                case FaultKind.Http401:
                    Interlocked.Increment(ref _faults);
                    await WriteAsync(stream, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"fault-front\"\r\nDocker-Distribution-Api-Version: registry/2.0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                case FaultKind.Http429:
                    Interlocked.Increment(ref _faults);
                    await WriteAsync(stream, $"HTTP/1.1 429 Too Many Requests\r\nRetry-After: {RetryAfterSeconds}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                case FaultKind.Stall:
                    Interlocked.Increment(ref _faults);
                    keep = true;
                    _stalled.Add(client);
                    return;
                case FaultKind.Reset:
                    Interlocked.Increment(ref _faults);
                    client.Client.LingerState = new LingerOption(true, 0);
                    client.Client.Close(0);
                    return;
            }

            await ForwardAsync(stream, lines, body, kind == FaultKind.TruncateBlob && method == "GET" && path.Contains("/blobs/", StringComparison.Ordinal));
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            if (!keep)
            {
                client.Dispose();
            }
        }
    }

    private async Task ForwardAsync(NetworkStream client, string[] lines, byte[] body, bool truncate)
    {
        using var upstream = new TcpClient();
        await upstream.ConnectAsync(_upstreamHost, _upstreamPort, _stop.Token);
        var up = upstream.GetStream();
        var request = new StringBuilder(lines[0]).Append("\r\n");
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            if (line.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("Host:", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            request.Append(line).Append("\r\n");
        }

        request.Append("Host: ").Append(_upstreamHost).Append(':').Append(_upstreamPort).Append("\r\nConnection: close\r\n\r\n");
        await WriteAsync(up, request.ToString());
        if (body.Length > 0)
        {
            await up.WriteAsync(body, _stop.Token);
        }

        if (!truncate)
        {
            await up.CopyToAsync(client, _stop.Token);
            return;
        }

        var (head, rest) = await ReadHeadAsync(up);
        if (head is null)
        {
            return;
        }

        var headLines = head.Split("\r\n").ToList();
        var lengthLine = headLines.FindIndex(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (!headLines[0].Contains(" 200 ", StringComparison.Ordinal) || lengthLine < 0)
        {
            await client.WriteAsync(Encoding.ASCII.GetBytes(head + "\r\n\r\n"), _stop.Token);
            await client.WriteAsync(rest, _stop.Token);
            await up.CopyToAsync(client, _stop.Token);
            return;
        }

        var length = long.Parse(headLines[lengthLine]["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var half = length / 2;
        headLines[lengthLine] = "Content-Length: " + half;
        Interlocked.Increment(ref _faults);
        await client.WriteAsync(Encoding.ASCII.GetBytes(string.Join("\r\n", headLines) + "\r\n\r\n"), _stop.Token);
        var all = new MemoryStream();
        all.Write(rest);
        while (all.Length < half)
        {
            var buffer = new byte[65536];
            var n = await up.ReadAsync(buffer, _stop.Token);
            if (n == 0)
            {
                break;
            }

            all.Write(buffer, 0, n);
        }

        await client.WriteAsync(all.GetBuffer().AsMemory(0, (int)Math.Min(half, all.Length)), _stop.Token);
    }

    private async Task<(string? Head, byte[] Body)> ReadRequestAsync(NetworkStream stream)
    {
        var (head, rest) = await ReadHeadAsync(stream);
        if (head is null)
        {
            return (null, Array.Empty<byte>());
        }

        var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var body = new MemoryStream();
        body.Write(rest);
        var buffer = new byte[8192];
        while (body.Length < length)
        {
            var n = await stream.ReadAsync(buffer, _stop.Token);
            if (n == 0)
            {
                break;
            }

            body.Write(buffer, 0, n);
        }

        return (head, body.ToArray());
    }

    /// <summary>Reads up to the blank line; returns the head (without it) and the bytes read past it.</summary>
    private async Task<(string? Head, byte[] Remainder)> ReadHeadAsync(NetworkStream stream)
    {
        var data = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var n = await stream.ReadAsync(buffer, _stop.Token);
            if (n == 0)
            {
                return (null, Array.Empty<byte>());
            }

            data.AddRange(buffer.AsSpan(0, n).ToArray());
            var array = data.ToArray();
            for (var i = 3; i < array.Length; i++)
            {
                if (array[i - 3] == '\r' && array[i - 2] == '\n' && array[i - 1] == '\r' && array[i] == '\n')
                {
                    return (Encoding.ASCII.GetString(array, 0, i - 3), array[(i + 1)..]);
                }
            }

            if (array.Length > 1 << 20)
            {
                return (null, Array.Empty<byte>());
            }
        }
    }

    private Task WriteAsync(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token).AsTask();
}
