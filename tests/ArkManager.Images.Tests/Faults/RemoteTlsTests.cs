using System.Text.Json;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// A remote engine over TLS: the runner process connects with DOCKER_HOST=tcp://127.0.0.1:&lt;port&gt;,
/// DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (certificates made by the test with openssl) and lists the images the engine
/// holds; with ca.pem of another CA it refuses with DockerUnavailable and says why.
/// </summary>
[Collection(SecondEngineCollection.Name)]
[Trait("Category", "Integration")]
[Trait("Category", "Faults")]
public sealed class RemoteTlsTests : FaultTestBase
{
    private readonly SecondEngine _engine;

    public RemoteTlsTests(SecondEngine engine)
    {
        _engine = engine;
    }

    [Fact]
    public async Task The_library_lists_images_over_verified_TLS_and_refuses_a_wrong_CA()
    {
        _engine.Docker("pull", "-q", Sandbox.ImageV1);
        var idOverSocket = _engine.Docker("image", "inspect", "--format", "{{.Id}}", Sandbox.ImageV1);
        var state = TempDir("tls-state");

        using (var good = RunnerProcess.Start(new[] { "env", state, Sandbox.ImageV1, "--mode", "images" }, Env(_engine.ClientCertDirectory)))
        {
            Assert.Equal(0, await good.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            var engine = good.Line("ENGINE ");
            Assert.True(engine != null, good.Output);
            var images = good.Line("IMAGES ");
            Assert.True(images != null, good.Output);
            using var doc = JsonDocument.Parse(images!["IMAGES ".Length..]);
            var status = Assert.Single(doc.RootElement.EnumerateArray());
            Assert.Contains(idOverSocket, status.GetRawText(), StringComparison.Ordinal); // the same image the unix socket shows
        }

        using (var wrong = RunnerProcess.Start(new[] { "env", state, Sandbox.ImageV1, "--mode", "images" }, Env(_engine.WrongCaDirectory)))
        {
            Assert.Equal(3, await wrong.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            var error = wrong.Line("ERROR ");
            Assert.True(error != null, wrong.Output);
            Assert.StartsWith("ERROR DockerUnavailable ", error, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1:" + _engine.TlsPort, error, StringComparison.Ordinal);
            Assert.DoesNotContain(idOverSocket, wrong.Output, StringComparison.Ordinal);
        }

        Record(nameof(The_library_lists_images_over_verified_TLS_and_refuses_a_wrong_CA), ("tlsConnections", 1), ("tlsWrongCaRefusals", 1));
    }

    private Dictionary<string, string> Env(string certPath) => new()
    {
        ["DOCKER_HOST"] = _engine.TlsHost,
        ["DOCKER_TLS_VERIFY"] = "1",
        ["DOCKER_CERT_PATH"] = certPath,
    };
}
