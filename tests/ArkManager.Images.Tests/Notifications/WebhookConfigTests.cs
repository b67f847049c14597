using ArkManager.Images.Configuration;

namespace ArkManager.Images.Tests.Notifications;

[Trait("Category", "Unit")]
public sealed class WebhookConfigTests : IDisposable
{
    private const string Secret = "TOKEN-s3cr3t-abcdefghijklmnopqrstuvwxyz";

    private readonly string _dir = Directory.CreateTempSubdirectory("arkcfg-hooks-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Reads_webhooks_with_every_key_and_defaults()
    {
        var path = Write($$"""
            {
              "requiredImages": ["tbro98/ase-server:latest"],
              "webhooks": [
                { "url": "https://discord.com/api/webhooks/123/{{Secret}}", "format": "discord", "events": ["updateAvailable", "rolledBack", "failed"], "timeoutSeconds": 2.5 },
                { "url": "http://127.0.0.1:8080/hook" },
                { "url": "https://example.org/x", "format": "JSON", "events": null },
              ]
            }
            """);
        var options = ArkManagerOptions.Load(path);

        Assert.Equal(3, options.Webhooks.Count);
        var discord = options.Webhooks[0];
        Assert.Equal($"https://discord.com/api/webhooks/123/{Secret}", discord.Url);
        Assert.Equal(WebhookFormat.Discord, discord.Format);
        Assert.Equal(new[] { NotificationEvent.UpdateAvailable, NotificationEvent.RolledBack, NotificationEvent.Failed }, discord.Events);
        Assert.Equal(TimeSpan.FromSeconds(2.5), discord.Timeout);
        Assert.False(discord.Accepts(NotificationEvent.Updated));

        var plain = options.Webhooks[1];
        Assert.Equal(WebhookFormat.Json, plain.Format);
        Assert.Null(plain.Events);
        Assert.Equal(TimeSpan.FromSeconds(10), plain.Timeout);
        Assert.True(plain.Accepts(NotificationEvent.Updated));

        Assert.Equal(WebhookFormat.Json, options.Webhooks[2].Format);
        Assert.Null(options.Webhooks[2].Events);
        options.Validate();
    }

    [Fact]
    public void Without_the_key_or_with_null_there_is_no_webhook()
    {
        Assert.Empty(ArkManagerOptions.Load(Write("""{ "dockerHost": "unix:///x" }""")).Webhooks);
        Assert.Empty(ArkManagerOptions.Load(Write("""{ "webhooks": null }""")).Webhooks);
        Assert.Empty(ArkManagerOptions.Load(Write("""{ "webhooks": [] }""")).Webhooks);
        Assert.Empty(new ArkManagerOptions().Webhooks);
    }

    [Theory]
    [InlineData("{\n\"webhooks\": { \"url\": \"https://a/b\" }\n}", 2, "'webhooks' must be an array")]
    [InlineData("{\n\"webhooks\": [\n  \"https://a/b\"\n]\n}", 3, "'webhooks[0]' must be an object")]
    [InlineData("{\n\"webhooks\": [\n  { \"url\": \"https://a/b\" },\n  {\n    \"format\": \"json\"\n  }\n]\n}", 4, "'webhooks[1]' has no \"url\"")]
    [InlineData("{\n\"webhooks\": [\n  {\n    \"url\": \"ftp://files.example.org/hook\"\n  }\n]\n}", 4, "absolute http:// or https:// URL (the scheme 'ftp'")]
    [InlineData("{\n\"webhooks\": [\n  {\n    \"url\": \"example.org/hook\"\n  }\n]\n}", 4, "'webhooks[0].url' must be an absolute http:// or https:// URL")]
    [InlineData("{\n\"webhooks\": [\n  {\n    \"url\": \"\"\n  }\n]\n}", 4, "(it is empty)")]
    [InlineData("{\n\"webhooks\": [\n  {\n    \"url\": 42\n  }\n]\n}", 4, "'webhooks[0].url' must be a string")]
    [InlineData("{\n\"webhooks\": [\n  {\n    \"url\": \"https://a/b\",\n    \"format\": \"slack\"\n  }\n]\n}", 5, "'webhooks[0].format' must be \"json\" or \"discord\"")]
    [InlineData("{\n\"webhooks\": [\n  {\n    \"url\": \"https://a/b\",\n    \"events\": [\n      \"updated\",\n      \"exploded\"\n    ]\n  }\n]\n}", 7, "unknown event 'exploded' in 'webhooks[0].events'")]
    [InlineData("{\n\"webhooks\": [\n  {\n    \"url\": \"https://a/b\",\n    \"events\": [ 3 ]\n  }\n]\n}", 5, "must be a string, one of updateAvailable")]
    [InlineData("{\n\"webhooks\": [\n  {\n    \"url\": \"https://a/b\",\n    \"events\": []\n  }\n]\n}", 5, "lists no event")]
    [InlineData("{\n\"webhooks\": [\n  {\n    \"url\": \"https://a/b\",\n    \"events\": \"updated\"\n  }\n]\n}", 5, "'webhooks[0].events' must be an array")]
    [InlineData("{\n\"webhooks\": [\n  {\n    \"url\": \"https://a/b\",\n    \"timeoutSeconds\": 0\n  }\n]\n}", 5, "'webhooks[0].timeoutSeconds' must be a number of seconds greater than 0")]
    [InlineData("{\n\"webhooks\": [\n  {\n    \"url\": \"https://a/b\",\n    \"timeoutSeconds\": \"10\"\n  }\n]\n}", 5, "'webhooks[0].timeoutSeconds' must be a number")]
    [InlineData("{\n\"webhooks\": [\n  {\n    \"url\": \"https://a/b\",\n    \"secret\": \"x\"\n  }\n]\n}", 5, "unknown key 'secret' in 'webhooks[0]'")]
    [InlineData("{\n\"webhooks\": [\n  {\n    \"url\": \"https://a/b\",\n    \"url\": \"https://a/c\"\n  }\n]\n}", 5, "the key 'url' appears twice in 'webhooks[0]'")]
    [InlineData("{\n\"webhooks\": [],\n\"webhooks\": []\n}", 3, "the key 'webhooks' appears twice")]
    public void Wrong_values_are_refused_with_their_line(string json, int line, string fragment)
    {
        var path = Write(json);
        var ex = Assert.Throws<ArkConfigurationException>(() => ArkManagerOptions.Load(path));
        Assert.Equal(path, ex.FilePath);
        Assert.Equal(line, ex.LineNumber);
        Assert.Contains(fragment, ex.Message);
        Assert.Contains($"line {line}", ex.Message);
    }

    [Theory]
    [InlineData("ftp://discord.com/api/webhooks/123/" + Secret)]
    [InlineData("discord.com/api/webhooks/123/" + Secret)]
    [InlineData("mailto:hook@example.org?body=" + Secret)]
    [InlineData("not a url " + Secret)]
    public void A_refused_url_is_not_quoted_in_the_error(string url)
    {
        var path = Write("{\n\"webhooks\": [\n  { \"url\": \"" + url + "\" }\n]\n}");
        var config = Assert.Throws<ArkConfigurationException>(() => ArkManagerOptions.Load(path));
        Assert.Equal(3, config.LineNumber);
        Assert.DoesNotContain(Secret, config.Message);
        Assert.DoesNotContain("api/webhooks", config.Message);
    }

    [Fact]
    public void Unknown_top_level_key_lists_webhooks_among_the_known_keys()
    {
        var ex = Assert.Throws<ArkConfigurationException>(() => ArkManagerOptions.Load(Write("{\n\"webhook\": []\n}")));
        Assert.Equal(2, ex.LineNumber);
        Assert.Contains("webhooks", ex.Problem);
    }

    [Fact]
    public void Programmatic_options_are_validated_without_quoting_the_url()
    {
        var options = new ArkManagerOptions
        {
            Webhooks = new[] { new WebhookOptions { Url = "gopher://discord.com/api/webhooks/123/" + Secret } },
        };
        var ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.DoesNotContain(Secret, ex.Message);
        Assert.Contains("gopher://discord.com/…", ex.Message);

        var badTimeout = new ArkManagerOptions { Webhooks = new[] { new WebhookOptions { Url = "https://h/" + Secret, Timeout = TimeSpan.Zero } } };
        ex = Assert.Throws<ArgumentException>(badTimeout.Validate);
        Assert.DoesNotContain(Secret, ex.Message);

        var noEvents = new ArkManagerOptions { Webhooks = new[] { new WebhookOptions { Url = "https://h/" + Secret, Events = Array.Empty<NotificationEvent>() } } };
        Assert.Throws<ArgumentException>(noEvents.Validate);
    }

    [Fact]
    public void Parse_is_the_same_as_load()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("{ \"webhooks\": [ { \"url\": \"https://h/x\", \"format\": \"discord\" } ] }");
        var options = ConfigFileReader.Parse("mem.json", bytes);
        Assert.Equal(WebhookFormat.Discord, Assert.Single(options.Webhooks).Format);
    }
}
