using System.Text.Json;
using ArkManager.Images.Notifications;

namespace ArkManager.Images.Tests.Notifications;

/// <summary>
/// Delivery that loses nothing: retries with back-off and Retry-After, and the outbox of "updated / rolled back /
/// failed" notifications a webhook did not accept, sent first (in order, once) by the next run. Against a real HTTP
/// listener on 127.0.0.1.
/// </summary>
[Trait("Category", "Unit")]
public sealed class WebhookDeliveryTests : IDisposable
{
    private const string Token = "0utb0x-TOKEN-0123456789abcdefghijklmnopqrstuvwxyz";
    private const string SecretPath = "/api/webhooks/987654321098765432/" + Token;
    private const string Image = "tbro98/ase-server:latest";

    private readonly TempStateDirectory _state = new();
    private readonly NotificationTestLogger _log = new();

    public void Dispose() => _state.Dispose();

    private WebhookNotifier Notifier(string url, TimeSpan? retryDelay = null) =>
        new(new[] { new WebhookOptions { Url = url, Timeout = TimeSpan.FromSeconds(5) } }, _state.Path, _log)
        {
            HostName = "arkhost",
            RetryDelay = retryDelay ?? TimeSpan.FromMilliseconds(20),
        };

    private static ImageUpdateResult Result(params (string Server, UpdateOutcome Outcome)[] servers) => new()
    {
        Image = Image,
        Pulled = true,
        Succeeded = servers.All(s => s.Outcome == UpdateOutcome.Updated),
        Servers = servers.Select(s => new ServerUpdateResult
        {
            Server = s.Server,
            Image = Image,
            Outcome = s.Outcome,
            Error = s.Outcome == UpdateOutcome.Updated ? null : "health gate failed: exit code 1",
        }).ToArray(),
    };

    private static (string Event, string? Server) Parse(string body)
    {
        var root = JsonDocument.Parse(body).RootElement;
        return (root.GetProperty("event").GetString()!, root.TryGetProperty("server", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null);
    }

    private string[] OutboxFiles(WebhookNotifier notifier) =>
        Directory.Exists(notifier.OutboxDirectory) ? Directory.GetFiles(notifier.OutboxDirectory, "*.json") : Array.Empty<string>();

    [Fact]
    public async Task A_webhook_that_fails_twice_then_accepts_gets_the_notification_in_one_call_and_nothing_is_kept()
    {
        using var server = new LoopbackWebhookServer { StatusOf = i => i < 2 ? 503 : 204 };
        using var notifier = Notifier(server.Url(SecretPath));

        await notifier.NotifyUpdateResultAsync(Result(("Island", UpdateOutcome.Updated)), CancellationToken.None);

        Assert.Equal(3, server.Requests.Count);
        Assert.Single(server.Requests.Select(r => r.Body).Distinct());
        Assert.Equal(("updated", "Island"), Parse(server.Requests[2].Body));
        Assert.Empty(_log.Warnings);
        Assert.Equal(2, _log.Entries.Count(e => e.EventId == 508));
        Assert.Empty(OutboxFiles(notifier));
    }

    [Fact]
    public async Task A_429_waits_its_retry_after_and_a_third_failure_is_not_tried_a_fourth_time()
    {
        using var server = new LoopbackWebhookServer { StatusOf = i => i == 0 ? 429 : 204, RetryAfter = "1" };
        using var notifier = Notifier(server.Url(SecretPath), retryDelay: TimeSpan.FromMilliseconds(10));

        await notifier.NotifyUpdateResultAsync(Result(("Island", UpdateOutcome.Updated)), CancellationToken.None);

        Assert.Equal(2, server.Requests.Count);
        var gap = server.Arrivals[1] - server.Arrivals[0];
        // The back-off alone would be about 10 ms: the second try waited for the 1 s of Retry-After.
        Assert.True(gap >= TimeSpan.FromMilliseconds(900), $"the retry came after {gap.TotalMilliseconds} ms");
        Assert.Contains(_log.Entries, e => e.EventId == 506 && e.Message.Contains("1000 ms", StringComparison.Ordinal));

        // Control: always 500, so exactly three tries, then kept.
        using var failing = new LoopbackWebhookServer { StatusCode = 500 };
        using var second = Notifier(failing.Url(SecretPath));
        await second.NotifyUpdateResultAsync(Result(("Island", UpdateOutcome.Failed)), CancellationToken.None);
        Assert.Equal(3, failing.Requests.Count);
        Assert.Single(OutboxFiles(second));
    }

    [Fact]
    public async Task The_wait_for_retry_after_runs_on_the_notifiers_time_provider()
    {
        // Retry-After: 4 s on a fake clock: the retry comes when the clock passes 4 s, not after 4 s of real time.
        using var server = new LoopbackWebhookServer { StatusOf = i => i == 0 ? 429 : 204, RetryAfter = "4" };
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture));
        using var notifier = Notifier(server.Url(SecretPath));
        notifier.Time = time;

