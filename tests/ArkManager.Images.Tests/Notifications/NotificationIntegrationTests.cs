using System.Text.Json;
using ArkManager.Images.Tests.Infrastructure;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;

namespace ArkManager.Images.Tests.Notifications;

/// <summary>The notifier wired into the manager: check-only schedules and updates, against a loopback webhook.</summary>
[Trait("Category", "Integration")]
public sealed class NotificationIntegrationTests : SandboxTestBase
{
    [Fact]
    public async Task Update_available_is_announced_once_and_update_results_arrive_in_both_formats()
    {
        using var json = new LoopbackWebhookServer();
        using var discord = new LoopbackWebhookServer();
        var image = PushFresh("v1");
        using var setup = CreateManager(image);
        var options = setup.Options with
        {
            Webhooks = new[]
            {
                new WebhookOptions { Url = json.Url("/hook"), Format = WebhookFormat.Json },
                new WebhookOptions { Url = discord.Url("/api/webhooks/123/secret-token"), Format = WebhookFormat.Discord },
            },
        };
        using var manager = new ArkImageManager(options);
        await manager.PullImageAsync(image);
        var name = UniqueName("hook");
        TrackContainer(name);
        TrackContainer(name + "-ark-new");
        await manager.NewServerAsync(Spec(name, image, TempDir("saved"), "vol-" + name));
        await manager.StartServerAsync(name);
        Sandbox.PushVariant("v2", image);

        await manager.CheckImageUpdatesAsync(notify: true);
        await manager.CheckImageUpdatesAsync(notify: true); // same digest: not announced again
        Assert.True(await json.WaitForAsync(1, TimeSpan.FromSeconds(10)));
        Assert.Single(json.Requests);
        Assert.Single(discord.Requests);
        using (var body = JsonDocument.Parse(json.Requests[0].Body))
        {
            Assert.Equal("updateAvailable", body.RootElement.GetProperty("event").GetString());
            Assert.Equal(image, body.RootElement.GetProperty("image").GetString());
        }

        var result = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = TimeSpan.FromSeconds(60) });
        Assert.True(result.Succeeded, result.Summary);
        Assert.True(await json.WaitForAsync(2, TimeSpan.FromSeconds(10)));
        using (var body = JsonDocument.Parse(json.Requests[1].Body))
        {
            Assert.Equal("updated", body.RootElement.GetProperty("event").GetString());
            Assert.Equal(name, body.RootElement.GetProperty("server").GetString());
        }

        Assert.True(await discord.WaitForAsync(2, TimeSpan.FromSeconds(10)));
        using (var body = JsonDocument.Parse(discord.Requests[1].Body))
        {
            Assert.True(body.RootElement.GetProperty("embeds").GetArrayLength() > 0);
            Assert.Contains(name, body.RootElement.GetProperty("content").GetString());
        }
    }

    [Fact]
    public async Task An_unreachable_webhook_does_not_fail_the_update()
    {
        var image = PushFresh("v1");
        using var setup = CreateManager(image);
        using var manager = new ArkImageManager(setup.Options with
        {
            Webhooks = new[] { new WebhookOptions { Url = $"http://127.0.0.1:{LoopbackWebhookServer.ClosedPort()}/hook", Timeout = TimeSpan.FromSeconds(2) } },
        });
        await manager.PullImageAsync(image);
        var name = UniqueName("hook");
        TrackContainer(name);
        TrackContainer(name + "-ark-new");
        await manager.NewServerAsync(Spec(name, image, TempDir("saved"), "vol-" + name));
        await manager.StartServerAsync(name);
        Sandbox.PushVariant("v2", image);

        var result = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = TimeSpan.FromSeconds(60) });

        Assert.True(result.Succeeded, result.Summary);
        Assert.Equal(UpdateOutcome.Updated, Assert.Single(result.Servers).Outcome);
    }
}
