using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ArkManager.Images.Registry;
using ArkManager.Images.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ArkManager.Images.Tests.Registry;

[CollectionDefinition(Name)]
public sealed class RegistrySandboxCollection
{
    public const string Name = "Registry sandbox";
}

/// <summary>
/// <see cref="RegistryClient"/> against the sandbox's real registries: the plain one and the token-authenticated one that
/// shares its storage (with <see cref="SandboxTokenService"/> as its token service).
/// </summary>
[Collection(RegistrySandboxCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RegistryIntegrationTests : IDisposable
{
    private const string WrongPassword = "Wrong-pa55-not-this-one";
    private readonly ITestOutputHelper _output;
    private readonly TempDirectory _config = new();
    private readonly ListLogger _logger = new();

    public RegistryIntegrationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static Sandbox S => Sandbox.Current;

    public void Dispose() => _config.Dispose();

    private RegistryClient Client(TimeSpan? timeout = null) =>
        new(new RegistryClientOptions { DockerConfigDirectory = _config.Path, Timeout = timeout ?? TimeSpan.FromSeconds(10) }, _logger);

    /// <summary>Pushes the v1 fixture to a new repository; returns (repository path, reference on the plain registry).</summary>
    private static (string Path, string Image) PushNewRepository(string variant = "v1")
    {
        var repository = S.UniqueRepository("reg");
        var image = repository + ":latest";
        S.PushVariant(variant, image);
        return (repository.Substring(S.Registry.Length + 1), image);
    }

    [Fact]
    public async Task Plain_registry_digest_with_exactly_one_head_and_no_download_and_it_changes_on_a_new_push()
    {
        var (path, image) = PushNewRepository("v1");
        using var client = Client();

        var before = RegistryAccessLog.For(S.RegistryLog, path).Count;
        var digest1 = await client.GetManifestDigestAsync(ImageReference.Parse(image), default);
        var requests1 = await RegistryAccessLog.NewSinceAsync(S.RegistryLog, path, before, 1);

        S.PushVariant("v2", image);
        var afterPush = RegistryAccessLog.For(S.RegistryLog, path).Count;
        var digest2 = await client.GetManifestDigestAsync(ImageReference.Parse(image), default);
        var requests2 = await RegistryAccessLog.NewSinceAsync(S.RegistryLog, path, afterPush, 1);

        _output.WriteLine($"check 1: {digest1}: {string.Join("; ", requests1)}");
        _output.WriteLine($"check 2: {digest2}: {string.Join("; ", requests2)}");
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest1);
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest2);
        Assert.NotEqual(digest1, digest2);
        foreach (var requests in new[] { requests1, requests2 })
        {
            var request = Assert.Single(requests);
            Assert.Equal("HEAD", request.Method);
            Assert.Equal($"/v2/{path}/manifests/latest", request.Uri);
            Assert.Equal(200, request.Status);
        }

        // Same digest as addressed by digest (a HEAD by digest answers the same header).
        Assert.Equal(digest2, await client.GetManifestDigestAsync(ImageReference.Parse(S.Registry + "/" + path + "@" + digest2), default));
    }

    [Fact]
    public async Task Plain_registry_unknown_tag_is_a_404_registry_error()
    {
        var (path, _) = PushNewRepository();
        using var client = Client();

        var ex = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestDigestAsync(ImageReference.Parse($"{S.Registry}/{path}:no-such-tag"), default));

        _output.WriteLine(ex.Message);
        Assert.IsNotType<RegistryAuthenticationException>(ex);
        Assert.Equal(404, ex.StatusCode);
        Assert.Contains("'no-such-tag' does not exist", ex.Message);
    }

    [Fact]
    public async Task Token_registry_with_credentials_gives_the_plain_registry_digest_and_reuses_one_token()
    {
        var (path, image) = PushNewRepository();
        using var tokens = await SandboxTokenService.StartAsync();
        DockerConfig.WriteAuth(_config.Path, S.AuthRegistry, SandboxTokenService.User, SandboxTokenService.Password);
        using var client = Client();
        var authImage = ImageReference.Parse($"{S.AuthRegistry}/{path}:latest");

        var plainDigest = await client.GetManifestDigestAsync(ImageReference.Parse(image), default);
        var before = RegistryAccessLog.For(S.AuthRegistryLog, path).Count;
        var first = await client.GetManifestDigestAsync(authImage, default);
        var second = await client.GetManifestDigestAsync(authImage, default);
        var requests = await RegistryAccessLog.NewSinceAsync(S.AuthRegistryLog, path, before, 3);

        _output.WriteLine("auth registry: " + string.Join("; ", requests));
        _output.WriteLine("token service: " + string.Join("; ", tokens.RequestsFor(path)));
        Assert.Equal(plainDigest, first);
        Assert.Equal(plainDigest, second);

        var tokenRequest = Assert.Single(tokens.RequestsFor(path));
        Assert.Equal((SandboxTokenService.User, $"repository:{path}:pull", S.TokenService, 200), (tokenRequest.User, tokenRequest.Scope, tokenRequest.Service, tokenRequest.Status));

        // 401 challenge, the retried HEAD, then the second check's HEAD with the cached token; nothing downloaded.
        Assert.Equal(new[] { ("HEAD", 401), ("HEAD", 200), ("HEAD", 200) }, requests.Select(r => (r.Method, r.Status)));
        Assert.All(requests, r => Assert.True(r.IsManifest && !r.IsBlob));
        Assert.DoesNotContain(SandboxTokenService.Password, _logger.AllText);
    }

    [Fact]
    public async Task Token_registry_with_a_wrong_password_is_an_authentication_error_without_the_password()
    {
        var (path, _) = PushNewRepository();
        using var tokens = await SandboxTokenService.StartAsync();
        DockerConfig.WriteAuth(_config.Path, S.AuthRegistry, SandboxTokenService.User, WrongPassword);
        using var client = Client();

        var ex = await Assert.ThrowsAsync<RegistryAuthenticationException>(() =>
            client.GetManifestDigestAsync(ImageReference.Parse($"{S.AuthRegistry}/{path}:latest"), default));

        _output.WriteLine(ex.Message);
        Assert.Equal(S.AuthRegistry, ex.Registry);
        Assert.Equal("RegistryAuthenticationFailed", ex.ErrorId);
        Assert.Contains(S.AuthRegistry, ex.Message);
        Assert.Contains("refused the credentials", ex.Message);
        Assert.Contains("docker login " + S.AuthRegistry, ex.Message);
        Assert.DoesNotContain(WrongPassword, ex.ToString());
        Assert.DoesNotContain(DockerConfig.Basic(SandboxTokenService.User, WrongPassword), ex.ToString());
        Assert.DoesNotContain(WrongPassword, _logger.AllText);
        Assert.Equal(401, Assert.Single(tokens.RequestsFor(path)).Status);
    }

    [Fact]
    public async Task Token_registry_without_credentials_is_a_clear_authentication_error()
    {
        var (path, _) = PushNewRepository();
        using var tokens = await SandboxTokenService.StartAsync();
        using var client = Client(); // empty Docker config folder

        var ex = await Assert.ThrowsAsync<RegistryAuthenticationException>(() =>
            client.GetManifestDigestAsync(ImageReference.Parse($"{S.AuthRegistry}/{path}:latest"), default));

        _output.WriteLine(ex.Message);
        Assert.Equal(S.AuthRegistry, ex.Registry);
        Assert.Contains("requires authentication", ex.Message);
        Assert.Contains("no credentials", ex.Message);
        Assert.Contains("docker login " + S.AuthRegistry, ex.Message);
        var request = Assert.Single(tokens.RequestsFor(path));
        Assert.Null(request.User); // an anonymous token, which the registry then refuses
    }

    [Fact]
    public async Task Nothing_listening_is_unreachable_quickly()
    {
        var port = Ports.Free();
        using var client = Client();

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RegistryUnreachableException>(() =>
            client.GetManifestDigestAsync(ImageReference.Parse($"127.0.0.1:{port}/tbro98/ase-server:latest"), default));
        stopwatch.Stop();

        _output.WriteLine($"{stopwatch.ElapsedMilliseconds} ms: {ex.Message}");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
        Assert.Equal($"127.0.0.1:{port}", ex.Registry);
        Assert.Equal("RegistryUnreachable", ex.ErrorId);
        Assert.Contains("unreachable", ex.Message);
    }

    [Fact]
    public async Task A_registry_that_accepts_but_never_answers_is_unreachable_after_the_timeout()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await listener.AcceptSocketAsync());
                }
            }
            catch (Exception)
            {
            }
        });
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var client = Client(TimeSpan.FromSeconds(1));

            var stopwatch = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<RegistryUnreachableException>(() =>
                client.GetManifestDigestAsync(ImageReference.Parse($"127.0.0.1:{port}/tbro98/ase-server:latest"), default));
            stopwatch.Stop();

            _output.WriteLine($"{stopwatch.ElapsedMilliseconds} ms: {ex.Message}");
            Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0.9, 3);
            Assert.Contains("within 1 s", ex.Message);
        }
        finally
        {
            listener.Stop();
            foreach (var socket in accepted)
            {
                socket.Dispose();
            }
        }
    }
}
