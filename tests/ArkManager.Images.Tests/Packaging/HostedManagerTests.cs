using System.Collections.Concurrent;
using ArkManager.Images.Tests.Infrastructure;
using ArkManager.Images.Tests.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Tests.Packaging;

/// <summary>
/// A manager registered with AddArkImageManagement: registry and webhook HTTP go through the host's IHttpClientFactory
/// named clients (a handler the host adds sees them), a hand-made manager keeps its own handlers; the run log is off
/// when the host's ILoggerFactory is used, on for a hand-made manager.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HostedManagerTests : SandboxTestBase
{
    // A daemon that cannot exist, for the run-log tests: the pull fails at once, but its run is logged (or not).
    private const string NoDaemon = "unix:///tmp/arkmgr-hosted-test-nonexistent.sock";

    [Fact]
    public async Task A_handler_the_host_adds_to_the_named_clients_sees_the_registry_HEAD_and_the_webhook_POST()
    {
        var image = PushFresh("v1");
        using var webhook = new LoopbackWebhookServer();
        var options = new ArkManagerOptions
        {
            DockerHost = Sandbox.DockerHost,
            RequiredImages = new[] { image },
            StateDirectory = TempDir("state"),
            DockerConfigDirectory = TempDir("dockercfg"),
            Webhooks = new[] { new WebhookOptions { Url = webhook.Url("/hook"), Events = new[] { NotificationEvent.UpdateAvailable } } },
        };
        var seen = new ConcurrentQueue<(string Client, string Method, string Path)>();
        var services = new ServiceCollection();
        services.AddArkImageManagement(options);
        services.AddHttpClient(ArkImageManagementServiceCollectionExtensions.RegistryHttpClientName)
            .AddHttpMessageHandler(() => new Recorder(seen, "registry"));
        services.AddHttpClient(ArkImageManagementServiceCollectionExtensions.WebhookHttpClientName)
            .AddHttpMessageHandler(() => new Recorder(seen, "webhook"));
        using var provider = services.BuildServiceProvider();
        var hosted = provider.GetRequiredService<IArkImageManager>();
        await hosted.PullImageAsync(image);
        Sandbox.PushVariant("v2", image);

        var check = await hosted.CheckImageUpdateAsync(image, notify: true);

        Assert.True(check.UpdateAvailable, check.Error);
        var repository = ImageReference.Parse(image).Repository;
        Assert.Contains(seen, s => s.Client == "registry" && s.Method == "HEAD" && s.Path == $"/v2/{repository}/manifests/latest");
        Assert.Contains(seen, s => s.Client == "webhook" && s.Method == "POST" && s.Path == "/hook");
        Assert.Single(webhook.Requests);

        // Control: a hand-made manager over the same state asks the same registry and its own webhook with its own
        // handlers; the host's handler sees nothing more.
        using var other = new LoopbackWebhookServer();
        var before = seen.Count;
        using var standalone = new ArkImageManager(options with
        {
            StateDirectory = TempDir("state2"),
            Webhooks = new[] { new WebhookOptions { Url = other.Url("/hook"), Events = new[] { NotificationEvent.UpdateAvailable } } },
        });
        var again = await standalone.CheckImageUpdateAsync(image, notify: true);
        Assert.True(again.UpdateAvailable, again.Error);
        Assert.Single(other.Requests);
        Assert.Equal(before, seen.Count);
    }

    private sealed class Recorder(ConcurrentQueue<(string Client, string Method, string Path)> seen, string client) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Enqueue((client, request.Method.Method, request.RequestUri!.AbsolutePath));
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task The_run_log_is_off_when_the_hosts_logger_factory_is_used_and_on_otherwise()
    {
        async Task<bool> RunLogged(Func<ArkManagerOptions, IArkImageManager> create)
        {
            var options = new ArkManagerOptions { DockerHost = NoDaemon, StateDirectory = TempDir("state"), ConnectTimeout = TimeSpan.FromSeconds(2) };
            var manager = create(options);
            try
            {
                await Assert.ThrowsAnyAsync<ArkManagerException>(() => manager.PullImageAsync("tbro98/ase-server:latest"));
            }
            finally
            {
                (manager as IDisposable)?.Dispose();
            }

            var file = Path.Combine(options.StateDirectory!, "logs", "arkmanager.jsonl");
            return File.Exists(file) && File.ReadAllText(file).Contains("\"run-start\"", StringComparison.Ordinal);
        }

        IArkImageManager Hosted(ArkManagerOptions options, Action<ArkImageManagementOptions>? extra = null)
        {
            var services = new ServiceCollection();
            services.AddLogging(b => b.AddProvider(Logs));
            services.AddArkImageManagement(ark =>
            {
                ark.Options = options;
                extra?.Invoke(ark);
            });
            return services.BuildServiceProvider().GetRequiredService<IArkImageManager>();
        }

        // A host that logs (its ILoggerFactory is used): no run log.
        Assert.False(await RunLogged(o => Hosted(o)));

        // The same host asking for it, a host whose logger factory is not used, and a hand-made manager (the cmdlets): written.
        Assert.True(await RunLogged(o => Hosted(o, ark => ark.RunLog = true)));
        Assert.True(await RunLogged(o => Hosted(o, ark => ark.UseLoggerFactory = false)));
        Assert.True(await RunLogged(o => new ArkImageManager(o, LoggerFactory.Create(b => b.AddProvider(Logs)))));
        Assert.True(await RunLogged(o => new ArkImageManager(o)));
    }
}
