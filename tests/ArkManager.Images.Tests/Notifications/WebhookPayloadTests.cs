using System.Text.Json;
using ArkManager.Images.Notifications;

namespace ArkManager.Images.Tests.Notifications;

[Trait("Category", "Unit")]
public sealed class WebhookPayloadTests
{
    private const string Old = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string New = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    private static readonly DateTimeOffset At = new(2025, 3, 4, 5, 6, 7, 890, TimeSpan.FromHours(2));

    private static NotificationMessage Message(NotificationEvent e, string? server = "Island", string? error = null) => new()
    {
        Event = e,
        Image = "tbro98/ase-server:latest",
        Server = server,
        OldDigest = Old,
        NewDigest = New,
        Outcome = server is null ? null : e.ToString(),
        Error = error,
        Registry = e == NotificationEvent.UpdateAvailable ? "registry-1.docker.io" : null,
        Timestamp = At,
        Host = "arkhost",
    };

    private static JsonElement Parse(byte[] body) => JsonDocument.Parse(body).RootElement.Clone();

    [Fact]
    public void Json_payload_has_every_documented_key()
    {
        var root = Parse(WebhookPayload.Build(WebhookFormat.Json, Message(NotificationEvent.RolledBack, error: "health gate: container exited with 1")));

        Assert.Equal("rolledBack", root.GetProperty("event").GetString());
        Assert.Equal("tbro98/ase-server:latest", root.GetProperty("image").GetString());
        Assert.Equal("Island", root.GetProperty("server").GetString());
        Assert.Equal(Old, root.GetProperty("oldDigest").GetString());
        Assert.Equal(New, root.GetProperty("newDigest").GetString());
        Assert.Equal("RolledBack", root.GetProperty("outcome").GetString());
        Assert.Equal("health gate: container exited with 1", root.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("registry").ValueKind);
        Assert.Equal("2025-03-04T03:06:07.890Z", root.GetProperty("timestamp").GetString());
        Assert.Equal("arkhost", root.GetProperty("host").GetString());
        Assert.Equal("ArkManager.Images", root.GetProperty("tool").GetString());
        Assert.Contains("rolled back", root.GetProperty("message").GetString());
        Assert.Equal(
            new[] { "event", "image", "server", "oldDigest", "newDigest", "outcome", "error", "registry", "message", "timestamp", "host", "tool" },
            root.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData(NotificationEvent.UpdateAvailable, "updateAvailable")]
    [InlineData(NotificationEvent.Updated, "updated")]
    [InlineData(NotificationEvent.RolledBack, "rolledBack")]
    [InlineData(NotificationEvent.Failed, "failed")]
    public void Json_event_names_are_camel_case(NotificationEvent e, string name)
    {
        var root = Parse(WebhookPayload.Build(WebhookFormat.Json, Message(e)));
        Assert.Equal(name, root.GetProperty("event").GetString());
    }

    [Fact]
    public void Json_update_available_has_no_server_and_names_the_registry()
    {
        var root = Parse(WebhookPayload.Build(WebhookFormat.Json, Message(NotificationEvent.UpdateAvailable, server: null)));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("server").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("outcome").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error").ValueKind);
        Assert.Equal("registry-1.docker.io", root.GetProperty("registry").GetString());
        Assert.Equal("Update available for tbro98/ase-server:latest (sha256:111111111111 → sha256:222222222222) on arkhost.", root.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(NotificationEvent.UpdateAvailable, 0x3498DB, "Update available: tbro98/ase-server:latest")]
    [InlineData(NotificationEvent.Updated, 0x2ECC71, "Updated: Island")]
    [InlineData(NotificationEvent.RolledBack, 0xE67E22, "Rolled back: Island")]
    [InlineData(NotificationEvent.Failed, 0xE74C3C, "Update failed: Island")]
    public void Discord_payload_has_content_and_one_embed(NotificationEvent e, int color, string title)
    {
        var server = e == NotificationEvent.UpdateAvailable ? null : "Island";
        var root = Parse(WebhookPayload.Build(WebhookFormat.Discord, Message(e, server, e is NotificationEvent.RolledBack or NotificationEvent.Failed ? "boom" : null)));

        Assert.Equal("ArkManager", root.GetProperty("username").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("content").GetString()));
        Assert.Equal(0, root.GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength());
        var embed = Assert.Single(root.GetProperty("embeds").EnumerateArray());
        Assert.Equal(title, embed.GetProperty("title").GetString());
        Assert.Equal(color, embed.GetProperty("color").GetInt32());
        Assert.Equal("2025-03-04T03:06:07.890Z", embed.GetProperty("timestamp").GetString());
        Assert.False(string.IsNullOrWhiteSpace(embed.GetProperty("description").GetString()));

        var fields = embed.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f);
        Assert.Equal("`tbro98/ase-server:latest`", fields["Image"].GetProperty("value").GetString());
        Assert.Equal("arkhost", fields["Host"].GetProperty("value").GetString());
        Assert.True(fields["Image"].GetProperty("inline").GetBoolean());
        Assert.Contains(New, fields.Values.Select(f => f.GetProperty("value").GetString()).Single(v => v!.Contains("2222")));
        if (server is null)
        {
            Assert.False(fields.ContainsKey("Server"));
            Assert.True(fields.ContainsKey("Registry digest"));
        }
        else
        {
            Assert.Equal("`Island`", fields["Server"].GetProperty("value").GetString());
        }

        if (e is NotificationEvent.RolledBack or NotificationEvent.Failed)
        {
            Assert.Equal("boom", fields["Error"].GetProperty("value").GetString());
            Assert.EndsWith(": boom", root.GetProperty("content").GetString());
        }
        else
        {
            Assert.False(fields.ContainsKey("Error"));
        }
    }

