namespace ArkManager.Images.Tests.Hosts;

/// <summary>The <c>hosts</c> key of the configuration file, host selection, and the manager each choice builds.</summary>
[Trait("Category", "Unit")]
public sealed class HostOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("arkhosts-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Reads_hosts_with_endpoint_tls_and_cert_path()
    {
        var options = ArkManagerOptions.Load(Write("""
            { "hosts": [
                { "name": "eu1", "dockerHost": "tcp://10.0.0.5:2376", "tlsVerify": true, "certPath": "/etc/ark/eu1" },
                { "name": "eu2", "dockerHost": "unix:///var/run/docker.sock" } ] }
            """));
        Assert.Equal(new[] { "eu1", "eu2" }, options.Hosts.Select(h => h.Name));
        Assert.True(options.Hosts[0].TlsVerify);
        Assert.Equal("/etc/ark/eu1", options.Hosts[0].CertPath);
        Assert.False(options.Hosts[1].TlsVerify);
        Assert.Null(options.DockerHost);
    }

    [Theory]
    [InlineData("""{ "hosts": [ { "name": "eu1", "dockerHost": "unix:///a" }, { "name": "EU1", "dockerHost": "unix:///b" } ] }""", "appears twice", 1)]
    [InlineData("""{ "hosts": [ { "name": "../x", "dockerHost": "unix:///a" } ] }""", "'hosts[0].name'", 1)]
    [InlineData("""{ "hosts": [ { "name": "eu1" } ] }""", "needs both", 1)]
    [InlineData("""{ "hosts": [ { "name": "eu1", "dockerHost": "unix:///a", "tls": true } ] }""", "unknown key 'tls'", 1)]
    [InlineData("""{ "hosts": { "name": "eu1" } }""", "must be an array", 1)]
    [InlineData("""{ "dockerHost": "unix:///a", "hosts": [ { "name": "eu1", "dockerHost": "unix:///b" } ] }""", "not both", null)]
    public void Refuses_broken_hosts_naming_the_problem_and_line(string json, string problem, int? line)
    {
        var path = Write(json);
        var ex = Assert.Throws<ArkConfigurationException>(() => ArkManagerOptions.Load(path));
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.Equal(line, ex.LineNumber);
    }

    [Fact]
    public void Selecting_hosts_keeps_the_configured_order_and_refuses_an_unknown_host_naming_the_known_ones()
    {
        var options = new ArkManagerOptions
        {
            Hosts = new[] { new DockerHostOptions { Name = "a", DockerHost = "unix:///a" }, new DockerHostOptions { Name = "b", DockerHost = "unix:///b" } },
        };
        Assert.Equal(new[] { "b" }, options.SelectHosts(new[] { "B" }).Hosts.Select(h => h.Name));
        var ex = Assert.Throws<UnknownHostException>(() => options.SelectHosts(new[] { "c" }));
        Assert.Contains("a, b", ex.Message, StringComparison.Ordinal);
        Assert.Equal("UnknownHost", ex.ErrorId);
        Assert.Throws<UnknownHostException>(() => new ArkManagerOptions().SelectHosts(new[] { "a" }));
    }

    [Fact]
    public void Create_builds_a_fleet_with_hosts_and_a_single_engine_manager_without()
    {
        var state = Path.Combine(_dir, "state");
        using var single = ArkImageManager.Create(new ArkManagerOptions { DockerHost = "unix:///nonexistent.sock", StateDirectory = state });
        Assert.IsType<ArkImageManager>(single);
        using var fleet = ArkImageManager.Create(new ArkManagerOptions
        {
            StateDirectory = state,
            Hosts = new[] { new DockerHostOptions { Name = "a", DockerHost = "unix:///nonexistent-a.sock" }, new DockerHostOptions { Name = "b", DockerHost = "unix:///nonexistent-b.sock" } },
        });
        var typed = Assert.IsType<ArkFleetManager>(fleet);
        Assert.Equal(new[] { "a", "b" }, typed.HostNames);
        Assert.Throws<ArgumentException>(() => new ArkManagerOptions { DockerHost = "unix:///x", Hosts = new[] { new DockerHostOptions { Name = "a", DockerHost = "unix:///a" } } }.Validate());
        Assert.Throws<ArgumentException>(() => new ArkFleetManager(new ArkManagerOptions()));
    }

    [Fact]
    public async Task Every_unreachable_host_is_a_host_error_of_a_list_never_an_exception()
    {
        using var fleet = ArkImageManager.Create(new ArkManagerOptions
        {
            StateDirectory = Path.Combine(_dir, "state"),
            RequiredImages = new[] { "127.0.0.1:1/x/y:latest" },
            Hosts = new[] { new DockerHostOptions { Name = "a", DockerHost = "unix:///nonexistent-a.sock" }, new DockerHostOptions { Name = "b", DockerHost = "unix:///nonexistent-b.sock" } },
        });
        var servers = await fleet.GetServersAsync();
        Assert.Empty(servers);
        Assert.Equal(new[] { ("a", "DockerUnavailable"), ("b", "DockerUnavailable") }, ((IHostResults)servers).HostErrors.Select(e => (e.Host, e.ErrorId)).OrderBy(e => e.Host));
        var status = await fleet.GetImageStatusAsync();
        Assert.Equal(2, ((IHostResults)status).HostErrors.Count);
        await Assert.ThrowsAsync<DockerUnavailableException>(() => fleet.StartServerAsync("island")); // it may be on a host that cannot be asked
    }
}