        var sending = notifier.NotifyUpdateResultAsync(Result(("Island", UpdateOutcome.Updated)), CancellationToken.None);
        Assert.True(await server.WaitForAsync(1, TimeSpan.FromSeconds(30)));
        Assert.True(await WaitForLogAsync(506, TimeSpan.FromSeconds(30)), "the retry was not scheduled");
        time.Advance(TimeSpan.FromSeconds(3));
        // Three of the four seconds passed: still one request (the back-off alone, 20 ms, would have passed). The control
        // in the same window: the clock moves on a second at a time until the retry comes.
        Assert.False(await server.WaitForAsync(2, TimeSpan.FromMilliseconds(500)));
        Assert.False(sending.IsCompleted);
        var advanced = TimeSpan.FromSeconds(3);
        while (!await server.WaitForAsync(2, TimeSpan.FromMilliseconds(300)))
        {
            Assert.True(advanced < TimeSpan.FromSeconds(20), "no retry after 20 s on the clock");
            time.Advance(TimeSpan.FromSeconds(1));
            advanced += TimeSpan.FromSeconds(1);
        }

        Assert.True(advanced >= TimeSpan.FromSeconds(4), $"the retry came after {advanced.TotalSeconds} s on the clock");
        await sending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(_log.Warnings);
        Assert.Empty(OutboxFiles(notifier));
        // The timestamp (when the event happened) comes from the same clock.
        Assert.Equal("2026-01-02T03:04:05", JsonDocument.Parse(server.Requests[1].Body).RootElement.GetProperty("timestamp").GetString()![..19]);
    }

    private async Task<bool> WaitForLogAsync(int eventId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_log.Entries.Any(e => e.EventId == eventId))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    [Fact]
    public async Task A_webhook_that_is_down_gets_the_kept_notifications_first_in_order_once_when_it_is_back()
    {
        var port = LoopbackWebhookServer.ClosedPort();
        var url = $"http://127.0.0.1:{port}{SecretPath}";

        // Run 1: the webhook is down. The first message is tried (3 times), the rest is kept without a try.
        using (var down = Notifier(url))
        {
            await down.NotifyUpdateResultAsync(Result(("A", UpdateOutcome.Updated), ("B", UpdateOutcome.RolledBack)), CancellationToken.None);
            await down.NotifyUpdateFailedAsync(Image, "pull failed: connection reset", CancellationToken.None);
            var file = Assert.Single(OutboxFiles(down));
            var kept = File.ReadAllText(file);
            Assert.DoesNotContain(Token, kept);
            Assert.DoesNotContain("987654321098765432", kept);
            Assert.Equal(3, JsonDocument.Parse(kept).RootElement.GetProperty("entries").GetArrayLength());
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }

            Assert.Equal(3, _log.Entries.Count(e => e.EventId == 509));
            Assert.DoesNotContain(Token, _log.AllText);
        }

        // Run 2 (a new notifier, as the next process would be): the webhook is back. The kept three go first, in order, then the new one.
        using var server = new LoopbackWebhookServer(port);
        using (var next = Notifier(url))
        {
            await next.NotifyUpdateResultAsync(Result(("C", UpdateOutcome.Updated)), CancellationToken.None);
            Assert.Equal(new[] { ("updated", (string?)"A"), ("rolledBack", "B"), ("failed", null), ("updated", "C") }, server.Requests.Select(r => Parse(r.Body)));
            Assert.All(server.Requests, r => Assert.Equal(SecretPath, r.Path));
            Assert.Empty(OutboxFiles(next));
            Assert.Equal(3, _log.Entries.Count(e => e.EventId == 510));

            // Once: a later run sends only its own notification.
            await next.NotifyUpdateResultAsync(Result(("D", UpdateOutcome.Updated)), CancellationToken.None);
            Assert.Equal(5, server.Requests.Count);
            Assert.Equal(("updated", "D"), Parse(server.Requests[4].Body));
        }
    }

    [Fact]
    public async Task An_announcement_is_not_kept_and_waits_behind_a_kept_notification()
    {
        var port = LoopbackWebhookServer.ClosedPort();
        var url = $"http://127.0.0.1:{port}{SecretPath}";
        var check = new ImageUpdateCheck
        {
            Image = Image,
            Registry = "registry-1.docker.io",
            LocalDigest = "sha256:" + new string('a', 64),
            RemoteDigest = "sha256:" + new string('b', 64),
            UpdateAvailable = true,
            State = ImageUpdateState.UpdateAvailable,
            CheckedAt = DateTimeOffset.UtcNow,
        };
        using (var down = Notifier(url))
        {
            await down.NotifyUpdateAvailableAsync(check, CancellationToken.None);
            Assert.Empty(OutboxFiles(down));
            await down.NotifyUpdateResultAsync(Result(("A", UpdateOutcome.Failed)), CancellationToken.None);
            Assert.Single(OutboxFiles(down));
        }

        using var server = new LoopbackWebhookServer(port);
        using var next = Notifier(url);
        await next.NotifyUpdateAvailableAsync(check, CancellationToken.None);
        Assert.Equal(new[] { "failed", "updateAvailable" }, server.Requests.Select(r => Parse(r.Body).Event));
        Assert.Empty(OutboxFiles(next));
    }
}
