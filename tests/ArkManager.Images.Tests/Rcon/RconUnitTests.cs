using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ArkManager.Images.Rcon;
using ArkManager.Images.Docker;

namespace ArkManager.Images.Tests.Rcon;

/// <summary>Pure parts of the RCON client and the safe stop: packets, ListPlayers, passwords, settings.</summary>
public sealed class RconUnitTests
{
    [Fact]
    public void A_packet_is_encoded_little_endian_with_two_terminators()
    {
        var bytes = RconPacket.Encode(0x01020304, RconPacket.ServerDataExecCommand, "SaveWorld");

        Assert.Equal(4 + 4 + 4 + 9 + 2, bytes.Length);
        Assert.Equal(new byte[] { 19, 0, 0, 0 }, bytes[..4]); // size = id + type + body + 2
        Assert.Equal(new byte[] { 4, 3, 2, 1 }, bytes[4..8]);
        Assert.Equal(new byte[] { 2, 0, 0, 0 }, bytes[8..12]);
        Assert.Equal("SaveWorld", Encoding.ASCII.GetString(bytes, 12, 9));
        Assert.Equal(new byte[] { 0, 0 }, bytes[^2..]);
    }

    [Fact]
    public void An_empty_packet_has_size_ten_and_negative_ids_round_trip()
    {
        var bytes = RconPacket.Encode(-1, RconPacket.ServerDataAuthResponse, string.Empty);
        Assert.Equal(14, bytes.Length);
        Assert.Equal(10, RconPacket.ReadInt32(bytes, 0));

        Assert.True(RconPacket.TryDecode(bytes, 0, bytes.Length, out var packet, out var consumed));
        Assert.Equal(14, consumed);
        Assert.Equal(-1, packet.Id);
        Assert.Equal(RconPacket.ServerDataAuthResponse, packet.Type);
        Assert.Empty(packet.Body);
    }

    [Fact]
    public void Packets_decode_one_after_another_and_a_partial_packet_waits_for_more_bytes()
    {
        var a = RconPacket.Encode(7, 0, "first");
        var b = RconPacket.Encode(8, 0, "zweite Antwort \u00e4\u00f6\u00fc");
        var stream = a.Concat(b).ToArray();

        Assert.True(RconPacket.TryDecode(stream, 0, stream.Length, out var p1, out var used1));
        Assert.Equal("first", p1.Text);
        Assert.True(RconPacket.TryDecode(stream, used1, stream.Length - used1, out var p2, out var used2));
        Assert.Equal("zweite Antwort \u00e4\u00f6\u00fc", p2.Text);
        Assert.Equal(stream.Length, used1 + used2);

        for (var cut = 0; cut < a.Length; cut++)
        {
            Assert.False(RconPacket.TryDecode(a, 0, cut, out _, out var none));
            Assert.Equal(0, none);
        }
    }

    [Fact]
    public void The_body_ends_at_the_first_NUL_and_impossible_sizes_are_refused()
    {
        var bytes = RconPacket.Encode(1, 0, "abc");
        bytes[13] = 0; // "a\0c"
        Assert.True(RconPacket.TryDecode(bytes, 0, bytes.Length, out var packet, out _));
        Assert.Equal("a", packet.Text);

        var tooSmall = new byte[] { 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        Assert.Throws<FormatException>(() => RconPacket.TryDecode(tooSmall, 0, tooSmall.Length, out _, out _));
        var tooBig = new byte[] { 0, 0, 0, 0x10, 0, 0, 0, 0 };
        Assert.Throws<FormatException>(() => RconPacket.TryDecode(tooBig, 0, tooBig.Length, out _, out _));
        Assert.Throws<ArgumentException>(() => RconPacket.Encode(1, 2, "a\0b"));
    }

    [Theory]
    [InlineData("No Players Connected")]
    [InlineData("No Players Connected \n ")]
    [InlineData("\nNo Players Connected\n")]
    [InlineData("")]
    [InlineData("   \n ")]
    public void Nobody_online_is_recognised(string text)
    {
        Assert.True(ArkPlayerList.TryParse(text, out var players));
        Assert.Empty(players);
    }

    [Fact]
    public void A_player_list_is_parsed_like_ark_prints_it()
    {
        const string text = "\n0. Alice, 76561198000000001\n1. Bob the Builder, 76561198000000002 \n2. Comma, Name, 0002d3b1f1a94b9e8d\n ";

        Assert.True(ArkPlayerList.TryParse(text, out var players));

        Assert.Equal(3, players.Count);
        Assert.Equal(new ArkPlayer { Index = 0, Name = "Alice", SteamId = "76561198000000001" }, players[0]);
        Assert.Equal(new ArkPlayer { Index = 1, Name = "Bob the Builder", SteamId = "76561198000000002" }, players[1]);
        Assert.Equal(new ArkPlayer { Index = 2, Name = "Comma, Name", SteamId = "0002d3b1f1a94b9e8d" }, players[2]);
    }

    [Theory]
    [InlineData("Unknown command")]
    [InlineData("players: lots")]
    public void An_unexpected_answer_is_not_taken_for_nobody(string text)
    {
        Assert.False(ArkPlayerList.TryParse(text, out var players));
        Assert.Empty(players);
    }

    [Theory]
    [InlineData("p\u00e4ssword")]
    [InlineData("\u043f\u0430\u0440\u043e\u043b\u044c")]
    [InlineData("tab\there")]
    [InlineData("emoji\ud83d\ude00")]
    [InlineData("")]
    public async Task A_password_that_is_not_printable_ascii_is_refused_before_any_connection(string password)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var client = new RconClient();

        var ex = await Assert.ThrowsAsync<RconException>(() => client.ConnectAsync("127.0.0.1", port, password, TimeSpan.FromSeconds(5), CancellationToken.None));

        Assert.Equal(RconErrorKind.InvalidPassword, ex.Kind);
        Assert.Equal("RconInvalidPassword", ex.ErrorId);
        Assert.IsAssignableFrom<ArkManagerException>(ex);
        if (password.Length > 0)
        {
            Assert.DoesNotContain(password, ex.Message);
            Assert.Contains("ASCII", ex.Message);
        }

        Assert.False(listener.Pending(), "nothing may connect before the password is validated");
        Assert.Equal(0, client.ConnectAttempts);
    }

