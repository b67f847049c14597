using System.Text.Json;
using ArkManager.Images.AspNetCore.Tests.Infrastructure;
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
