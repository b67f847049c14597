using ArkManager.Images.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ArkManager.Images.AspNetCore.Tests;

/// <summary>
/// The dashboard in a real browser: Debian's Chromium (/usr/bin/chromium) driven by Playwright, against the sample host
/// on Kestrel (127.0.0.1, a free port) over the sandbox engine. Screenshots go to artifacts/screenshots/.
/// </summary>
public sealed class DashboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Pull_shows_the_bar_reach_100_then_the_update_dialog_lists_the_server_and_the_update_lands_in_the_history()
    {
        Assert.True(File.Exists(Chromium), "Chromium is missing: apt-get install -y --no-install-recommends chromium");
        using var host = new WebHost(uniqueLayer: true);
        var args = host.Settings.Select(p => $"--{p.Key}={p.Value}").Append("--urls=http://127.0.0.1:0").ToArray();
        await using var app = SampleApp.Build(args);
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var manager = app.Services.GetRequiredService<IArkImageManager>();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = new[] { "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage", "--no-first-run" },
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await context.AddCookiesAsync(new[] { new Cookie { Name = "ark-user", Value = "alice", Url = url } });
        var page = await context.NewPageAsync();
        var shots = ScreenshotDirectory();

        // 1. The image is missing; Pull streams per-layer progress until the bar shows 100 %.
        await page.GotoAsync(url + "/ark/");
        var imageRow = page.Locator($"#images tr[data-image=\"{host.Image}\"]");
        await Assertions.Expect(imageRow).ToContainTextAsync("missing");
        await imageRow.GetByRole(AriaRole.Button, new() { Name = "Pull " + host.Image }).ClickAsync();
        await Assertions.Expect(page.Locator("#job")).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#job-percent")).ToHaveTextAsync("100 %");
        await Assertions.Expect(page.Locator("#job .bar")).ToHaveAttributeAsync("aria-valuenow", "100");
        Assert.True(await page.Locator("#layers li").CountAsync() >= 1, "no per-layer progress was shown");
        await Assertions.Expect(imageRow).ToContainTextAsync("present");
        Assert.True(host.Sandbox.ImageExists(host.Image));
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "dashboard-pull.png"), FullPage = true });

        // 2. Alice has a server on the image; a new version is published; the dashboard's check sees it.
        var server = await NewServerAsync(host, manager, "alice");
        var oldImageId = host.Sandbox.Docker("inspect", "--format", "{{.Image}}", server);
        host.Sandbox.PushVariant("v2", host.Image);
        await page.ClickAsync("#check-updates");
        await Assertions.Expect(page.Locator($"span[data-update=\"{host.Image}\"]")).ToHaveTextAsync("update available", new() { Timeout = 60_000 });

        // 3. The update dialog lists the affected server with the risk notice; keyboard: focus inside, Escape closes.
        var updateButton = imageRow.GetByRole(AriaRole.Button, new() { Name = "Update " + host.Image });
        await updateButton.ClickAsync();
        var dialog = page.Locator("#update-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"#affected li[data-server=\"{server}\"]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#update-risk")).ToContainTextAsync("Downtime");
        await Assertions.Expect(page.Locator("#update-risk")).ToContainTextAsync("Rollback");
        await Assertions.Expect(page.Locator("#update-risk")).ToContainTextAsync("back up");
        Assert.Equal("update-cancel", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(dialog).Not.ToBeVisibleAsync();
        Assert.Equal("Update " + host.Image, await page.EvaluateAsync<string>("document.activeElement.getAttribute('aria-label')"));
        Assert.Equal(oldImageId, host.Sandbox.Docker("inspect", "--format", "{{.Image}}", server));

        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator($"#affected li[data-server=\"{server}\"]")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "dashboard-update-dialog.png") });

        // 4. Confirm: per-step progress, the server on the new image, and a history row.
        await page.ClickAsync("#update-confirm");
        await Assertions.Expect(page.Locator("#job")).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 180_000 });
        Assert.True(await page.Locator("#steps li").CountAsync() >= 3, "no per-step progress was shown");
        await Assertions.Expect(page.Locator($"#history tr[data-server=\"{server}\"]")).ToContainTextAsync("Updated");
        var newImageId = host.Sandbox.Docker("inspect", "--format", "{{.Image}}", server);
        Assert.NotEqual(oldImageId, newImageId);
        await Assertions.Expect(page.Locator($"#servers tr[data-server=\"{server}\"]")).ToContainTextAsync(newImageId.Replace("sha256:", string.Empty)[..12]);
        var final = Path.Combine(shots, "dashboard.png");
        await page.ScreenshotAsync(new() { Path = final, FullPage = true });

        // 5. Readable on a phone: no horizontal scrolling at 390 px.
        await page.SetViewportSizeAsync(390, 844);
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways on a phone");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "dashboard-phone.png"), FullPage = true });

        var docs = Path.Combine(RepositoryRoot(), "docs", "images");
        Directory.CreateDirectory(docs);
        File.Copy(final, Path.Combine(docs, "dashboard.png"), overwrite: true);
        await app.StopAsync();
    }

    private static async Task<string> NewServerAsync(WebHost host, IArkImageManager manager, string owner)
    {
        var name = $"{owner}-{Guid.NewGuid().ToString("N")[..8]}";
        host.TrackServer(name);
        await manager.NewServerAsync(ArkManager.Images.Tests.Infrastructure.ServerFixtures.Spec(name, host.Image, host.TempDir("saved"), "vol-" + name, owner: owner));
        await manager.StartServerAsync(name);
        return name;
    }

    private static string ScreenshotDirectory()
    {
        var dir = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ArkManager.Images.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("ArkManager.Images.sln not found above " + AppContext.BaseDirectory);
    }
}
