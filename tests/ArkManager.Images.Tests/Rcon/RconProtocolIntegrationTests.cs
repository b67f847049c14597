using System.Diagnostics;
using System.Text;
using ArkManager.Images.Rcon;
using ArkManager.Images.Tests.Infrastructure;

namespace ArkManager.Images.Tests.Rcon;

/// <summary>The RCON client against the stand-in server's RCON listener (host network, free loopback port).</summary>
[Trait("Category", "Integration")]
public sealed class RconProtocolIntegrationTests : RconFixtureTestBase
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_wrong_password_fails_at_once_without_showing_any_password()
    {
        var port = FreePort();
        StartServer(UniqueName("rcon-auth"), port, TempDir("rcon-auth"));
        await using var client = new RconClient(Logger);
        const string wrong = "Wrong-Pa55word";

        // Wait until RCON answers with the right password, then try the wrong one.
        await using (var ok = new RconClient(Logger))
        {
            await ok.ConnectAsync("127.0.0.1", port, Password, ConnectTimeout, CancellationToken.None);
        }

        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RconException>(() => client.ConnectAsync("127.0.0.1", port, wrong, ConnectTimeout, CancellationToken.None));

        Assert.Equal(RconErrorKind.AuthenticationFailed, ex.Kind);
        Assert.Equal("RconAuthenticationFailed", ex.ErrorId);
        Assert.Equal("127.0.0.1:" + port, ex.Endpoint);
        Assert.DoesNotContain(wrong, ex.Message);
        Assert.DoesNotContain(Password, ex.Message);
        Assert.DoesNotContain(wrong, ex.ToString());
        Assert.Equal(1, client.ConnectAttempts);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
        Assert.All(Logs.Lines, l => Assert.DoesNotContain(wrong, l));
        AssertPasswordNeverLogged();
    }

    [Fact]
    public async Task A_reply_longer_than_one_packet_is_assembled_completely()
    {
        var port = FreePort();
        StartServer(UniqueName("rcon-multi"), port, TempDir("rcon-multi"), new Dictionary<string, string> { ["ARK_GAMELOG_BYTES"] = "20000" });
        await using var client = new RconClient(Logger);
        await client.ConnectAsync("127.0.0.1", port, Password, ConnectTimeout, CancellationToken.None);

        var log = await client.ExecuteAsync("GetGameLog", CommandTimeout, CancellationToken.None);

        Assert.Equal(20000, Encoding.UTF8.GetByteCount(log));
        var lines = log.Split('\n');
        Assert.StartsWith("2024.01.01_00.00.00: ARK stand-in game log line 000001", lines[0]);
        for (var i = 0; i < lines.Length - 1; i++)
        {
            Assert.EndsWith((i + 1).ToString("000000", System.Globalization.CultureInfo.InvariantCulture), lines[i]);
        }

        Assert.Contains(Logs.Lines, l => l.Contains("GetGameLog answered 20000 bytes in 5 packet(s)", StringComparison.Ordinal));

        // The connection is still in step: the next command gets its own answer.
        Assert.Equal("No Players Connected", (await client.ExecuteAsync("ListPlayers", CommandTimeout, CancellationToken.None)).Trim());
    }

    [Fact]
    public async Task Server_received_but_no_response_is_success_with_no_output()
    {
        var port = FreePort();
        var saveDir = TempDir("rcon-chat");
        StartServer(UniqueName("rcon-chat"), port, saveDir);
        await using var client = new RconClient(Logger);
        await client.ConnectAsync("127.0.0.1", port, Password, ConnectTimeout, CancellationToken.None);

        var chat = await client.ExecuteAsync("ServerChat Hello survivors", CommandTimeout, CancellationToken.None);
        var other = await client.ExecuteAsync("SetTimeOfDay 12:00", CommandTimeout, CancellationToken.None);

        Assert.Equal(string.Empty, chat);
        Assert.Equal(string.Empty, other);
        Assert.Equal("ServerChat\tHello survivors\n", await File.ReadAllTextAsync(Path.Combine(saveDir, "rcon-messages.log")));
    }

    [Fact]
    public async Task A_command_that_never_answers_times_out_and_the_next_command_connects_again()
    {
        var port = FreePort();
        StartServer(UniqueName("rcon-hang"), port, TempDir("rcon-hang"), new Dictionary<string, string> { ["ARK_PLAYERS"] = "Alice:76561198000000001" });
        await using var client = new RconClient(Logger);
        await client.ConnectAsync("127.0.0.1", port, Password, ConnectTimeout, CancellationToken.None);

        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RconException>(() => client.ExecuteAsync("TestHang", TimeSpan.FromSeconds(1.5), CancellationToken.None));
        watch.Stop();

        Assert.Equal(RconErrorKind.Timeout, ex.Kind);
        Assert.Equal("RconTimeout", ex.ErrorId);
        Assert.Equal("TestHang", ex.Command);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.4) && watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());

        var players = ArkPlayerList.Parse(await client.ExecuteAsync("ListPlayers", CommandTimeout, CancellationToken.None));
        Assert.Equal("Alice", Assert.Single(players).Name);
        Assert.Equal(1, client.Reconnects);
    }

    [Fact]
    public async Task A_port_that_accepts_before_the_server_is_ready_is_retried_until_the_login_works()
    {
        var port = FreePort();
        var name = UniqueName("rcon-ready");
        StartServer(name, port, TempDir("rcon-ready"), new Dictionary<string, string> { ["ARK_RCON_READY_DELAY"] = "2" });
        await using var client = new RconClient(Logger);

        var watch = Stopwatch.StartNew();
        await client.ConnectAsync("127.0.0.1", port, Password, ConnectTimeout, CancellationToken.None);

        Assert.True(client.ConnectAttempts >= 2, "attempts: " + client.ConnectAttempts);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1), watch.Elapsed.ToString());
        Assert.Contains("accepted before the server is ready", Sandbox.Docker("logs", name));
        Assert.Contains(Logs.Lines, l => l.Contains("not ready yet", StringComparison.Ordinal));
        Assert.Equal(string.Empty, await client.ExecuteAsync("ServerChat ready", CommandTimeout, CancellationToken.None));
    }

    [Fact]
    public async Task A_session_the_server_dropped_is_logged_in_again()
    {
        var port = FreePort();
        StartServer(UniqueName("rcon-drop"), port, TempDir("rcon-drop"), new Dictionary<string, string> { ["ARK_PLAYERS"] = "Alice:1,Bob:2" });
        await using var first = new RconClient(Logger);
        await using var second = new RconClient(Logger);
        await first.ConnectAsync("127.0.0.1", port, Password, ConnectTimeout, CancellationToken.None);
        await second.ConnectAsync("127.0.0.1", port, Password, ConnectTimeout, CancellationToken.None);
        Assert.Equal(2, ArkPlayerList.Parse(await first.ExecuteAsync("ListPlayers", CommandTimeout, CancellationToken.None)).Count);

        Assert.Equal("Dropped 1 sessions", await second.ExecuteAsync("TestDropSessions", CommandTimeout, CancellationToken.None));
        await Task.Delay(200);

        Assert.Equal(2, ArkPlayerList.Parse(await first.ExecuteAsync("ListPlayers", CommandTimeout, CancellationToken.None)).Count);
        Assert.Equal(1, first.Reconnects);
        Assert.Contains(Logs.Lines, l => l.Contains("dropped the session", StringComparison.Ordinal));
        AssertPasswordNeverLogged();
    }
}
