using System.Diagnostics;
using ArkManager.Images.Rcon;

namespace ArkManager.Images.Tests.Rcon;

/// <summary>The client against an in-process server, for behaviours the stand-in fixture does not show.</summary>
public sealed class RconClientTests
{
    private const string Password = "fake-pw";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_server_that_does_not_mirror_the_marker_still_answers_after_a_quiet_period()
    {
        await using var server = new FakeRconServer(Password, (s, id, cmd) => s.SendAsync(id, 0, "answer to " + cmd), mirrorMarker: false);
        await using var client = new RconClient { QuietPeriod = TimeSpan.FromMilliseconds(300) };
        await client.ConnectAsync("127.0.0.1", server.Port, Password, Timeout, CancellationToken.None);

        var watch = Stopwatch.StartNew();
        Assert.Equal("answer to first", await client.ExecuteAsync("first", Timeout, CancellationToken.None));
        Assert.Equal("answer to second", await client.ExecuteAsync("second", Timeout, CancellationToken.None));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
        Assert.Equal(0, client.Reconnects);
    }

    [Fact]
    public async Task A_server_that_closes_after_answering_gives_the_answer()
    {
        await using var server = new FakeRconServer(Password, async (s, id, cmd) =>
        {
            await s.SendAsync(id, 0, "Exiting...");
            s.Close();
        });
        await using var client = new RconClient();
        await client.ConnectAsync("127.0.0.1", server.Port, Password, Timeout, CancellationToken.None);

        Assert.Equal("Exiting...", await client.ExecuteAsync("DoExit", Timeout, CancellationToken.None));
    }

    [Fact]
    public async Task A_session_the_server_forgot_is_logged_in_again_and_the_command_repeated_once()
    {
        var forget = 1;
        await using var server = new FakeRconServer(Password, async (s, id, cmd) =>
        {
            if (Interlocked.Exchange(ref forget, 0) == 1)
            {
                s.Authenticated = false;
                await s.SendAsync(-1, 2, string.Empty);
                return;
            }

            await s.SendAsync(id, 0, "ok " + cmd);
        });
        await using var client = new RconClient();
        await client.ConnectAsync("127.0.0.1", server.Port, Password, Timeout, CancellationToken.None);

        Assert.Equal("ok ListPlayers", await client.ExecuteAsync("ListPlayers", Timeout, CancellationToken.None));
        Assert.Equal(1, client.Reconnects);
        Assert.Equal(2, server.Logins);
    }

    [Fact]
    public async Task Commands_on_one_connection_run_one_at_a_time()
    {
        var running = 0;
        var overlap = 0;
        await using var server = new FakeRconServer(Password, async (s, id, cmd) =>
        {
            if (Interlocked.Increment(ref running) > 1)
            {
                Interlocked.Increment(ref overlap);
            }

            await Task.Delay(50);
            Interlocked.Decrement(ref running);
            await s.SendAsync(id, 0, cmd.ToUpperInvariant());
        });
        await using var client = new RconClient();
        await client.ConnectAsync("127.0.0.1", server.Port, Password, Timeout, CancellationToken.None);

        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.ExecuteAsync("cmd" + i, Timeout, CancellationToken.None)));

        Assert.Equal(Enumerable.Range(0, 8).Select(i => "CMD" + i), replies);
        Assert.Equal(0, overlap);
    }

    [Fact]
    public async Task Cancellation_is_honoured_and_the_next_command_connects_again()
    {
        var hang = 1;
        await using var server = new FakeRconServer(Password, async (s, id, cmd) =>
        {
            if (Interlocked.Exchange(ref hang, 0) == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(2)); // answers nothing, not even the end marker, on this connection
                return;
            }

            await s.SendAsync(id, 0, "fine");
        });
        await using var client = new RconClient();
        await client.ConnectAsync("127.0.0.1", server.Port, Password, Timeout, CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ExecuteAsync("hang", Timeout, cts.Token));
        Assert.Equal("fine", await client.ExecuteAsync("again", Timeout, CancellationToken.None));
        Assert.Equal(2, server.Logins);
    }

    [Fact]
    public async Task A_closed_port_is_retried_until_the_deadline_then_reported_as_unavailable()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var client = new RconClient();
        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RconException>(() => client.ConnectAsync("127.0.0.1", port, Password, TimeSpan.FromSeconds(1.5), CancellationToken.None));

        Assert.Equal("RconUnavailable", ex.ErrorId);
        Assert.Contains("connection refused", ex.Message);
        Assert.True(client.ConnectAttempts >= 3, "attempts: " + client.ConnectAttempts);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.4) && watch.Elapsed < TimeSpan.FromSeconds(6), watch.Elapsed.ToString());
        Assert.DoesNotContain(Password, ex.Message);
    }
}