    [Fact]
    public void Settings_never_show_the_password()
    {
        var settings = new RconSettings { Host = "10.0.0.5", Port = 27020, Password = "Sup3r-Secret" };

        Assert.Equal("RconSettings { Host = 10.0.0.5, Port = 27020, Password = *** }", settings.ToString());
        Assert.DoesNotContain("Sup3r-Secret", settings.ToString());
        Assert.DoesNotContain("Sup3r-Secret", $"{settings}");
        Assert.DoesNotContain("Sup3r-Secret", (settings with { Port = 1 }).ToString());
        Assert.DoesNotContain("Sup3r-Secret", JsonSerializer.Serialize(settings));
        Assert.Equal("Sup3r-Secret", settings.Password); // readable inside the library only
        Assert.True(settings.HasPassword);
        Assert.Contains("(none)", new RconSettings { Port = 1 }.ToString());

        var display = typeof(RconSettings).GetCustomAttributes(typeof(System.Diagnostics.DebuggerDisplayAttribute), false)
            .Cast<System.Diagnostics.DebuggerDisplayAttribute>().Single();
        Assert.Equal("{ToString(),nq}", display.Value);

        // PowerShell's format views and Select-Object * only see public getters.
        var getter = typeof(RconSettings).GetProperty(nameof(RconSettings.Password))!.GetGetMethod(nonPublic: false);
        Assert.Null(getter);
    }

    [Fact]
    public void Settings_come_from_labels_and_the_container_environment()
    {
        var container = Container(
            labels: new() { [RconSettingsResolver.PortLabel] = "27020" },
            env: new[] { "SESSION_NAME=Island", "ARK_RCON_PASSWORD=from-env" });

        var settings = RconSettingsResolver.FromContainer(container)!;

        Assert.Equal("127.0.0.1", settings.Host);
        Assert.Equal(27020, settings.Port);
        Assert.Equal("from-env", settings.Password);
    }

    [Fact]
    public void Without_a_port_there_is_no_rcon_and_enabled_false_turns_it_off()
    {
        Assert.Null(RconSettingsResolver.FromContainer(Container(env: new[] { "ARK_RCON_PASSWORD=x" })));
        var labelled = Container(labels: new() { [RconSettingsResolver.PortLabel] = "27020" });
        Assert.Null(RconSettingsResolver.FromContainer(labelled, new Dictionary<string, string> { ["Enabled"] = "false" }));
    }

