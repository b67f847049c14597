using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ArkManager.Images.Notifications;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Tests.Notifications;

/// <summary>The notifier against a real HTTP listener on 127.0.0.1 (no Docker needed).</summary>
[Trait("Category", "Unit")]
public sealed class WebhookNotifierTests : IDisposable
{
    private const string Token = "s3cr3t-TOKEN-0123456789abcdefghijklmnopqrstuvwxyz";
    private const string SecretPath = "/api/webhooks/123456789012345678/" + Token;
    private const string Image = "tbro98/ase-server:latest";
    private const string DigestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string DigestB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string DigestC = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

    private readonly LoopbackWebhookServer _server = new();
    private readonly TempStateDirectory _state = new();
    private readonly NotificationTestLogger _log = new();

    public void Dispose()
    {
        _server.Dispose();
        _state.Dispose();
    }

    private WebhookNotifier Notifier(params WebhookOptions[] hooks) => new(hooks, _state.Path, _log) { HostName = "arkhost", RetryDelay = TimeSpan.FromMilliseconds(20) };

    private static ImageUpdateCheck Available(string remote) => new()
    {
        Image = Image,
        Registry = "registry-1.docker.io",
        LocalDigest = DigestA,
        RemoteDigest = remote,
        UpdateAvailable = true,
        State = ImageUpdateState.UpdateAvailable,
        CheckedAt = DateTimeOffset.UtcNow,
    };

    private static ImageUpdateResult Result(params (string Server, UpdateOutcome Outcome)[] servers) => new()
    {
        Image = Image,
        Pulled = true,
        Succeeded = servers.All(s => s.Outcome is UpdateOutcome.Updated or UpdateOutcome.AlreadyCurrent),
        Servers = servers.Select(s => new ServerUpdateResult
        {
            Server = s.Server,
            Image = Image,
            Outcome = s.Outcome,
            OldDigest = DigestA,
            NewDigest = DigestB,
            Error = s.Outcome == UpdateOutcome.Updated ? null : "the new container exited with code 1",
        }).ToArray(),
    };

    private void AssertNoSecretLogged()
    {
        var text = _log.AllText;
        Assert.DoesNotContain(Token, text);
        Assert.DoesNotContain("123456789012345678", text);
        Assert.DoesNotContain("api/webhooks", text);
    }

