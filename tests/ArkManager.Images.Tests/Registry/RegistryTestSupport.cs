using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Tests.Registry;

/// <summary>An ILogger that keeps every formatted message (to assert that no secret is ever logged).</summary>
public sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => _entries.ToArray();

    public string AllText => string.Join("\n", _entries.Select(e => e.Message));

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, formatter(state, exception) + (exception is null ? string.Empty : " | " + exception)));
}

/// <summary>A temporary folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "arkmgr-reg-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

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

public static class DockerConfig
{
    public static string Basic(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));

    /// <summary>Writes a config.json with one auths entry (base64 'auth') for <paramref name="registry"/>.</summary>
    public static void WriteAuth(string directory, string registry, string user, string password) =>
        System.IO.File.WriteAllText(System.IO.Path.Combine(directory, "config.json"),
            "{ \"auths\": { \"" + registry + "\": { \"auth\": \"" + Basic(user, password) + "\" } } }");

    /// <summary>Creates an executable shell script (Unix only).</summary>
    public static string WriteScript(string directory, string name, string body)
    {
        var path = System.IO.Path.Combine(directory, name);
        System.IO.File.WriteAllText(path, "#!/bin/sh\n" + body.Replace("\r\n", "\n"));
        if (OperatingSystem.IsWindows())
        {
            return path;
        }

        System.IO.File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        return path;
    }
}

/// <summary>
/// Requests seen by a distribution registry, read from its access log (one <c>"METHOD /v2/… HTTP/1.1" status</c> line per
/// request; the logrus lines quote the URI only when it has special characters, so they are not used for counting).
/// </summary>
public static class RegistryAccessLog
{
    private static readonly Regex AccessLine = new("\"(?<m>[A-Z]+) (?<u>/v2/[^ \"]*) HTTP/[0-9.]+\" (?<s>[0-9]{3}) ", RegexOptions.CultureInvariant);

    public sealed record Entry(string Method, string Uri, int Status)
    {
        public bool IsManifest => Uri.Contains("/manifests/", StringComparison.Ordinal);

        public bool IsBlob => Uri.Contains("/blobs/", StringComparison.Ordinal);

        public override string ToString() => $"{Method} {Uri} {Status}";
    }

    /// <summary>Every request for repository path <paramref name="repositoryPath"/> (e.g. tbro98/t-ab12), in log order.</summary>
    public static IReadOnlyList<Entry> For(string logPath, string repositoryPath)
    {
        var result = new List<Entry>();
        using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            var m = AccessLine.Match(line);
            if (m.Success && m.Groups["u"].Value.StartsWith("/v2/" + repositoryPath + "/", StringComparison.Ordinal))
            {
                result.Add(new Entry(m.Groups["m"].Value, m.Groups["u"].Value, int.Parse(m.Groups["s"].Value)));
            }
        }

        return result;
    }

    /// <summary>The requests after the first <paramref name="skip"/>, waiting until at least <paramref name="atLeast"/> are there and the log is quiet.</summary>
    public static async Task<IReadOnlyList<Entry>> NewSinceAsync(string logPath, string repositoryPath, int skip, int atLeast)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        IReadOnlyList<Entry> entries;
        while (true)
        {
            entries = For(logPath, repositoryPath).Skip(skip).ToList();
            if (entries.Count >= atLeast || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(100);
        }

        // A short quiet period so a stray extra request would be seen too.
        await Task.Delay(400);
        return For(logPath, repositoryPath).Skip(skip).ToList();
    }
}

public static class Ports
{
    /// <summary>A loopback port nothing listens on (bound and released just now).</summary>
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>A fake HTTP handler for unit tests of the client's pure logic: answers with a function and records the requests.</summary>
public sealed class FakeHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _answer;

    public FakeHandler(Func<HttpRequestMessage, HttpResponseMessage> answer)
        : this((request, _) => Task.FromResult(answer(request)))
    {
    }

    public FakeHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer)
    {
        _answer = answer;
    }

    public ConcurrentQueue<HttpRequestMessage> Requests { get; } = new();

    /// <summary>A copy of the Authorization header of each request, in order (requests are disposed by the client).</summary>
    public ConcurrentQueue<string?> Authorizations { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        Authorizations.Enqueue(request.Headers.Authorization?.ToString());
        var response = await _answer(request, cancellationToken);
        response.RequestMessage ??= request;
        return response;
    }
}
