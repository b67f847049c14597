using System.Diagnostics;
using System.Text;
using ArkManager.Images.Registry;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Tests.Registry;

[Trait("Category", "Unit")]
public sealed class DockerCredentialStoreTests : IDisposable
{
    private const string Secret = "s3cr3t-Pa55-word";
    private readonly TempDirectory _config = new();
    private readonly TempDirectory _helpers = new();
    private readonly ListLogger _logger = new();

    public void Dispose()
    {
        _config.Dispose();
        _helpers.Dispose();
    }

    private DockerCredentialStore Store(double helperTimeoutSeconds = 5) =>
        new(_config.Path, TimeSpan.FromSeconds(helperTimeoutSeconds), _logger, _helpers.Path);

    private void WriteConfig(string json) => File.WriteAllText(_config.File("config.json"), json);

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Auths_base64_auth_entry_by_exact_host()
    {
        WriteConfig($$"""{ "auths": { "127.0.0.1:5000": { "auth": "{{B64("alice:" + Secret + ":with-colon")}}" } } }""");

        var credential = await Store().GetAsync("127.0.0.1:5000", default);

        Assert.NotNull(credential);
        Assert.Equal("alice", credential!.Username);
        Assert.Equal(Secret + ":with-colon", credential.Secret);
        Assert.False(credential.IsIdentityToken);
    }

    [Fact]
    public async Task Auths_username_and_password_fields()
    {
        WriteConfig($$"""{ "auths": { "registry.example.com": { "username": "bob", "password": "{{Secret}}" } } }""");
        var credential = await Store().GetAsync("registry.example.com", default);
        Assert.Equal(("bob", Secret), (credential!.Username, credential.Secret));
    }

    [Theory]
    [InlineData("https://registry.example.com:5000/v1/")]
    [InlineData("http://registry.example.com:5000")]
    [InlineData("registry.example.com:5000/")]
    [InlineData("REGISTRY.example.com:5000")]
    public async Task Auths_key_in_url_form_matches_the_host(string key)
    {
        WriteConfig($$"""{ "auths": { "{{key}}": { "auth": "{{B64("carol:" + Secret)}}" } } }""");
        var credential = await Store().GetAsync("registry.example.com:5000", default);
        Assert.Equal("carol", credential?.Username);
    }

    [Fact]
    public async Task Auths_does_not_match_another_port_or_host()
    {
        WriteConfig($$"""{ "auths": { "registry.example.com:5001": { "auth": "{{B64("x:" + Secret)}}" }, "other.example.com": { "auth": "{{B64("y:" + Secret)}}" } } }""");
        Assert.Null(await Store().GetAsync("registry.example.com:5000", default));
        Assert.Null(await Store().GetAsync("registry.example.com", default));
    }

    [Theory]
    [InlineData("https://index.docker.io/v1/")]
    [InlineData("index.docker.io")]
    [InlineData("docker.io")]
    [InlineData("registry-1.docker.io")]
    public async Task Docker_hub_keys_all_match_every_hub_name(string key)
    {
        WriteConfig($$"""{ "auths": { "{{key}}": { "auth": "{{B64("hubuser:" + Secret)}}" } } }""");
        var store = Store();
        foreach (var name in new[] { "docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1/" })
        {
            Assert.Equal("hubuser", (await store.GetAsync(name, default))?.Username);
        }

        Assert.Null(await store.GetAsync("ghcr.io", default));
    }

    [Fact]
    public async Task Identity_token_entry()
    {
        WriteConfig($$"""{ "auths": { "registry.example.com": { "auth": "{{B64("dave:")}}", "identitytoken": "{{Secret}}" } } }""");
        var credential = await Store().GetAsync("registry.example.com", default);
        Assert.True(credential!.IsIdentityToken);
        Assert.Equal("dave", credential.Username);
        Assert.Equal(Secret, credential.Secret);
    }

