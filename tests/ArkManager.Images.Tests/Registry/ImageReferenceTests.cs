namespace ArkManager.Images.Tests.Registry;

[Trait("Category", "Unit")]
public sealed class ImageReferenceTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("ubuntu", "docker.io", "library/ubuntu", "latest", null, "ubuntu:latest")]
    [InlineData("ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", null, "ubuntu:22.04")]
    [InlineData("tbro98/ase-server", "docker.io", "tbro98/ase-server", "latest", null, "tbro98/ase-server:latest")]
    [InlineData("docker.io/library/ubuntu:latest", "docker.io", "library/ubuntu", "latest", null, "ubuntu:latest")]
    [InlineData("docker.io/ubuntu", "docker.io", "library/ubuntu", "latest", null, "ubuntu:latest")]
    [InlineData("index.docker.io/tbro98/ase-server:v1", "docker.io", "tbro98/ase-server", "v1", null, "tbro98/ase-server:v1")]
    [InlineData("registry-1.docker.io/library/ubuntu", "docker.io", "library/ubuntu", "latest", null, "ubuntu:latest")]
    [InlineData("localhost/foo", "localhost", "foo", "latest", null, "localhost/foo:latest")]
    [InlineData("localhost:5000/foo/bar:1", "localhost:5000", "foo/bar", "1", null, "localhost:5000/foo/bar:1")]
    [InlineData("127.0.0.1:5000/tbro98/ase-server:latest", "127.0.0.1:5000", "tbro98/ase-server", "latest", null, "127.0.0.1:5000/tbro98/ase-server:latest")]
    [InlineData("registry.example.com:443/a/b/c:x_Y.1-2", "registry.example.com:443", "a/b/c", "x_Y.1-2", null, "registry.example.com:443/a/b/c:x_Y.1-2")]
    [InlineData("[::1]:5000/foo", "[::1]:5000", "foo", "latest", null, "[::1]:5000/foo:latest")]
    [InlineData("  ubuntu  ", "docker.io", "library/ubuntu", "latest", null, "ubuntu:latest")]
    [InlineData("r.example/e--f__g.h", "r.example", "e--f__g.h", "latest", null, "r.example/e--f__g.h:latest")]
    public void Parses_and_normalises(string text, string registry, string repository, string? tag, string? digest, string familiar)
    {
        var reference = ImageReference.Parse(text);

        Assert.Equal(registry, reference.Registry);
        Assert.Equal(repository, reference.Repository);
        Assert.Equal(tag, reference.Tag);
        Assert.Equal(digest, reference.Digest);
        Assert.Equal(familiar, reference.ToString());
        Assert.True(ImageReference.TryParse(text, out var again, out var error));
        Assert.Null(error);
        Assert.Equal(reference, again);
    }

    [Fact]
    public void Digest_only_reference_has_no_tag()
    {
        var reference = ImageReference.Parse("ghcr.io/owner/img@sha256:" + Hex.ToUpperInvariant());
        Assert.Equal("ghcr.io", reference.Registry);
        Assert.Null(reference.Tag);
        Assert.Equal("sha256:" + Hex, reference.Digest);
        Assert.Equal("sha256:" + Hex, reference.ManifestReference);
    }

    [Fact]
    public void Tag_and_digest_together_address_the_digest()
    {
        var reference = ImageReference.Parse("img:1.0@sha256:" + Hex);
        Assert.Equal("1.0", reference.Tag);
        Assert.Equal("sha256:" + Hex, reference.ManifestReference);
        Assert.Equal("docker.io/library/img:1.0@sha256:" + Hex, reference.FullName);
    }

    [Theory]
    [InlineData("ubuntu", true, false, "registry-1.docker.io")]
    [InlineData("127.0.0.1:5000/x/y", false, true, "127.0.0.1:5000")]
    [InlineData("localhost:5000/x", false, true, "localhost:5000")]
    [InlineData("[::1]:5000/x", false, true, "[::1]:5000")]
    [InlineData("127.10.0.3/x", false, true, "127.10.0.3")]
    [InlineData("registry.example.com/x", false, false, "registry.example.com")]
    [InlineData("localhost.example.com/x", false, false, "localhost.example.com")]
    public void Registry_kind_and_api_host(string text, bool hub, bool loopback, string apiHost)
    {
        var reference = ImageReference.Parse(text);
        Assert.Equal(hub, reference.IsDockerHub);
        Assert.Equal(loopback, reference.IsLoopbackRegistry);
        Assert.Equal(apiHost, reference.RegistryApiHost);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(":")]
    [InlineData("ubuntu:")]
    [InlineData(":latest")]
    [InlineData("Ubuntu")]
    [InlineData("tbro98/ASE-server")]
    [InlineData("registry.example.com/Repo")]
    [InlineData("ubuntu:-bad")]
    [InlineData("ubuntu:.bad")]
    [InlineData("ubuntu:bad/tag")]
    [InlineData("ubuntu@sha256:abc")]
    [InlineData("ubuntu@")]
    [InlineData("ubuntu@sha256:0123456789abcdef0123456789abcdef")]
    [InlineData("a//b")]
    [InlineData("foo/")]
    [InlineData("/foo")]
    [InlineData("with space")]
    [InlineData("a_-b")]
    [InlineData("-ubuntu")]
    [InlineData("bad_host.example.com/x")]
    public void Refuses_invalid_references(string? text)
    {
        Assert.False(ImageReference.TryParse(text, out var reference, out var error));
        Assert.Null(reference);
        Assert.False(string.IsNullOrWhiteSpace(error));
        var ex = Assert.Throws<InvalidImageReferenceException>(() => ImageReference.Parse(text));
        Assert.Equal("InvalidImageReference", ex.ErrorId);
    }

    [Fact]
    public void Tag_longer_than_128_is_refused()
    {
        Assert.True(ImageReference.TryParse("ubuntu:" + new string('a', 128), out _, out _));
        Assert.False(ImageReference.TryParse("ubuntu:" + new string('a', 129), out _, out _));
    }

    [Fact]
    public void Uppercase_is_refused_with_a_reason()
    {
        Assert.False(ImageReference.TryParse("tbro98/ASE", out _, out var error));
        Assert.Contains("lowercase", error);
    }
}
