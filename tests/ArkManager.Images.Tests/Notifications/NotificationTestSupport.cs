using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Tests.Notifications;

/// <summary>One request the loopback webhook received.</summary>
public sealed record ReceivedRequest(string Method, string Path, string? ContentType, string? UserAgent, string Body);

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (a free port) that records every request and answers with
/// <see cref="StatusCode"/>, or never answers while <see cref="Hang"/> is set.
/// </summary>
public sealed class LoopbackWebhookServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly ConcurrentQueue<DateTime> _arrivals = new();
    private int _count;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly SemaphoreSlim _received = new(0);
    private readonly Task _loop;

    /// <param name="port">The loopback port to listen on; 0: a free one.</param>
    public LoopbackWebhookServer(int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public int StatusCode { get; set; } = 204;

    public string ResponseBody { get; set; } = string.Empty;

    public bool Hang { get; set; }

    /// <summary>The status of the n-th request (0-based); null: <see cref="StatusCode"/>.</summary>
    public Func<int, int>? StatusOf { get; set; }

    /// <summary>A Retry-After header value sent with every 429 and 503 answer; null: none.</summary>
    public string? RetryAfter { get; set; }

    /// <summary>When each request arrived (UTC), in order.</summary>
    public IReadOnlyList<DateTime> Arrivals => _arrivals.ToArray();

    public IReadOnlyList<ReceivedRequest> Requests => _requests.ToArray();

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Waits until <paramref name="count"/> requests (in total) have arrived.</summary>
    public async Task<bool> WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_requests.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _received.WaitAsync(left))
            {
                return _requests.Count >= count;
            }
        }

        return true;
    }

    /// <summary>A loopback port nobody listens on (connection refused).</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
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
            catch (Exception ex) when (ex is OperationCanceledException || ex is SocketException || ex is ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new List<byte>();
                var chunk = new byte[4096];
                int headerEnd;
                while ((headerEnd = IndexOfHeaderEnd(buffer)) < 0)
                {
                    var read = await stream.ReadAsync(chunk, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    buffer.AddRange(chunk.AsSpan(0, read).ToArray());
                }

                var head = Encoding.ASCII.GetString(buffer.GetRange(0, headerEnd).ToArray());
                var lines = head.Split("\r\n");
                var requestLine = lines[0].Split(' ');
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var line in lines.Skip(1))
                {
                    var colon = line.IndexOf(':');
                    if (colon > 0)
                    {
                        headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                    }
                }

                var length = headers.TryGetValue("Content-Length", out var cl) ? int.Parse(cl, System.Globalization.CultureInfo.InvariantCulture) : 0;
                var body = buffer.Skip(headerEnd + 4).ToList();
                while (body.Count < length)
                {
                    var read = await stream.ReadAsync(chunk, _stop.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    body.AddRange(chunk.AsSpan(0, read).ToArray());
                }

                var index = Interlocked.Increment(ref _count) - 1;
                _arrivals.Enqueue(DateTime.UtcNow);
                _requests.Enqueue(new ReceivedRequest(
                    requestLine[0],
                    requestLine.Length > 1 ? requestLine[1] : string.Empty,
                    headers.TryGetValue("Content-Type", out var contentType) ? contentType : null,
                    headers.TryGetValue("User-Agent", out var userAgent) ? userAgent : null,
                    Encoding.UTF8.GetString(body.ToArray())));
                _received.Release();

                if (Hang)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }

                var responseBody = Encoding.UTF8.GetBytes(ResponseBody);
                var status = StatusOf?.Invoke(index) ?? StatusCode;
                var retryAfter = RetryAfter != null && (status == 429 || status == 503) ? $"Retry-After: {RetryAfter}\r\n" : string.Empty;
                var response = $"HTTP/1.1 {status} Status{status}\r\nContent-Type: application/json\r\nContent-Length: {responseBody.Length}\r\n{retryAfter}Connection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
                await stream.WriteAsync(responseBody, _stop.Token);
                await stream.FlushAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is IOException || ex is OperationCanceledException || ex is SocketException || ex is ObjectDisposedException)
            {
            }
        }
    }

    private static int IndexOfHeaderEnd(List<byte> buffer)
    {
        for (var i = 0; i + 3 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>An ILogger that keeps every entry (level, event id, formatted text with the exception) for assertions.</summary>
public sealed class NotificationTestLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, int EventId, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Entries => _entries.ToArray();

    public string AllText => string.Join("\n", _entries.Select(e => e.Message));

    public IEnumerable<string> Warnings => _entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var text = formatter(state, exception) + (exception is null ? string.Empty : " | " + exception);
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            // Structured values reach sinks too: none of them may hold a secret either.
            text += " {" + string.Join(", ", values.Select(v => v.Key + "=" + v.Value)) + "}";
        }

        _entries.Enqueue((logLevel, eventId.Id, text));
    }
}

/// <summary>A temporary state folder, deleted on dispose.</summary>
public sealed class TempStateDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("arknotify-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>A handler that answers from a script (for 429 handling, without a network).</summary>
public sealed class ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) : HttpMessageHandler
{
    private int _calls;

    public int Calls => _calls;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var index = Interlocked.Increment(ref _calls) - 1;
        return Task.FromResult(answers[Math.Min(index, answers.Length - 1)](request));
    }
}
