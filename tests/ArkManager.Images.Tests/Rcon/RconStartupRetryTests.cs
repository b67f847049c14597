using System.Globalization;
using ArkManager.Images.Docker;
using ArkManager.Images.Rcon;
using ArkManager.Images.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Tests.Rcon;

/// <summary>
/// The log-in retry applies to a server that is still starting only: a refused connection on a server that has been up
/// for a while fails after one attempt (RCON is off), while a server that just started is retried. Counted in attempts,
/// not in wall-clock time.
/// </summary>
public sealed class RconStartupRetryTests
{
    private const string Password = "fake-pw";
    private static readonly TimeSpan LongTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_refused_connection_on_a_server_up_for_long_fails_after_one_attempt()
    {
        var port = RefusingPort();
        var container = Started(TimeSpan.FromHours(1));
        await using var client = new RconClient();

        var ex = await Assert.ThrowsAsync<RconException>(() =>
            client.ConnectAsync("127.0.0.1", port, Password, LongTimeout, RconStartupRetry.ForContainer(container), CancellationToken.None));

        Assert.Equal(RconErrorKind.Unavailable, ex.Kind);
        Assert.Equal(1, client.ConnectAttempts);
        Assert.Contains("refused the connection", ex.Message);
        Assert.Contains("has been up for 60 minutes", ex.Message);
        Assert.DoesNotContain("gave up", ex.Message);
        Assert.DoesNotContain(Password, ex.Message);
    }

    [Fact]
    public async Task A_refused_connection_on_a_server_that_just_started_is_retried_until_the_timeout()
    {
        var port = RefusingPort();
        var container = Started(TimeSpan.FromSeconds(5));
        await using var client = new RconClient();

        var ex = await Assert.ThrowsAsync<RconException>(() =>
            client.ConnectAsync("127.0.0.1", port, Password, TimeSpan.FromSeconds(5), RconStartupRetry.ForContainer(container), CancellationToken.None));

        Assert.Equal(RconErrorKind.Unavailable, ex.Kind);
        // 200, 400, 800 ms back-off: 1.4 s of waits, so 3 attempts fit in 5 s with over 3x margin for a loaded machine.
        Assert.True(client.ConnectAttempts >= 3, "attempts: " + client.ConnectAttempts);
        Assert.Contains("connection refused", ex.Message);
        Assert.Contains("gave up after", ex.Message);
    }

    [Fact]
    public async Task The_retries_stop_when_the_start_up_grace_ends_even_with_time_left()
    {
        var port = RefusingPort();
        var container = Started(TimeSpan.Zero);
        var retry = RconStartupRetry.ForContainer(container, grace: TimeSpan.FromSeconds(1));
        await using var client = new RconClient();

        var ex = await Assert.ThrowsAsync<RconException>(() =>
            client.ConnectAsync("127.0.0.1", port, Password, LongTimeout, retry, CancellationToken.None));

        // Within 1 s of grace the back-off allows 3 or 4 attempts; the 30 s timeout alone would allow about 17.
        Assert.InRange(client.ConnectAttempts, 2, 6);
        Assert.Contains("gave up after", ex.Message);
    }

    [Fact]
    public void Whether_to_retry_follows_the_containers_start_time()
    {
        var now = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        Func<DateTimeOffset> clock = () => now;

        Assert.True(RconStartupRetry.ForContainer(Started(now - TimeSpan.FromSeconds(30)), clock: clock).MayRetry());
        Assert.True(RconStartupRetry.ForContainer(Started(now - RconStartupRetry.StartupGrace + TimeSpan.FromSeconds(1)), clock: clock).MayRetry());
        Assert.False(RconStartupRetry.ForContainer(Started(now - RconStartupRetry.StartupGrace), clock: clock).MayRetry());
        Assert.False(RconStartupRetry.ForContainer(Started(now - TimeSpan.FromDays(3)), clock: clock).MayRetry());
        Assert.True(RconStartupRetry.ForContainer(new ContainerDetails { Running = true, StartedAt = "0001-01-01T00:00:00Z" }, clock: clock).MayRetry()); // unknown: taken as starting
        Assert.Equal(TimeSpan.FromMinutes(2), RconStartupRetry.StartupGrace);
    }

    [Fact]
    public async Task A_command_to_a_server_up_for_long_whose_rcon_refuses_fails_at_once()
    {
        var port = RefusingPort();
        var logs = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var container = Started(TimeSpan.FromMinutes(10)) with { Name = "island" };

        var ex = await Assert.ThrowsAsync<RconException>(() => RconCommand.ExecuteAsync(
            container, new RconSettings { Port = port, Password = Password }, "ListPlayers", factory.CreateLogger("Rcon"), CancellationToken.None));

        Assert.Equal(RconErrorKind.Unavailable, ex.Kind);
        Assert.Contains("refused the connection", ex.Message);
        Assert.Single(logs.Lines, l => l.Contains("connecting (attempt", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("retrying in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_command_to_a_stopped_server_is_refused_without_connecting()
    {
        var container = Started(TimeSpan.FromMinutes(10)) with { Name = "island", Running = false, Status = "exited" };
        var logs = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));

        var ex = await Assert.ThrowsAsync<RconException>(() => RconCommand.ExecuteAsync(
            container, new RconSettings { Port = RefusingPort(), Password = Password }, "ListPlayers", factory.CreateLogger("Rcon"), CancellationToken.None));

        Assert.Equal(RconErrorKind.Unavailable, ex.Kind);
        Assert.Contains("'island' is not running (exited)", ex.Message);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("connecting", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(20, 0.2, 19.8)]
    [InlineData(20, 25, 1)] // RCON used it all up: the floor
    [InlineData(3, 2.99, 1)]
    [InlineData(0.5, 3, 0.5)] // a stop timeout under the floor stays as it is
    [InlineData(0, 3, 0)]
    public void The_time_spent_on_rcon_is_taken_from_Dockers_stop_timeout(double stop, double spent, double expected)
    {
        Assert.Equal(TimeSpan.FromSeconds(expected), SafeStopRun.DockerStopTimeout(TimeSpan.FromSeconds(stop), TimeSpan.FromSeconds(spent)));
    }

    [Theory]
    [InlineData(30, 20, 20)] // the connect may not outlast the stop timeout
    [InlineData(5, 20, 5)]
    [InlineData(30, 0, 1)] // never under the floor (a connect needs some time)
    public void Connecting_during_a_safe_stop_is_bounded_by_the_stop_timeout(double command, double stop, double expected)
    {
        Assert.Equal(TimeSpan.FromSeconds(expected), SafeStopRun.ConnectTimeout(TimeSpan.FromSeconds(command), TimeSpan.FromSeconds(stop)));
    }

    private static ContainerDetails Started(TimeSpan ago) => Started(DateTimeOffset.UtcNow - ago);

    private static ContainerDetails Started(DateTimeOffset at) => new()
    {
        Id = "0123456789ab",
        Name = "srv",
        Running = true,
        Status = "running",
        StartedAt = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
    };

    /// <summary>A loopback port nothing listens on (connecting is refused).</summary>
    private static int RefusingPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}