    [Fact]
    public void The_password_variable_label_host_label_and_overrides_are_honoured()
    {
        var container = Container(
            labels: new()
            {
                [RconSettingsResolver.PortLabel] = "27020",
                [RconSettingsResolver.HostLabel] = "192.168.1.20",
                [RconSettingsResolver.PasswordEnvLabel] = "ADMIN_PASSWORD",
            },
            env: new[] { "ARK_RCON_PASSWORD=not-this", "ADMIN_PASSWORD=admin-pw" });

        var fromLabels = RconSettingsResolver.FromContainer(container)!;
        Assert.Equal(("192.168.1.20", 27020, "admin-pw"), (fromLabels.Host, fromLabels.Port, fromLabels.Password));

        var overridden = RconSettingsResolver.FromContainer(container, new Dictionary<string, string>
        {
            ["host"] = "10.1.1.1",
            ["PORT"] = "28000",
            ["password"] = "configured",
        })!;
        Assert.Equal(("10.1.1.1", 28000, "configured"), (overridden.Host, overridden.Port, overridden.Password));

        var byVariable = RconSettingsResolver.FromContainer(container, new Dictionary<string, string> { ["password-env"] = "ARK_RCON_PASSWORD" })!;
        Assert.Equal("not-this", byVariable.Password);

        var noPassword = RconSettingsResolver.FromContainer(Container(labels: new() { [RconSettingsResolver.PortLabel] = "27020" }))!;
        Assert.False(noPassword.HasPassword);
    }

    [Fact]
    public void A_published_rcon_port_is_used_when_no_host_is_given()
    {
        var container = Container(labels: new() { [RconSettingsResolver.PortLabel] = "27020" }) with
        {
            PublishedPorts = new[] { new PortBindingDetails("7777/udp", "0.0.0.0", "7777"), new PortBindingDetails("27020/tcp", "0.0.0.0", "37020") },
        };

        var settings = RconSettingsResolver.FromContainer(container)!;

        Assert.Equal(("127.0.0.1", 37020), (settings.Host, settings.Port));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("70000")]
    public void An_invalid_port_label_is_reported(string port)
    {
        var container = Container(labels: new() { [RconSettingsResolver.PortLabel] = port }, env: new[] { "ARK_RCON_PASSWORD=hidden-pw" });

        var ex = Assert.Throws<RconException>(() => RconSettingsResolver.FromContainer(container));

        Assert.Equal("RconInvalidSettings", ex.ErrorId);
        Assert.Contains(RconSettingsResolver.PortLabel, ex.Message);
        Assert.DoesNotContain("hidden-pw", ex.Message);
    }

    [Fact]
    public void Unknown_override_keys_are_refused()
    {
        var ex = Assert.Throws<RconException>(() => RconSettingsResolver.FromContainer(Container(), new Dictionary<string, string> { ["pasword"] = "x" }));
        Assert.Contains("pasword", ex.Message);
    }

    [Theory]
    [InlineData(900, "15 minutes")]
    [InlineData(60, "1 minute")]
    [InlineData(90, "1 minute 30 seconds")]
    [InlineData(1, "1 second")]
    [InlineData(2.2, "3 seconds")]
    [InlineData(7200, "2 hours")]
    public void Time_left_reads_naturally(double seconds, string expected)
    {
        Assert.Equal(expected, SafeStopText.FormatTimeLeft(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void The_schedule_is_longest_first_without_duplicates_or_zero()
    {
        var schedule = SafeStopText.Schedule(new[] { TimeSpan.FromMinutes(1), TimeSpan.Zero, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1) });
        Assert.Equal(new[] { TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1) }, schedule);
        Assert.Equal(SafeStopOptions.DefaultWarnings, new SafeStopOptions().Warnings);
        Assert.Equal(
            "Server shutting down for maintenance in 15 minutes. Please log out safely.",
            SafeStopText.WarningText(new SafeStopOptions(), TimeSpan.FromMinutes(15)));
    }

    [Theory]
    [InlineData("Stopping in {1}")]
    [InlineData("Broken {")]
    public void A_bad_warning_template_is_refused_up_front(string template)
    {
        Assert.Throws<ArgumentException>(() => SafeStop.Validate(new SafeStopOptions { WarningTemplate = template }));
    }

    [Fact]
    public void Commands_are_reported_by_their_first_word_and_the_no_response_answer_is_recognised()
    {
        Assert.Equal("ServerChat", RconClient.Verb("  ServerChat hello there"));
        Assert.Equal("DoExit", RconClient.Verb("DoExit"));
        Assert.True(RconExchange.IsNoResponse("Server received, But no response!! \n "));
        Assert.True(RconExchange.IsNoResponse("server received, but no response!!"));
        Assert.False(RconExchange.IsNoResponse("World Saved"));
    }

    private static ContainerDetails Container(Dictionary<string, string>? labels = null, string[]? env = null) => new()
    {
        Id = "0123456789ab",
        Name = "island",
        Labels = labels ?? new Dictionary<string, string>(),
        Environment = env ?? Array.Empty<string>(),
    };
}