    [Fact]
    public void Discord_payload_stays_within_discords_limits()
    {
        var huge = new string('x', 9000) + "😀" + new string('y', 3000);
        var message = Message(NotificationEvent.Failed, server: new string('s', 5000), error: huge) with { Image = "reg.example.org/" + new string('i', 4000) + ":v1", Host = new string('h', 3000) };
        var root = Parse(WebhookPayload.Build(WebhookFormat.Discord, message));

        Assert.True(root.GetProperty("content").GetString()!.Length <= 2000);
        var embed = root.GetProperty("embeds")[0];
        var title = embed.GetProperty("title").GetString()!;
        var description = embed.GetProperty("description").GetString()!;
        Assert.True(title.Length <= 256);
        Assert.True(description.Length <= 4096);
        var total = title.Length + description.Length + embed.GetProperty("footer").GetProperty("text").GetString()!.Length;
        var fields = embed.GetProperty("fields").EnumerateArray().ToList();
        Assert.True(fields.Count <= 25);
        foreach (var field in fields)
        {
            var name = field.GetProperty("name").GetString()!;
            var value = field.GetProperty("value").GetString()!;
            Assert.InRange(name.Length, 1, 256);
            Assert.InRange(value.Length, 1, 1024);
            total += name.Length + value.Length;
        }

        Assert.True(total <= 6000, $"embed has {total} characters");
        Assert.EndsWith("…", fields.Single(f => f.GetProperty("name").GetString() == "Error").GetProperty("value").GetString());
    }

    [Fact]
    public void Discord_names_are_code_spans_that_cannot_be_broken()
    {
        var root = Parse(WebhookPayload.Build(WebhookFormat.Discord, Message(NotificationEvent.Updated, server: "my_`evil`_server")));
        var content = root.GetProperty("content").GetString()!;
        Assert.Contains("`my_'evil'_server`", content);
        Assert.Contains("`tbro98/ase-server:latest`", content);
    }

    [Fact]
    public void Truncate_never_splits_a_surrogate_pair()
    {
        var text = new string('a', 8) + "😀" + "bbbb"; // the emoji occupies positions 8 and 9
        var cut = WebhookPayload.Truncate(text, 10);
        Assert.Equal(new string('a', 8) + "…", cut);
        Assert.True(cut.Length <= 10);
        Assert.Equal("abc", WebhookPayload.Truncate("abc", 3));
        Assert.Equal("ab…", WebhookPayload.Truncate("abcd", 3));
    }

    [Fact]
    public void Short_digests_keep_the_algorithm_and_twelve_digits()
    {
        Assert.Equal("sha256:111111111111", WebhookPayload.ShortDigest(Old));
        Assert.Equal("unknown", WebhookPayload.ShortDigest(null));
        Assert.Equal("sha256:abc", WebhookPayload.ShortDigest("sha256:abc"));
    }