    [Fact]
    public async Task Empty_entry_and_missing_file_mean_no_credentials()
    {
        Assert.Null(await Store().GetAsync("registry.example.com", default));
        WriteConfig("""{ "auths": { "registry.example.com": {} } }""");
        Assert.Null(await Store().GetAsync("registry.example.com", default));
        Assert.DoesNotContain(_logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Broken_config_is_no_credentials_and_a_warning_naming_the_file_without_the_secret()
    {
        WriteConfig($$"""{ "auths": { "registry.example.com": { "password": "{{Secret}}" x } } }""");

        Assert.Null(await Store().GetAsync("registry.example.com", default));

        var warning = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains(_config.File("config.json"), warning.Message);
        Assert.DoesNotContain(Secret, _logger.AllText);
    }

    [Fact]
    public async Task Auth_that_is_not_base64_is_ignored_with_a_warning()
    {
        WriteConfig("""{ "auths": { "registry.example.com": { "auth": "%%%not-base64" } } }""");
        Assert.Null(await Store().GetAsync("registry.example.com", default));
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("registry.example.com"));
    }

    [Fact]
    public void ToString_hides_the_secret()
    {
        var credential = new RegistryCredential("erin", Secret, false);
        Assert.DoesNotContain(Secret, credential.ToString());
        Assert.Contains("erin", credential.ToString());
    }

    [Fact]
    public void Config_directory_resolution()
    {
        Assert.Equal(Path.GetFullPath(_config.Path), DockerCredentialStore.ResolveConfigDirectory(_config.Path));
        var fallback = DockerCredentialStore.ResolveConfigDirectory(null);
        var fromEnvironment = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        Assert.Equal(
            string.IsNullOrEmpty(fromEnvironment) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker") : Path.GetFullPath(fromEnvironment),
            fallback);
    }

    // ---- credential helpers (shell scripts; Unix only) ----

    private void WriteHelper(string name, string body) => DockerConfig.WriteScript(_helpers.Path, "docker-credential-" + name, body);

    private const string EchoHelper = """
        read url
        case "$url" in
          "127.0.0.1:5000") printf '{"ServerURL":"%s","Username":"helperuser","Secret":"s3cr3t-Pa55-word"}' "$url" ;;
          "https://index.docker.io/v1/") printf '{"ServerURL":"%s","Username":"<token>","Secret":"s3cr3t-Pa55-word"}' "$url" ;;
          *) echo "credentials not found in native keychain"; exit 1 ;;
        esac
        """;

    [Fact]
    public async Task CredHelpers_entry_runs_the_helper_with_the_server_url_on_stdin()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        WriteHelper("fake", EchoHelper);
        WriteConfig("""{ "auths": { "127.0.0.1:5000": {} }, "credHelpers": { "127.0.0.1:5000": "fake", "docker.io": "fake" } }""");
        var store = Store();

        var local = await store.GetAsync("127.0.0.1:5000", default);
        Assert.Equal(("helperuser", Secret, false), (local!.Username, local.Secret, local.IsIdentityToken));
        Assert.Contains("fake", local.Source);

        var hub = await store.GetAsync("docker.io", default);
        Assert.True(hub!.IsIdentityToken);

        Assert.Null(await store.GetAsync("127.0.0.1:5001", default)); // no helper configured for it, no auths entry
        Assert.DoesNotContain(Secret, _logger.AllText);
    }

    [Fact]
    public async Task CredsStore_default_helper_and_credentials_not_found()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        WriteHelper("fake", EchoHelper);
        WriteConfig("""{ "credsStore": "fake" }""");
        var store = Store();

        Assert.Equal("helperuser", (await store.GetAsync("127.0.0.1:5000", default))?.Username);
        Assert.Null(await store.GetAsync("other.example.com", default));
        Assert.DoesNotContain(_logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Helper_without_credentials_falls_back_to_the_auths_entry_of_the_file()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        WriteHelper("fake", EchoHelper);
        WriteConfig($$"""{ "credsStore": "fake", "auths": { "other.example.com": { "auth": "{{B64("fileuser:" + Secret)}}" } } }""");
        Assert.Equal("fileuser", (await Store().GetAsync("other.example.com", default))?.Username);
    }

    [Fact]
    public async Task Helper_that_is_not_installed_is_a_warning_and_no_credentials()
    {
        WriteConfig("""{ "credsStore": "desktop" }""");
        Assert.Null(await Store().GetAsync("127.0.0.1:5000", default));
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("docker-credential-desktop"));
    }

    [Fact]
    public async Task Helper_that_hangs_is_killed_after_the_timeout()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        WriteHelper("slow", "exec sleep 30\n");
        WriteConfig("""{ "credHelpers": { "127.0.0.1:5000": "slow" } }""");

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<CredentialHelperException>(() => Store(helperTimeoutSeconds: 1).GetAsync("127.0.0.1:5000", default));
        stopwatch.Stop();

        Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0.9, 5);
        Assert.Contains("docker-credential-slow", ex.Message);
        Assert.Contains("127.0.0.1:5000", ex.Message);
        Assert.Equal("CredentialHelperFailed", ex.ErrorId);
    }

    [Fact]
    public async Task Helper_whose_child_keeps_the_pipe_open_is_still_bounded()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // The shell waits for its child; a tree kill is needed so the output pipe closes.
        WriteHelper("slowtree", "sleep 30\necho never\n");
        WriteConfig("""{ "credHelpers": { "127.0.0.1:5000": "slowtree" } }""");

        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<CredentialHelperException>(() => Store(helperTimeoutSeconds: 1).GetAsync("127.0.0.1:5000", default));
        Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0.9, 5);
    }

    [Fact]
    public async Task Helper_failure_is_an_error_without_its_output_secret()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        WriteHelper("broken", "echo 'keychain locked'\nexit 3\n");
        WriteHelper("garbage", "echo 'Secret: s3cr3t-Pa55-word not json'\n");
        WriteConfig("""{ "credHelpers": { "a.example.com": "broken", "b.example.com": "garbage" } }""");

        var broken = await Assert.ThrowsAsync<CredentialHelperException>(() => Store().GetAsync("a.example.com", default));
        Assert.Contains("exit code 3", broken.Message);
        Assert.Contains("keychain locked", broken.Message);

        var garbage = await Assert.ThrowsAsync<CredentialHelperException>(() => Store().GetAsync("b.example.com", default));
        Assert.DoesNotContain(Secret, garbage.ToString());
        Assert.DoesNotContain(Secret, _logger.AllText);
    }
}
