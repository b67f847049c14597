using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ArkManager.Images.Tests.Infrastructure;

namespace ArkManager.Images.Tests.Registry;

/// <summary>
/// The token service of the sandbox's authenticated registry: a loopback HTTP listener on the sandbox's token port that
/// checks Basic credentials and issues RS256 JWTs signed with the sandbox key (certificate in the x5c header), as the
/// distribution token specification describes. Anonymous requests get a token with no access, like Docker Hub for a
/// private repository.
/// The port is one for the whole sandbox and several test processes may run at once, so each test leases the service
/// (<see cref="StartAsync"/> … dispose): a lease waits until the port is free (in this process and in others).
/// </summary>
public sealed class SandboxTokenService : IDisposable
{
    public const string User = "arkadmin";
    public const string Password = "ark-Sandbox-pw-7319";

    private static readonly SemaphoreSlim InProcess = new(1, 1);

    private readonly HttpListener _listener = new();
    private readonly RSA _key;
    private readonly string _certificateDer;
    private readonly string _issuer;
    private readonly string _service;
    private readonly ConcurrentQueue<TokenRequest> _requests = new();
    private Task? _loop;
    private int _disposed;

    private SandboxTokenService(Sandbox sandbox)
    {
        _issuer = sandbox.TokenIssuer;
        _service = sandbox.TokenService;
        _key = RSA.Create();
        _key.ImportFromPem(File.ReadAllText(sandbox.TokenKey));
        _certificateDer = PemBody(File.ReadAllText(sandbox.TokenCert), "CERTIFICATE");
        _listener.Prefixes.Add($"http://127.0.0.1:{sandbox.TokenPort}/");
    }

    /// <summary>Starts the service, waiting up to <paramref name="wait"/> (default 3 min) for the port to be free.</summary>
    public static async Task<SandboxTokenService> StartAsync(TimeSpan? wait = null)
    {
        var sandbox = Sandbox.Current;
        var deadline = DateTime.UtcNow + (wait ?? TimeSpan.FromMinutes(3));
        if (!await InProcess.WaitAsync(deadline - DateTime.UtcNow))
        {
            throw new TimeoutException("Another test of this process kept the sandbox token service.");
        }

        try
        {
            while (true)
            {
                var service = new SandboxTokenService(sandbox);
                try
                {
                    service._listener.Start();
                    service._loop = Task.Run(service.LoopAsync);
                    return service;
                }
                catch (HttpListenerException ex)
                {
                    service.DisposeResources();
                    if (DateTime.UtcNow > deadline)
                    {
                        throw new InvalidOperationException(
                            $"The test token service cannot listen on 127.0.0.1:{sandbox.TokenPort} ({ex.Message}); another test process has kept the sandbox's token port too long.", ex);
                    }

                    await Task.Delay(200);
                }
            }
        }
        catch
        {
            InProcess.Release();
            throw;
        }
    }

    public IReadOnlyList<TokenRequest> Requests => _requests.ToArray();

    /// <summary>Token requests whose scope names <paramref name="repositoryPath"/>.</summary>
    public IReadOnlyList<TokenRequest> RequestsFor(string repositoryPath) =>
        _requests.Where(r => r.Scope is not null && r.Scope.Contains("repository:" + repositoryPath + ":", StringComparison.Ordinal)).ToList();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        DisposeResources();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        InProcess.Release();
    }

    private void DisposeResources()
    {
        try
        {
            _listener.Close();
        }
        catch (ObjectDisposedException)
        {
        }

        _key.Dispose();
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException || ex is ObjectDisposedException || ex is InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Handle(context));
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            var scope = request.QueryString["scope"];
            var service = request.QueryString["service"];
            string? user = null;
            string? password = null;
            var header = request.Headers["Authorization"];
            if (header is not null && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Substring(6).Trim()));
                var colon = decoded.IndexOf(':');
                user = colon < 0 ? decoded : decoded[..colon];
                password = colon < 0 ? string.Empty : decoded[(colon + 1)..];
            }

            if (request.Url?.AbsolutePath != "/token")
            {
                _requests.Enqueue(new TokenRequest(user, scope, service, 404));
                Write(response, 404, "{\"error\":\"not found\"}");
                return;
            }

            if (user is not null && !(user == User && password == Password))
            {
                _requests.Enqueue(new TokenRequest(user, scope, service, 401));
                response.AddHeader("WWW-Authenticate", "Basic realm=\"sandbox-token\"");
                Write(response, 401, "{\"details\":\"incorrect username or password\"}");
                return;
            }

            var access = new List<object>();
            if (user is not null && scope is not null)
            {
                // repository:<name>:<actions>; the name may not contain ':' but the actions list is comma separated.
                var parts = scope.Split(':');
                if (parts.Length == 3 && parts[0] == "repository")
                {
                    var actions = parts[2].Split(',').Where(a => a == "pull").ToArray();
                    access.Add(new { type = "repository", name = parts[1], actions });
                }
            }

            _requests.Enqueue(new TokenRequest(user, scope, service, 200));
            var token = Issue(user ?? string.Empty, access);
            Write(response, 200, JsonSerializer.Serialize(new { token, expires_in = 300, issued_at = DateTime.UtcNow.ToString("o") }));
        }
        catch (Exception ex)
        {
            try
            {
                Write(response, 500, JsonSerializer.Serialize(new { error = ex.Message }));
            }
            catch (Exception)
            {
            }
        }
    }

    private string Issue(string subject, List<object> access)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = JsonSerializer.Serialize(new { typ = "JWT", alg = "RS256", x5c = new[] { _certificateDer } });
        var claims = JsonSerializer.Serialize(new
        {
            iss = _issuer,
            sub = subject,
            aud = _service,
            exp = now + 300,
            nbf = now - 10,
            iat = now,
            jti = Guid.NewGuid().ToString("N"),
            access,
        });
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header)) + "." + Base64Url(Encoding.UTF8.GetBytes(claims));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static void Write(HttpListenerResponse response, int status, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes, 0, bytes.Length);
        response.Close();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string PemBody(string pem, string label)
    {
        var begin = "-----BEGIN " + label + "-----";
        var end = "-----END " + label + "-----";
        var start = pem.IndexOf(begin, StringComparison.Ordinal);
        var stop = pem.IndexOf(end, StringComparison.Ordinal);
        if (start < 0 || stop < 0)
        {
            throw new InvalidOperationException("No " + label + " in the PEM file.");
        }

        var body = pem.Substring(start + begin.Length, stop - start - begin.Length);
        return new string(body.Where(c => !char.IsWhiteSpace(c)).ToArray());
    }
}

public sealed record TokenRequest(string? User, string? Scope, string? Service, int Status);
