using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Text;
using ArkManager.Images.Registry;

namespace ArkManager.Images.Tests.Registry;

/// <summary>Pure logic of <see cref="RegistryClient"/> against a fake HTTP handler (the real registries are in the integration tests).</summary>
[Trait("Category", "Unit")]
public sealed class RegistryClientTests : IDisposable
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Password = "Unit-pa55word-secret";
    private readonly TempDirectory _config = new();
    private readonly ListLogger _logger = new();

    public void Dispose() => _config.Dispose();

    private RegistryClient Client(FakeHandler handler, params string[] insecure) =>
        new(new RegistryClientOptions { DockerConfigDirectory = _config.Path, InsecureRegistries = insecure, Timeout = TimeSpan.FromSeconds(5) }, _logger, handler);

    private static HttpResponseMessage Ok(string? digest = Digest)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK);
        if (digest is not null)
        {
            response.Headers.TryAddWithoutValidation("Docker-Content-Digest", digest);
        }

        return response;
    }

    private static HttpResponseMessage Challenge(string header)
    {
        var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", header);
        return response;
    }

    private static HttpResponseMessage Json(string json) =>
        new(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    [Theory]
    [InlineData("127.0.0.1:5000/tbro98/ase-server:latest", "http://127.0.0.1:5000/v2/tbro98/ase-server/manifests/latest")]
    [InlineData("localhost:5000/a/b:v1", "http://localhost:5000/v2/a/b/manifests/v1")]
    [InlineData("registry.example.com/a/b:v1", "https://registry.example.com/v2/a/b/manifests/v1")]
    [InlineData("insecure.example.com:5000/a:v1", "http://insecure.example.com:5000/v2/a/manifests/v1")]
    [InlineData("other.example.com/a:v1", "http://other.example.com/v2/a/manifests/v1")]
    [InlineData("insecure.example.com/a:v1", "https://insecure.example.com/v2/a/manifests/v1")]
    [InlineData("ubuntu", "https://registry-1.docker.io/v2/library/ubuntu/manifests/latest")]
    [InlineData("tbro98/ase-server@" + Digest, "https://registry-1.docker.io/v2/tbro98/ase-server/manifests/" + Digest)]
    public async Task One_head_with_the_manifest_accept_types_to_the_right_url(string image, string url)
    {
        var handler = new FakeHandler(_ => Ok());
        using var client = Client(handler, "insecure.example.com:5000", "http://other.example.com/");

        var digest = await client.GetManifestDigestAsync(ImageReference.Parse(image), default);

        Assert.Equal(Digest, digest);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Head, request.Method);
        Assert.Equal(url, request.RequestUri!.AbsoluteUri);
        Assert.Equal(RegistryClient.ManifestMediaTypes.OrderBy(t => t), request.Headers.Accept.Select(a => a.MediaType!).OrderBy(t => t));
        Assert.Null(request.Headers.Authorization);
    }

    [Fact]
    public async Task Bearer_challenge_fetches_one_token_with_basic_credentials_and_reuses_it()
    {
        DockerConfig.WriteAuth(_config.Path, "registry.example.com", "arkadmin", Password);
        var tokenRequests = 0;
        var handler = new FakeHandler(request =>
        {
            if (request.RequestUri!.Host == "auth.example.com")
            {
                tokenRequests++;
                return Json("{\"access_token\":\"tok-1\",\"expires_in\":300}");
            }

            return request.Headers.Authorization?.ToString() == "Bearer tok-1"
                ? Ok()
                : Challenge("Bearer realm=\"https://auth.example.com/token?x=1\",service=\"registry.example.com\",scope=\"repository:a/b:pull\"");
        });
        using var client = Client(handler);

        Assert.Equal(Digest, await client.GetManifestDigestAsync(ImageReference.Parse("registry.example.com/a/b:v1"), default));
        Assert.Equal(Digest, await client.GetManifestDigestAsync(ImageReference.Parse("registry.example.com/a/b:v2"), default));

        Assert.Equal(1, tokenRequests);
        var requests = handler.Requests.ToArray();
        Assert.Equal(new[] { "HEAD", "GET", "HEAD", "HEAD" }, requests.Select(r => r.Method.Method));
        var tokenUri = requests[1].RequestUri!;
        Assert.Equal("https://auth.example.com/token?x=1&service=registry.example.com&scope=repository%3Aa%2Fb%3Apull", tokenUri.AbsoluteUri);
        Assert.Equal("Basic " + DockerConfig.Basic("arkadmin", Password), handler.Authorizations.ToArray()[1]);
        Assert.DoesNotContain(Password, _logger.AllText);
        Assert.DoesNotContain(DockerConfig.Basic("arkadmin", Password), _logger.AllText);
        Assert.DoesNotContain("tok-1", _logger.AllText);
    }

    [Fact]
    public async Task Another_repository_needs_its_own_token()
    {
        var tokenRequests = 0;
        var handler = new FakeHandler(request =>
        {
            if (request.RequestUri!.AbsolutePath == "/token")
            {
                tokenRequests++;
                return Json("{\"token\":\"tok-" + tokenRequests + "\"}");
            }

            return request.Headers.Authorization is null ? Challenge("Bearer realm=\"https://r.example.com/token\",service=\"r\"") : Ok();
        });
        using var client = Client(handler);

        await client.GetManifestDigestAsync(ImageReference.Parse("r.example.com/a/one"), default);
        await client.GetManifestDigestAsync(ImageReference.Parse("r.example.com/a/two"), default);
        await client.GetManifestDigestAsync(ImageReference.Parse("r.example.com/a/one:other"), default);

        Assert.Equal(2, tokenRequests);
    }

    [Fact]
    public async Task A_cached_token_the_registry_refuses_is_replaced_once()
    {
        var issued = 0;
        var accepted = "tok-1";
        var handler = new FakeHandler(request =>
        {
            if (request.RequestUri!.AbsolutePath == "/token")
            {
                issued++;
                return Json("{\"token\":\"tok-" + issued + "\",\"expires_in\":300}");
            }

            return request.Headers.Authorization?.ToString() == "Bearer " + accepted ? Ok() : Challenge("Bearer realm=\"https://r.example.com/token\"");
        });
        using var client = Client(handler);
        var image = ImageReference.Parse("r.example.com/a/b");

        await client.GetManifestDigestAsync(image, default);
        accepted = "tok-2"; // the registry revokes the first token
        await client.GetManifestDigestAsync(image, default);

        Assert.Equal(2, issued);
        Assert.Equal(new[] { "HEAD", "GET", "HEAD", "HEAD", "GET", "HEAD" }, handler.Requests.Select(r => r.Method.Method));
    }

    [Fact]
    public void Token_response_parsing()
    {
        Assert.Equal(("a", 300), RegistryClient.ParseTokenResponse("{\"token\":\"a\",\"expires_in\":300}"));
        Assert.Equal(("b", 60), RegistryClient.ParseTokenResponse("{\"access_token\":\"b\"}"));
        Assert.Equal(("c", 60), RegistryClient.ParseTokenResponse("{\"token\":\"\",\"access_token\":\"c\",\"expires_in\":5}"));
        Assert.Null(RegistryClient.ParseTokenResponse("not json").Token);
        Assert.Null(RegistryClient.ParseTokenResponse("[]").Token);
    }

    [Fact]
    public async Task Basic_challenge_sends_the_credentials_and_a_refusal_names_the_registry_not_the_password()
    {
        DockerConfig.WriteAuth(_config.Path, "registry.example.com", "arkadmin", Password);
        var handler = new FakeHandler(request =>
            request.Headers.Authorization is null ? Challenge("Basic realm=\"Registry\"") : new HttpResponseMessage(HttpStatusCode.Unauthorized));
        using var client = Client(handler);

        var ex = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.GetManifestDigestAsync(ImageReference.Parse("registry.example.com/a/b"), default));

        Assert.Equal("Basic " + DockerConfig.Basic("arkadmin", Password), handler.Authorizations.Last());
        Assert.Equal("registry.example.com", ex.Registry);
        Assert.Contains("registry.example.com", ex.Message);
        Assert.Contains("docker login registry.example.com", ex.Message);
        Assert.Contains("refused the credentials", ex.Message);
        Assert.DoesNotContain(Password, ex.ToString());
        Assert.DoesNotContain(DockerConfig.Basic("arkadmin", Password), ex.ToString());
        Assert.DoesNotContain(Password, _logger.AllText);
    }

    [Fact]
    public async Task Basic_challenge_without_credentials_says_to_log_in()
    {
        var handler = new FakeHandler(_ => Challenge("Basic realm=\"Registry\""));
        using var client = Client(handler);

        var ex = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.GetManifestDigestAsync(ImageReference.Parse("registry.example.com/a/b"), default));

        Assert.Single(handler.Requests);
        Assert.Contains("no credentials", ex.Message);
        Assert.Contains("docker login registry.example.com", ex.Message);
    }

    [Fact]
    public async Task Unsupported_or_missing_challenge_is_an_authentication_error()
    {
        using var negotiate = Client(new FakeHandler(_ => Challenge("Negotiate")));
        var ex = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => negotiate.GetManifestDigestAsync(ImageReference.Parse("r.example.com/a"), default));
        Assert.Contains("Negotiate", ex.Message);

        using var bare = Client(new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.Unauthorized)));
        ex = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => bare.GetManifestDigestAsync(ImageReference.Parse("r.example.com/a"), default));
        Assert.Contains("no WWW-Authenticate", ex.Message);
    }

    [Fact]
    public async Task Missing_digest_header_is_an_error_and_nothing_is_downloaded()
    {
        var handler = new FakeHandler(_ => Ok(digest: null));
        using var client = Client(handler);

        var ex = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestDigestAsync(ImageReference.Parse("r.example.com/a/b:v1"), default));

        Assert.Contains("Docker-Content-Digest", ex.Message);
        Assert.Equal(200, ex.StatusCode);
        Assert.All(handler.Requests, r => Assert.Equal(HttpMethod.Head, r.Method));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Not_found_says_the_tag_does_not_exist()
    {
        using var client = Client(new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound)));
        var ex = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestDigestAsync(ImageReference.Parse("r.example.com/a/b:nope"), default));
        Assert.IsNotType<RegistryAuthenticationException>(ex);
        Assert.Equal(404, ex.StatusCode);
        Assert.Contains("'nope' does not exist", ex.Message);
        Assert.Contains("r.example.com", ex.Message);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    public async Task Other_statuses_are_registry_errors_with_the_status(int status)
    {
        using var client = Client(new FakeHandler(_ => new HttpResponseMessage((HttpStatusCode)status)));
        var ex = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestDigestAsync(ImageReference.Parse("r.example.com/a/b"), default));
        Assert.Equal(status, ex.StatusCode);
        Assert.Contains(status.ToString(), ex.Message);
    }

    [Fact]
    public async Task A_registry_that_does_not_answer_is_unreachable_after_the_timeout()
    {
        var handler = new FakeHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return Ok();
        });
        using var client = new RegistryClient(new RegistryClientOptions { DockerConfigDirectory = _config.Path, Timeout = TimeSpan.FromMilliseconds(500) }, _logger, handler);

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RegistryUnreachableException>(() => client.GetManifestDigestAsync(ImageReference.Parse("r.example.com/a/b"), default));
        Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0.4, 3);
        Assert.Contains("unreachable", ex.Message);
        Assert.Contains("0.5 s", ex.Message);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_reported_as_unreachable()
    {
        var handler = new FakeHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return Ok();
        });
        using var client = Client(handler);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetManifestDigestAsync(ImageReference.Parse("r.example.com/a/b"), cts.Token));
    }

    [Fact]
    public async Task Concurrent_checks_of_one_repository_share_one_token()
    {
        var tokenRequests = 0;
        var handler = new FakeHandler(async (request, ct) =>
        {
            if (request.RequestUri!.AbsolutePath == "/token")
            {
                Interlocked.Increment(ref tokenRequests);
                await Task.Delay(100, ct);
                return Json("{\"token\":\"t\"}");
            }

            return request.Headers.Authorization is null ? Challenge("Bearer realm=\"https://r.example.com/token\"") : Ok();
        });
        using var client = Client(handler);

        var image = ImageReference.Parse("r.example.com/a/b");
        var digests = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetManifestDigestAsync(image, default)));

        Assert.All(digests, d => Assert.Equal(Digest, d));
        Assert.Equal(1, tokenRequests);
    }
}
