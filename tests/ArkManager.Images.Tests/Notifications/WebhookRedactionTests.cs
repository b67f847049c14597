using ArkManager.Images.Notifications;

namespace ArkManager.Images.Tests.Notifications;

[Trait("Category", "Unit")]
public sealed class WebhookRedactionTests
{
    private const string Token = "AbCdEf-ghIJkl_mnOPqrsTUVwxyz0123456789-abcdefghijklmnopqrstuvwxyz01";
    private const string DiscordUrl = "https://discord.com/api/webhooks/123456789012345678/" + Token;

    [Fact]
    public void ToString_and_RedactedUrl_hide_path_query_and_user_info()
    {
        var hook = new WebhookOptions { Url = DiscordUrl, Format = WebhookFormat.Discord, Events = new[] { NotificationEvent.Failed } };
        Assert.Equal("https://discord.com/…", hook.RedactedUrl);
        var text = hook.ToString();
        Assert.DoesNotContain(Token, text);
        Assert.DoesNotContain("123456789012345678", text);
        Assert.DoesNotContain("webhooks", text);
        Assert.Contains("https://discord.com/…", text);
        Assert.Contains("Discord", text);
        Assert.Contains("Failed", text);

        var withSecrets = new WebhookOptions { Url = "http://user:pa55word@127.0.0.1:8080/hooks/abc?token=" + Token };
        Assert.Equal("http://127.0.0.1:8080/…", withSecrets.RedactedUrl);
        Assert.DoesNotContain("pa55word", withSecrets.ToString());
        Assert.DoesNotContain(Token, withSecrets.ToString());

        Assert.Equal("http://[::1]:9000/…", new WebhookOptions { Url = "http://[::1]:9000/x/" + Token }.RedactedUrl);
        Assert.Equal("(invalid URL)", new WebhookOptions { Url = "no url " + Token }.RedactedUrl);
    }

    [Fact]
    public void The_options_record_printed_whole_does_not_show_a_url()
    {
        var options = new ArkManagerOptions { Webhooks = new[] { new WebhookOptions { Url = DiscordUrl } } };
        Assert.DoesNotContain(Token, options.ToString());
        Assert.DoesNotContain(Token, string.Join(",", options.Webhooks));
    }

    [Fact]
    public void Scrub_removes_every_trace_of_the_url_from_a_problem_text()
    {
        var hook = new WebhookOptions { Url = "https://user:pa55word1@hooks.example.org:8443/api/webhooks/123456789012345678/" + Token + "?thread_id=99999999999" };
        var problem = $"failed {hook.Url} and {Uri.EscapeDataString(Token)} and /api/webhooks/123456789012345678/{Token} and {Token} user:pa55word1 id 99999999999";
        var scrubbed = WebhookNotifier.Scrub(hook, problem);
        Assert.DoesNotContain(Token, scrubbed);
        Assert.DoesNotContain("123456789012345678", scrubbed);
        Assert.DoesNotContain("pa55word1", scrubbed);
        Assert.DoesNotContain("99999999999", scrubbed);
        Assert.Contains("https://hooks.example.org:8443/…", scrubbed);
        Assert.Equal("Connection refused (hooks.example.org:8443)", WebhookNotifier.Scrub(hook, "Connection refused (hooks.example.org:8443)"));
    }

    [Fact]
    public void Hook_keys_are_stable_and_do_not_contain_the_url()
    {
        var key = AnnouncementStore.HookKey(new WebhookOptions { Url = DiscordUrl });
        Assert.Equal(16, key.Length);
        Assert.Equal(key, AnnouncementStore.HookKey(new WebhookOptions { Url = DiscordUrl, Format = WebhookFormat.Discord }));
        Assert.NotEqual(key, AnnouncementStore.HookKey(new WebhookOptions { Url = DiscordUrl + "x" }));
        Assert.DoesNotContain(key, DiscordUrl);
    }

    [Fact]
    public void Notifier_refuses_an_invalid_hook_without_quoting_it()
    {
        using var state = new TempStateDirectory();
        var ex = Assert.Throws<ArgumentException>(() =>
            new WebhookNotifier(new[] { new WebhookOptions { Url = "file:///etc/" + Token } }, state.Path, new NotificationTestLogger()));
        Assert.DoesNotContain(Token, ex.Message);
    }
}
