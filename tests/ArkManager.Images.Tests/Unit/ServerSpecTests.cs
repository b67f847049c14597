using ArkManager.Images.Docker;
using ArkManager.Images.Servers;

namespace ArkManager.Images.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class ServerSpecTests
{
    [Theory]
    [InlineData("7777", 7777, null, "udp", null)]
    [InlineData("7777:7777/udp", 7777, 7777, "udp", null)]
    [InlineData("27020:27020/tcp", 27020, 27020, "tcp", null)]
    [InlineData("127.0.0.1:27015:27015", 27015, 27015, "udp", "127.0.0.1")]
    public void Ports_parse_like_docker_run(string text, int container, int? host, string proto, string? ip)
    {
        var p = PortMapping.Parse(text);
        Assert.Equal(container, p.ContainerPort);
        Assert.Equal(host, p.HostPort);
        Assert.Equal(proto, p.Protocol);
        Assert.Equal(ip, p.HostIp);
    }

    [Theory]
    [InlineData("")]
    [InlineData("70000")]
    [InlineData("1:2:3:4")]
    [InlineData("7777/sctp")]
    [InlineData("abc")]
    public void Bad_ports_are_refused(string text) => Assert.Throws<FormatException>(() => PortMapping.Parse(text));

    [Theory]
    [InlineData("ark-saved:/ark/ShooterGame/Saved", "ark-saved", "/ark/ShooterGame/Saved", false)]
    [InlineData("/srv/ark:/ark:ro", "/srv/ark", "/ark", true)]
    [InlineData(@"C:\ark\saved:/ark/Saved", @"C:\ark\saved", "/ark/Saved", false)]
    public void Volumes_parse(string text, string source, string target, bool ro)
    {
        var v = VolumeMapping.Parse(text);
        Assert.Equal(source, v.Source);
        Assert.Equal(target, v.Target);
        Assert.Equal(ro, v.ReadOnly);
    }

    [Fact]
    public void Volume_without_target_is_refused() => Assert.Throws<FormatException>(() => VolumeMapping.Parse("just-a-name"));

    [Theory]
    [InlineData("")]
    [InlineData("-leading")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    public void Bad_names_are_refused(string name) => Assert.Equal("InvalidServerName", Assert.Throws<InvalidServerNameException>(() => ServerSpecParser.ValidateName(name)).ErrorId);

    [Fact]
    public void Create_parameters_carry_the_spec()
    {
        var spec = new ServerSpec
        {
            Name = "island",
            Image = "127.0.0.1:5000/tbro98/ase-server:latest",
            Environment = new Dictionary<string, string> { ["SESSION_NAME"] = "My Island" },
            Ports = new[] { PortMapping.Parse("7777:7777/udp"), PortMapping.Parse("27020/tcp") },
            Volumes = new[] { VolumeMapping.Parse("island-saved:/ark/ShooterGame/Saved"), VolumeMapping.Parse("/srv/cfg:/ark/cfg:ro") },
            Network = "host",
            Labels = new Dictionary<string, string> { ["team"] = "a" },
        };
        var p = ServerContainerSpec.Build(spec, ImageReference.Parse(spec.Image));
        Assert.Equal("island", p.Name);
        Assert.Equal("127.0.0.1:5000/tbro98/ase-server:latest", p.Image);
        Assert.Contains("SESSION_NAME=My Island", p.Env);
        Assert.Equal("island", p.Labels[ServerLabels.Server]);
        Assert.Equal("a", p.Labels["team"]);
        Assert.Equal(TimeSpan.FromSeconds(300), p.StopTimeout);
        Assert.True(p.ExposedPorts!.ContainsKey("27020/tcp"));
        Assert.Equal("7777", p.HostConfig!.PortBindings["7777/udp"].Single().HostPort);
        Assert.False(p.HostConfig.PortBindings.ContainsKey("27020/tcp"));
        Assert.Equal(new[] { "volume", "bind" }, p.HostConfig.Mounts!.Select(m => m.Type));
        Assert.True(p.HostConfig.Mounts![1].ReadOnly);
        Assert.Equal("host", p.HostConfig.NetworkMode);
    }

    [Fact]
    public void Unknown_restart_policy_is_refused()
    {
        var spec = new ServerSpec { Name = "x", Image = "a/b:c", RestartPolicy = "sometimes" };
        Assert.Throws<ArgumentException>(() => ServerContainerSpec.Build(spec, ImageReference.Parse(spec.Image)));
    }
}
