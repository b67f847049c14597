using ArkManager.Images.Docker;

namespace ArkManager.Images.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class DockerEndpointTests : IDisposable
{
    private readonly string _config = Directory.CreateTempSubdirectory("arkdock-").FullName;

    public void Dispose() => Directory.Delete(_config, true);

    private static Func<string, string?> Env(params (string Key, string Value)[] vars) =>
        key => vars.FirstOrDefault(v => v.Key == key).Value;

    [Fact]
    public void Explicit_host_wins_over_DOCKER_HOST()
    {
        var e = DockerEndpoint.Resolve("unix:///tmp/a.sock", _config, Env(("DOCKER_HOST", "unix:///tmp/b.sock")), false);
        Assert.Equal("unix:///tmp/a.sock", e.Display);
        Assert.Equal("option", e.Source);
    }

    [Fact]
    public void DOCKER_HOST_is_used_when_no_option()
    {
        var e = DockerEndpoint.Resolve(null, _config, Env(("DOCKER_HOST", "tcp://10.1.2.3:2375")), false);
        Assert.Equal("tcp", e.Uri.Scheme);
        Assert.Equal("DOCKER_HOST", e.Source);
        Assert.False(e.UseTls);
    }

    [Fact]
    public void Platform_defaults()
    {
        Assert.Equal(DockerEndpoint.DefaultUnixSocket, DockerEndpoint.Resolve(null, _config, Env(), false).Display);
        Assert.Equal(DockerEndpoint.DefaultNamedPipe, DockerEndpoint.Resolve(null, _config, Env(), true).Display);
    }

    [Fact]
    public void TLS_verify_uses_the_cert_path()
    {
        var e = DockerEndpoint.Resolve(null, _config, Env(("DOCKER_HOST", "tcp://docker.lan:2376"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", "/certs")), false);
        Assert.True(e.UseTls);
        Assert.True(e.VerifyServer);
        Assert.Equal("/certs", e.CertificateDirectory);
    }

    [Fact]
    public void Current_context_from_config_json()
    {
        var id = DockerEndpoint.ContextId("remote");
        var meta = Path.Combine(_config, "contexts", "meta", id);
        Directory.CreateDirectory(meta);
        File.WriteAllText(Path.Combine(meta, "meta.json"), """{"Name":"remote","Endpoints":{"docker":{"Host":"tcp://ctx.lan:2375","SkipTLSVerify":false}}}""");
        File.WriteAllText(Path.Combine(_config, "config.json"), """{"currentContext":"remote"}""");
        var e = DockerEndpoint.Resolve(null, _config, Env(), false);
        Assert.Equal("tcp://ctx.lan:2375", e.Uri.OriginalString.TrimEnd('/'));
        Assert.Equal("context remote", e.Source);

        // DOCKER_HOST still wins over the context, as in the Docker CLI.
        Assert.Equal("DOCKER_HOST", DockerEndpoint.Resolve(null, _config, Env(("DOCKER_HOST", "unix:///x.sock")), false).Source);
    }

    [Fact]
    public void Unknown_context_is_a_clear_error()
    {
        var ex = Assert.Throws<DockerUnavailableException>(() => DockerEndpoint.Resolve(null, _config, Env(("DOCKER_CONTEXT", "nowhere")), false));
        Assert.Contains("nowhere", ex.Message);
    }

    [Theory]
    [InlineData("ssh://me@host", "ssh")]
    [InlineData("ftp://host", "ftp")]
    public void Unsupported_schemes_are_refused(string host, string fragment)
    {
        var ex = Assert.Throws<DockerUnavailableException>(() => DockerEndpoint.Resolve(host, _config, Env(), false));
        Assert.Contains(fragment, ex.Message);
    }

    [Theory]
    [InlineData("1.41", "1.12", "1.41")]
    [InlineData("1.47", "1.24", "1.47")]
    [InlineData("1.60", "1.24", "1.54")]
    public void Api_version_is_the_lower_of_daemon_max_and_library_max(string max, string min, string expected)
    {
        Assert.Equal(expected, DockerConnection.Negotiate(max, min, "x").Version.ToString());
    }

    [Fact]
    public void Api_version_below_daemon_minimum_is_refused()
    {
        var ex = Assert.Throws<DockerUnavailableException>(() => DockerConnection.Negotiate("1.70", "1.60", "unix:///x"));
        Assert.Contains("1.60", ex.Message);
    }

    [Fact]
    public void Too_old_daemon_is_refused()
    {
        var ex = Assert.Throws<DockerUnavailableException>(() => DockerConnection.Negotiate("1.40", "1.12", "unix:///x"));
        Assert.Contains("20.10", ex.Message);
    }
}
