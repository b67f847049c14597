using System.Text.Json;
using ArkManager.Images.AspNetCore.Tests.Infrastructure;
using ArkManager.Images.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ArkManager.Images.AspNetCore.Tests;

/// <summary>Health checks and configuration binding of a hosted manager, over the sandbox engine.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Health_is_degraded_naming_the_missing_image_then_healthy_after_a_pull()
    {
        using var host = new WebHost();
        var client = host.Client(null);
        Assert.False(host.Sandbox.ImageExists(host.Image));

        var degraded = await WebHost.Json(await client.GetAsync("/health"));
        Assert.Equal("Degraded", degraded.GetProperty("status").GetString());
        Assert.Equal("Healthy", Check(degraded, "ark-docker").GetProperty("status").GetString());
        var images = Check(degraded, "ark-images");
        Assert.Equal("Degraded", images.GetProperty("status").GetString());
        Assert.Contains(host.Image, images.GetProperty("description").GetString());
        // The health probe looked only: still nothing pulled.
        Assert.False(host.Sandbox.ImageExists(host.Image));
        // The registry answers even though the image is not local.
        Assert.Equal("Healthy", Check(degraded, "ark-registry").GetProperty("status").GetString());

        await host.Manager.PullImageAsync(host.Image);
        var healthy = await WebHost.Json(await client.GetAsync("/health"));
        Assert.Equal("Healthy", healthy.GetProperty("status").GetString());
        Assert.Equal("Healthy", Check(healthy, "ark-images").GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_registry_check_names_a_registry_that_is_down_although_its_image_is_not_local()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var down = $"127.0.0.1:{closedPort}";
        var sandbox = Sandbox.Current;
        using var host = new WebHost(s =>
        {
            s["ArkManager:requiredImages:1"] = down + "/tbro98/ase-server:latest";
            s["ArkManager:requiredImages:2"] = sandbox.AuthRegistry + "/tbro98/ase-server:latest";
            s["ArkManager:registryTimeoutSeconds"] = "5";
        });
        Assert.False(host.Sandbox.ImageExists(down + "/tbro98/ase-server:latest"));

        var report = await WebHost.Json(await host.Client(null).GetAsync("/health"));

        var registry = Check(report, "ark-registry");
        Assert.Equal("Degraded", registry.GetProperty("status").GetString());
        var description = registry.GetProperty("description").GetString()!;
        Assert.Contains($"{down} (http://{down}/v2/)", description);
        // In the same report: the plain registry (HTTP 200) and the token registry (401 with a challenge) answered.
        Assert.DoesNotContain(sandbox.Registry, description);
        Assert.DoesNotContain(sandbox.AuthRegistry, description);
        var probes = (await host.Manager.ProbeRegistriesAsync()).ToDictionary(p => p.Registry);
        Assert.Equal(3, probes.Count);
        Assert.False(probes[down].Reachable);
        Assert.Null(probes[down].StatusCode);
        Assert.True(probes[sandbox.Registry].Reachable);
        Assert.Equal(200, probes[sandbox.Registry].StatusCode);
        Assert.True(probes[sandbox.AuthRegistry].Reachable, probes[sandbox.AuthRegistry].Detail);
        Assert.Equal(401, probes[sandbox.AuthRegistry].StatusCode);
        Assert.Contains("asks for authentication (Bearer)", probes[sandbox.AuthRegistry].Detail);
        // Nothing was pulled by the probes.
        Assert.False(host.Sandbox.ImageExists(host.Image));
    }

    [Fact]
    public async Task Health_is_unhealthy_when_docker_is_unreachable()
    {
        var missingSocket = Path.Combine(Path.GetTempPath(), "ark-no-docker-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        using var host = new WebHost(s =>
        {
            s["ArkManager:dockerHost"] = "unix://" + missingSocket;
            s["ArkManager:connectTimeoutSeconds"] = "2";
        });
        var report = await WebHost.Json(await host.Client(null).GetAsync("/health"));
        Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
        var docker = Check(report, "ark-docker");
        Assert.Equal("Unhealthy", docker.GetProperty("status").GetString());
        Assert.Contains(missingSocket, docker.GetProperty("description").GetString());
        Assert.Equal("Unhealthy", Check(report, "ark-images").GetProperty("status").GetString());
    }

    [Fact]
    public void A_bad_configuration_value_stops_the_host_at_start_with_the_config_file_message()
    {
        using var host = new WebHost(s => s["ArkManager:maxConcurrentChecks"] = "0");
        var error = Assert.Throws<OptionsValidationException>(() => host.Client("alice"));
        Assert.Contains("'maxConcurrentChecks' must be a whole number from 1 to 256.", error.Message);
        Assert.Contains("ArkManager", error.Message);

        using var badImage = new WebHost(s => s["ArkManager:requiredImages:0"] = "UPPER/Case::bad");
        var imageError = Assert.Throws<OptionsValidationException>(() => badImage.Client("alice"));
        Assert.Contains("UPPER/Case::bad", imageError.Message);
    }

    [Fact]
    public void The_section_binds_the_config_file_keys()
    {
        using var host = new WebHost(s =>
        {
            s["ArkManager:maxConcurrentChecks"] = "3";
            s["ArkManager:registryTimeoutSeconds"] = "7.5";
            s["ArkManager:insecureRegistries:0"] = "10.0.0.1:5000";
            s["ArkManager:webhooks:0:url"] = "http://127.0.0.1:9/hook";
            s["ArkManager:webhooks:0:format"] = "Discord";
        });
        var options = host.Factory.Services.GetRequiredService<ArkManagerOptions>();
        Assert.Equal(3, options.MaxConcurrentChecks);
        Assert.Equal(TimeSpan.FromSeconds(7.5), options.RegistryTimeout);
        Assert.Equal(new[] { host.Image }, options.RequiredImages);
        Assert.Equal(new[] { "10.0.0.1:5000" }, options.InsecureRegistries);
        Assert.Equal(WebhookFormat.Discord, Assert.Single(options.Webhooks).Format);
        Assert.Equal(host.Sandbox.DockerHost, host.Manager.Options.DockerHost);
        // Keys that are absent keep the defaults.
        Assert.Equal(new ArkManagerOptions().ConnectTimeout, options.ConnectTimeout);
    }

    private static JsonElement Check(JsonElement report, string name) => report.GetProperty("checks").GetProperty(name);
}