    [Fact]
    public async Task Both_formats_arrive_with_json_content_type_and_their_body()
    {
        using var notifier = Notifier(
            new WebhookOptions { Url = _server.Url("/generic/" + Token), Format = WebhookFormat.Json },
            new WebhookOptions { Url = _server.Url(SecretPath), Format = WebhookFormat.Discord });

        await notifier.NotifyUpdateResultAsync(Result(("Island", UpdateOutcome.Updated)), CancellationToken.None);

        Assert.True(await _server.WaitForAsync(2, TimeSpan.FromSeconds(5)));
        var requests = _server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal("application/json; charset=utf-8", r.ContentType);
            Assert.StartsWith("ArkManager.Images/", r.UserAgent);
        });

        var generic = JsonDocument.Parse(requests.Single(r => r.Path.StartsWith("/generic/", StringComparison.Ordinal)).Body).RootElement;
        Assert.Equal("updated", generic.GetProperty("event").GetString());
        Assert.Equal(Image, generic.GetProperty("image").GetString());
        Assert.Equal("Island", generic.GetProperty("server").GetString());
        Assert.Equal(DigestA, generic.GetProperty("oldDigest").GetString());
        Assert.Equal(DigestB, generic.GetProperty("newDigest").GetString());
        Assert.Equal("Updated", generic.GetProperty("outcome").GetString());
        Assert.Equal("arkhost", generic.GetProperty("host").GetString());
        Assert.Equal("ArkManager.Images", generic.GetProperty("tool").GetString());
        Assert.True(DateTimeOffset.TryParse(generic.GetProperty("timestamp").GetString(), out _));

        var discord = JsonDocument.Parse(requests.Single(r => r.Path == SecretPath).Body).RootElement;
        Assert.Equal("ArkManager", discord.GetProperty("username").GetString());
        Assert.Contains("`Island`", discord.GetProperty("content").GetString());
        var embed = discord.GetProperty("embeds")[0];
        Assert.Equal("Updated: Island", embed.GetProperty("title").GetString());
        Assert.Equal(0x2ECC71, embed.GetProperty("color").GetInt32());

        Assert.Equal(2, _log.Entries.Count(e => e.EventId == 500));
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task The_same_digest_is_announced_once_and_a_new_digest_again()
    {
        var hook = new WebhookOptions { Url = _server.Url(SecretPath), Format = WebhookFormat.Discord };
        using (var notifier = Notifier(hook))
        {
            await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
            await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
            Assert.True(File.Exists(notifier.AnnouncedFile));
        }

        // A later run (a new notifier over the same state) remembers it too.
        using (var nextRun = Notifier(hook))
        {
            await nextRun.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
            Assert.Single(_server.Requests);

            await nextRun.NotifyUpdateAvailableAsync(Available(DigestC), CancellationToken.None);
            Assert.Equal(2, _server.Requests.Count);
            await nextRun.NotifyUpdateAvailableAsync(Available(DigestC), CancellationToken.None);
            Assert.Equal(2, _server.Requests.Count);

            // No update, or an unknown remote digest: nothing to announce.
            await nextRun.NotifyUpdateAvailableAsync(Available(DigestA) with { UpdateAvailable = false, State = ImageUpdateState.UpToDate }, CancellationToken.None);
            await nextRun.NotifyUpdateAvailableAsync(new ImageUpdateCheck { Image = Image, UpdateAvailable = true }, CancellationToken.None);
            Assert.Equal(2, _server.Requests.Count);
        }

        var bodies = _server.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal("Update available: " + Image, bodies[0].GetProperty("embeds")[0].GetProperty("title").GetString());
        Assert.Contains("sha256:bbbbbbbbbbbb", bodies[0].GetProperty("content").GetString());
        Assert.Contains("sha256:cccccccccccc", bodies[1].GetProperty("content").GetString());

        var stateText = File.ReadAllText(Path.Combine(_state.Path, "notifications", "announced.json"));
        Assert.Contains(DigestC, stateText);
        Assert.DoesNotContain(Token, stateText);
        Assert.DoesNotContain(_server.Url(""), stateText);
        Assert.Contains(_log.Entries, e => e.EventId == 502);
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task Concurrent_checks_over_the_same_state_announce_once()
    {
        var hook = new WebhookOptions { Url = _server.Url(SecretPath) };
        var notifiers = Enumerable.Range(0, 4).Select(_ => Notifier(hook)).ToList();
        try
        {
            await Task.WhenAll(notifiers.Select(n => Task.Run(() => n.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None))));
        }
        finally
        {
            notifiers.ForEach(n => n.Dispose());
        }

        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Each_webhook_remembers_its_own_announcements()
    {
        var first = new WebhookOptions { Url = _server.Url("/one") };
        using (var notifier = Notifier(first))
        {
            await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
        }

        var second = new WebhookOptions { Url = _server.Url("/two") };
        using (var notifier = Notifier(first, second))
        {
            await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
        }

        Assert.Equal(new[] { "/one", "/two" }, _server.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task A_failed_announcement_is_logged_and_retried_by_the_next_check()
    {
        _server.StatusCode = 500;
        _server.ResponseBody = "{\"message\":\"internal error\"}";
        var hook = new WebhookOptions { Url = _server.Url(SecretPath), Timeout = TimeSpan.FromSeconds(5) };
        using var notifier = Notifier(hook);

        await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
        // Three tries (HTTP 500 is worth another), one warning when the last failed.
        Assert.Equal(3, _server.Requests.Count);
        Assert.Equal(2, _log.Entries.Count(e => e.EventId == 508));
        var warning = Assert.Single(_log.Warnings);
        Assert.Contains("HTTP 500", warning);
        Assert.Contains("internal error", warning);
        Assert.Contains($"http://127.0.0.1:{_server.Port}/…", warning);
        Assert.Contains(_log.Entries, e => e.EventId == 501);

        // Not marked as announced: the next check tries again, and once it is accepted it is not repeated.
        _server.StatusCode = 204;
        await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
        await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
        Assert.Equal(4, _server.Requests.Count);
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task An_unreachable_webhook_does_not_throw_finishes_within_its_timeout_and_is_logged()
    {
        var closed = $"http://127.0.0.1:{LoopbackWebhookServer.ClosedPort()}{SecretPath}";
        using var notifier = Notifier(
            new WebhookOptions { Url = closed, Format = WebhookFormat.Discord, Timeout = TimeSpan.FromSeconds(3) },
            new WebhookOptions { Url = _server.Url("/working") });

        var watch = Stopwatch.StartNew();
        await notifier.NotifyUpdateResultAsync(Result(("Island", UpdateOutcome.Failed)), CancellationToken.None);
        await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
        await notifier.NotifyUpdateFailedAsync(Image, "pull failed", CancellationToken.None);
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(9), $"took {watch.Elapsed}");
        Assert.Equal(3, _log.Warnings.Count());
        Assert.All(_log.Warnings, w => Assert.Contains("127.0.0.1", w));
        Assert.Equal(new[] { "/working", "/working", "/working" }, _server.Requests.Select(r => r.Path));
        AssertNoSecretLogged();

        // The unreachable hook was not marked: a later check tries it again (and only it: first its outbox, which still fails).
        await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
        Assert.Equal(3, _server.Requests.Count);
        Assert.Equal(4, _log.Warnings.Count());
    }

    [Fact]
    public async Task A_webhook_that_never_answers_is_given_up_after_its_timeout()
    {
        _server.Hang = true;
        using var notifier = Notifier(new WebhookOptions { Url = _server.Url(SecretPath), Timeout = TimeSpan.FromSeconds(1) });

        var watch = Stopwatch.StartNew();
        await notifier.NotifyUpdateResultAsync(Result(("Island", UpdateOutcome.RolledBack)), CancellationToken.None);
        watch.Stop();

        // Each of the three tries is given up after the 1 s timeout.
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(2700), TimeSpan.FromSeconds(15));
        Assert.Equal(3, _server.Requests.Count);
        Assert.Contains("no answer within the timeout of 1 s", Assert.Single(_log.Warnings));
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_counts_as_a_failure()
    {
        _server.StatusCode = 302;
        using var notifier = Notifier(new WebhookOptions { Url = _server.Url(SecretPath) });
        await notifier.NotifyUpdateResultAsync(Result(("Island", UpdateOutcome.Updated)), CancellationToken.None);
        Assert.Single(_server.Requests);
        Assert.Contains("HTTP 302 redirect, not followed", Assert.Single(_log.Warnings));
    }

    [Fact]
    public async Task Each_webhook_gets_only_its_events()
    {
        using var notifier = Notifier(
            new WebhookOptions { Url = _server.Url("/failures"), Events = new[] { NotificationEvent.Failed, NotificationEvent.RolledBack } },
            new WebhookOptions { Url = _server.Url("/available"), Format = WebhookFormat.Discord, Events = new[] { NotificationEvent.UpdateAvailable } },
            new WebhookOptions { Url = _server.Url("/all") });

        await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
        await notifier.NotifyUpdateResultAsync(
            Result(("A", UpdateOutcome.Updated), ("B", UpdateOutcome.RolledBack), ("C", UpdateOutcome.Failed), ("D", UpdateOutcome.AlreadyCurrent), ("E", UpdateOutcome.Skipped)),
            CancellationToken.None);

        var byPath = _server.Requests.GroupBy(r => r.Path).ToDictionary(g => g.Key, g => g.Select(r => r.Body).ToList());
        static string EventOf(string body) => JsonDocument.Parse(body).RootElement.GetProperty("event").GetString()!;

        Assert.Equal(new[] { "rolledBack", "failed" }, byPath["/failures"].Select(EventOf));
        Assert.Single(byPath["/available"]);
        Assert.Contains("Update available", byPath["/available"][0]);
        Assert.Equal(new[] { "updateAvailable", "updated", "rolledBack", "failed" }, byPath["/all"].Select(EventOf));
        Assert.Equal(new[] { "A", "B", "C" }, byPath["/all"].Skip(1).Select(b => JsonDocument.Parse(b).RootElement.GetProperty("server").GetString()));
        Assert.Empty(_log.Warnings);
    }

    [Fact]
    public async Task A_rate_limited_post_is_retried_once_after_retry_after()
    {
        var handler = new ScriptedHandler(
            _ => new HttpResponseMessage((HttpStatusCode)429) { Headers = { RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero) } },
            _ => new HttpResponseMessage(HttpStatusCode.NoContent));
        using var notifier = new WebhookNotifier(new[] { new WebhookOptions { Url = "https://discord.com" + SecretPath, Format = WebhookFormat.Discord } }, _state.Path, _log, handler);

        await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
        Assert.Equal(2, handler.Calls);
        Assert.Contains(_log.Entries, e => e.EventId == 506);
        Assert.Contains(_log.Entries, e => e.EventId == 500);
        Assert.Empty(_log.Warnings);

        // Accepted on the retry, so remembered.
        await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
        Assert.Equal(2, handler.Calls);
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task A_long_rate_limit_is_not_waited_for()
    {
        var handler = new ScriptedHandler(_ => new HttpResponseMessage((HttpStatusCode)429) { Headers = { RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMinutes(5)) } });
        using var notifier = new WebhookNotifier(new[] { new WebhookOptions { Url = "https://discord.com" + SecretPath } }, _state.Path, _log, handler);

        var watch = Stopwatch.StartNew();
        await notifier.NotifyUpdateResultAsync(Result(("Island", UpdateOutcome.Updated)), CancellationToken.None);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal(1, handler.Calls);
        Assert.Contains("HTTP 429", Assert.Single(_log.Warnings));
    }

    [Fact]
    public async Task A_handler_that_throws_is_logged_not_thrown()
    {
        var handler = new ScriptedHandler(_ => throw new InvalidOperationException("handler broke while calling https://discord.com" + SecretPath));
        using var notifier = new WebhookNotifier(new[] { new WebhookOptions { Url = "https://discord.com" + SecretPath } }, _state.Path, _log, handler);

        await notifier.NotifyUpdateResultAsync(Result(("Island", UpdateOutcome.Failed)), CancellationToken.None);
        var warning = Assert.Single(_log.Warnings);
        Assert.Contains("handler broke", warning);
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task Only_the_callers_own_cancellation_is_thrown()
    {
        using var notifier = Notifier(new WebhookOptions { Url = _server.Url("/x") });
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => notifier.NotifyUpdateResultAsync(Result(("Island", UpdateOutcome.Updated)), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => notifier.NotifyUpdateAvailableAsync(Available(DigestB), cancelled.Token));
    }

    [Fact]
    public async Task A_broken_state_file_is_logged_and_started_afresh()
    {
        var dir = Path.Combine(_state.Path, "notifications");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "announced.json"), "{ not json");
        using var notifier = Notifier(new WebhookOptions { Url = _server.Url("/x") });

        await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
        await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
        Assert.Single(_server.Requests);
        Assert.Contains(_log.Entries, e => e.EventId == 503 && e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Without_webhooks_nothing_happens()
    {
        using var notifier = Notifier();
        await notifier.NotifyUpdateAvailableAsync(Available(DigestB), CancellationToken.None);
        await notifier.NotifyUpdateResultAsync(Result(("Island", UpdateOutcome.Failed)), CancellationToken.None);
        Assert.Empty(_server.Requests);
        Assert.False(Directory.Exists(Path.Combine(_state.Path, "notifications")));
    }
}