    [Fact]
    public void An_update_result_becomes_one_event_per_updated_rolled_back_or_failed_server()
    {
        var result = new ImageUpdateResult
        {
            Image = "tbro98/ase-server:latest",
            Pulled = true,
            Check = new ImageUpdateCheck { Image = "tbro98/ase-server:latest", LocalDigest = Old, RemoteDigest = New, UpdateAvailable = true },
            Servers = new[]
            {
                new ServerUpdateResult { Server = "A", Image = "tbro98/ase-server:latest", Outcome = UpdateOutcome.Updated, OldDigest = Old, NewDigest = New },
                new ServerUpdateResult { Server = "B", Image = "tbro98/ase-server:latest", Outcome = UpdateOutcome.RolledBack, OldDigest = Old, Error = "unhealthy" },
                new ServerUpdateResult { Server = "C", Image = "tbro98/ase-server:latest", Outcome = UpdateOutcome.Failed, Error = "rename failed" },
                new ServerUpdateResult { Server = "D", Image = "tbro98/ase-server:latest", Outcome = UpdateOutcome.AlreadyCurrent },
                new ServerUpdateResult { Server = "E", Image = "tbro98/ase-server:latest", Outcome = UpdateOutcome.Skipped },
                new ServerUpdateResult { Server = "F", Image = "tbro98/ase-server:latest", Outcome = UpdateOutcome.Recovered },
            },
        };

        var messages = WebhookNotifier.MessagesOf(result, At, "arkhost");
        Assert.Equal(new[] { "A", "B", "C" }, messages.Select(m => m.Server));
        Assert.Equal(new[] { NotificationEvent.Updated, NotificationEvent.RolledBack, NotificationEvent.Failed }, messages.Select(m => m.Event));
        Assert.Null(messages[0].Error);
        Assert.Equal(New, messages[1].NewDigest); // taken from the check when the server result has none
        Assert.Equal("unhealthy", messages[1].Error);
        Assert.Equal("RolledBack", messages[1].Outcome);
    }

    [Fact]
    public void An_update_without_server_events_is_reported_image_wide()
    {
        var failed = WebhookNotifier.MessagesOf(new ImageUpdateResult { Image = "a/b:c", Succeeded = false, Summary = "pull failed: denied" }, At, "h");
        var onlyFailed = Assert.Single(failed);
        Assert.Equal(NotificationEvent.Failed, onlyFailed.Event);
        Assert.Null(onlyFailed.Server);
        Assert.Equal("pull failed: denied", onlyFailed.Error);

        var pulled = WebhookNotifier.MessagesOf(new ImageUpdateResult { Image = "a/b:c", Succeeded = true, Pulled = true }, At, "h");
        Assert.Equal(NotificationEvent.Updated, Assert.Single(pulled).Event);

        Assert.Empty(WebhookNotifier.MessagesOf(new ImageUpdateResult { Image = "a/b:c", Succeeded = true }, At, "h"));
        Assert.Empty(WebhookNotifier.MessagesOf(
            new ImageUpdateResult { Image = "a/b:c", Succeeded = true, Servers = new[] { new ServerUpdateResult { Server = "A", Outcome = UpdateOutcome.AlreadyCurrent } } }, At, "h"));
    }

    [Fact]
    public void A_manual_rollback_is_reported_as_a_rollback_with_outcome_Reverted_never_as_an_update()
    {
        var result = new ImageUpdateResult
        {
            Image = "a/b:c",
            Succeeded = true,
            Servers = new[]
            {
                new ServerUpdateResult { Server = "A", Outcome = UpdateOutcome.Updated },
                new ServerUpdateResult { Server = "B", Outcome = UpdateOutcome.Reverted, OldDigest = New, NewDigest = Old },
            },
        };

        var messages = WebhookNotifier.MessagesOf(result, At, "h");
        Assert.Equal(new[] { NotificationEvent.Updated, NotificationEvent.RolledBack }, messages.Select(m => m.Event));
        Assert.Equal(new[] { "Updated", "Reverted" }, messages.Select(m => m.Outcome));
        Assert.Null(messages[1].Error);
        Assert.Equal(Old, messages[1].NewDigest);
        Assert.True(result.Servers[1].Succeeded);
        Assert.Null(result.Servers[1].ToException());
    }
}
