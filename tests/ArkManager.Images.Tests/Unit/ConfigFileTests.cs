using System.Text;
using ArkManager.Images.Configuration;

namespace ArkManager.Images.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class ConfigFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("arkcfg-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Reads_every_documented_key()
    {
        var path = Write("""
            {
              // comments are allowed
              "dockerHost": "unix:///tmp/x.sock",
              "requiredImages": ["tbro98/ase-server:latest", "127.0.0.1:5000/a/b:v1"],
              "insecureRegistries": ["myreg.lan:5000"],
              "stateDirectory": "/srv/ark/state",
              "registryTimeoutSeconds": 3.5,
              "maxConcurrentChecks": 4,
            }
            """);
        var options = ArkManagerOptions.Load(path);
        Assert.Equal("unix:///tmp/x.sock", options.DockerHost);
        Assert.Equal(new[] { "tbro98/ase-server:latest", "127.0.0.1:5000/a/b:v1" }, options.RequiredImages);
        Assert.Equal(new[] { "myreg.lan:5000" }, options.InsecureRegistries);
        Assert.Equal("/srv/ark/state", options.EffectiveStateDirectory);
        Assert.Equal(TimeSpan.FromSeconds(3.5), options.RegistryTimeout);
        Assert.Equal(4, options.MaxConcurrentChecks);
        Assert.Equal(path, options.SourceFile);
    }

    [Fact]
    public void Normalises_required_images()
    {
        var options = ArkManagerOptions.Load(Write("""{ "requiredImages": ["docker.io/library/ubuntu", "index.docker.io/tbro98/ase-server"] }"""));
        Assert.Equal(new[] { "ubuntu:latest", "tbro98/ase-server:latest" }, options.RequiredImages);
    }

    [Fact]
    public void Broken_json_names_file_and_line()
    {
        var path = Write("{\n  \"dockerHost\": \"unix:///x\",\n  \"requiredImages\": [\"a:b\"\n  \"stateDirectory\": 1\n}");
        var ex = Assert.Throws<ArkConfigurationException>(() => ArkManagerOptions.Load(path));
        Assert.Equal(path, ex.FilePath);
        Assert.Equal(4, ex.LineNumber);
        Assert.Contains(path, ex.Message);
        Assert.Contains("line 4", ex.Message);
    }

    [Fact]
    public void Invalid_image_names_its_line_and_reason()
    {
        var path = Write("{\n  \"requiredImages\": [\n    \"good/image:1\",\n    \"Bad/Upper:case\"\n  ]\n}");
        var ex = Assert.Throws<ArkConfigurationException>(() => ArkManagerOptions.Load(path));
        Assert.Equal(4, ex.LineNumber);
        Assert.Contains("lowercase", ex.Message);
    }

    [Theory]
    [InlineData("{\n\"dockerhost\": \"x\"\n}", 2, "unknown key 'dockerhost'")]
    [InlineData("{\n\"requiredImages\": \"tbro98/ase-server\"\n}", 2, "must be an array")]
    [InlineData("{\n\"maxConcurrentChecks\": 0\n}", 2, "from 1 to 256")]
    [InlineData("{\n\"registryTimeoutSeconds\": -1\n}", 2, "greater than 0")]
    [InlineData("[1,2]", 1, "JSON object")]
    [InlineData("{\n\"dockerHost\": \"a\",\n\"dockerHost\": \"b\"\n}", 3, "appears twice")]
    public void Wrong_values_are_refused_with_their_line(string json, int line, string fragment)
    {
        var ex = Assert.Throws<ArkConfigurationException>(() => ArkManagerOptions.Load(Write(json)));
        Assert.Equal(line, ex.LineNumber);
        Assert.Contains(fragment, ex.Message);
    }

    [Fact]
    public void Empty_file_is_refused()
    {
        var ex = Assert.Throws<ArkConfigurationException>(() => ArkManagerOptions.Load(Write("")));
        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void Missing_explicit_file_is_an_error_not_defaults()
    {
        var path = Path.Combine(_dir, "nope.json");
        var ex = Assert.Throws<ArkConfigurationException>(() => ArkManagerOptions.Load(path));
        Assert.Contains("does not exist", ex.Message);
    }

    [Fact]
    public void Utf8_bom_is_accepted()
    {
        var path = Path.Combine(_dir, "bom.json");
        File.WriteAllBytes(path, Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("{\"dockerHost\":\"tcp://h:2375\"}")).ToArray());
        Assert.Equal("tcp://h:2375", ArkManagerOptions.Load(path).DockerHost);
    }

    [Fact]
    public void Without_a_file_the_defaults_apply()
    {
        var options = ConfigFileReader.Parse("x.json", Encoding.UTF8.GetBytes("{}"));
        Assert.Equal(new[] { ArkManagerOptions.DefaultRequiredImage }, options.RequiredImages);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ConnectTimeout);
    }
}
