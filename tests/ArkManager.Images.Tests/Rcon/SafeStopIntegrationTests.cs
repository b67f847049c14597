using System.Collections.Concurrent;
using System.Globalization;
using ArkManager.Images.Docker;
using ArkManager.Images.Rcon;
using ArkManager.Images.Servers;
using ArkManager.Images.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ArkManager.Images.Tests.Rcon;

/// <summary>The safe stop against the stand-in: countdown, confirmed save, DoExit, and Docker's stop as the fallback.</summary>
[Trait("Category", "Integration")]
public sealed class SafeStopIntegrationTests(ITestOutputHelper output) : RconFixtureTestBase
{
    private static readonly SafeStopOptions Compressed = new()
    {
        Warnings = new[] { TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1) },
        MessageCommand = "ServerChat",
        SavePath = SaveDirInContainer,
        CommandTimeout = TimeSpan.FromSeconds(20),
        SaveTimeout = TimeSpan.FromSeconds(20),
    };

    [Fact]
    public async Task With_players_online_the_countdown_is_sent_in_order_then_the_server_saves_and_exits_by_DoExit()
    {
        var port = FreePort();
        var saveDir = TempDir("safestop-players");
        var name = UniqueName("safestop");
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var id = StartServer(name, port, saveDir,
            new Dictionary<string, string> { ["ARK_PLAYERS"] = "Alice:76561198000000001,Bob:76561198000000002" },
            new[] { "--restart", "unless-stopped", "-l", ServerLabels.Server + "=" + name, "-l", RconSettingsResolver.PortLabel + "=" + port });
        using var connection = CreateConnection();
        var docker = new ContainerOperations(connection);
        var inspect = (await docker.TryInspectAsync(id, CancellationToken.None))!;
        var rcon = RconSettingsResolver.FromContainer(inspect);
        Assert.NotNull(rcon);
        Assert.Equal(("127.0.0.1", port, Password), (rcon!.Host, rcon.Port, rcon.Password));
        var reports = new ConcurrentQueue<StopProgress>();

        var result = await SafeStop.StopAsync(docker, inspect, rcon, Compressed, new SyncProgress(reports.Enqueue), Logger, CancellationToken.None);

        // The countdown reached the server in order, as ServerChat (3, 2, 1 seconds before the stop).
        var expected = new[]
        {
            "Server shutting down for maintenance in 3 seconds. Please log out safely.",
            "Server shutting down for maintenance in 2 seconds. Please log out safely.",
            "Server shutting down for maintenance in 1 second. Please log out safely.",
        };
        Assert.Equal(expected, result.WarningsSent);
        Assert.Equal(expected.Select(m => "ServerChat\t" + m), await File.ReadAllLinesAsync(Path.Combine(saveDir, "rcon-messages.log")));
        Assert.Equal(new[] { "Alice", "Bob" }, result.PlayersOnline.Select(p => p.Name));
        Assert.True(result.Duration >= TimeSpan.FromSeconds(3), result.Duration.ToString());

        // Saved, then DoExit: the final save is the DoExit one, and the exit was not a signal.
        Assert.True(result.UsedRcon);
        Assert.True(result.Saved);
        Assert.True(result.ExitedByDoExit);
        Assert.False(result.FellBackToDockerStop);
        Assert.Null(result.Reason);
        Assert.Equal(0, result.ExitCode);
        var save = await File.ReadAllTextAsync(Path.Combine(saveDir, "TheIsland.ark"));
        Assert.Contains("FINAL-SAVE-MARKER", save);
        Assert.Contains("exit=doexit", save);
        var logs = Sandbox.Docker("logs", name);
        Assert.Contains("World saved by RCON SaveWorld", logs);
        Assert.Contains("RCON DoExit received", logs);
        Assert.DoesNotContain("Received SIGTERM", logs);

        // Exited 0, by itself: no kill event (Docker's stop would send one), and not restarted by its policy.
        await Task.Delay(1500);
        Assert.Equal("exited 0", ServerFixtures.ContainerField(Sandbox, id, "{{.State.Status}} {{.State.ExitCode}}"));
        Assert.Equal("unless-stopped", ServerFixtures.ContainerField(Sandbox, id, "{{.HostConfig.RestartPolicy.Name}}"));
        Assert.Equal("0", ServerFixtures.ContainerField(Sandbox, id, "{{.RestartCount}}"));
        var events = EventsOf(id, since, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Contains("die", events);
        Assert.DoesNotContain("kill", events);
        Assert.DoesNotContain("stop", events);

        foreach (var line in Logs.Lines)
        {
            output.WriteLine(line);
        }

        // Every step was reported, in order.
        var phases = reports.Select(r => r.Phase).Distinct().ToList();
        Assert.Equal(new[] { StopPhase.Warning, StopPhase.Save, StopPhase.Exit, StopPhase.Done }, phases);
        Assert.All(reports, r => Assert.Equal(name, r.Server));
        Assert.Contains(Logs.Lines, l => l.Contains("Safe stop of " + name + ": Save: World Saved", StringComparison.Ordinal));
        Assert.All(reports, r => Assert.DoesNotContain(Password, r.Message));
        Assert.DoesNotContain(Password, result.ToString());
        AssertPasswordNeverLogged();
    }

    [Fact]
    public async Task With_nobody_online_the_countdown_is_skipped_and_the_server_still_exits_by_DoExit()
    {
        var port = FreePort();
        var saveDir = TempDir("safestop-empty");
        var name = UniqueName("safestop-empty");
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var id = StartServer(name, port, saveDir);
        using var connection = CreateConnection();
        var docker = new ContainerOperations(connection);
        var inspect = (await docker.TryInspectAsync(id, CancellationToken.None))!;
        var options = Compressed with { Warnings = new[] { TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(1) } }; // would take 15 minutes if sent

        var result = await SafeStop.StopAsync(docker, inspect, new RconSettings { Port = port, Password = Password }, options, null, Logger, CancellationToken.None);

        Assert.Empty(result.WarningsSent);
        Assert.Empty(result.PlayersOnline);
        Assert.False(File.Exists(Path.Combine(saveDir, "rcon-messages.log")));
        Assert.True(result.Duration < TimeSpan.FromMinutes(1), result.Duration.ToString());
        Assert.True(result.Saved);
        Assert.True(result.ExitedByDoExit);
        Assert.False(result.FellBackToDockerStop);
        var save = await File.ReadAllTextAsync(Path.Combine(saveDir, "TheIsland.ark"));
        Assert.Contains("FINAL-SAVE-MARKER", save);
        Assert.Contains("exit=doexit", save);
        Assert.Equal("exited 0", ServerFixtures.ContainerField(Sandbox, id, "{{.State.Status}} {{.State.ExitCode}}"));
        Assert.DoesNotContain("kill", EventsOf(id, since, DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.Contains(Logs.Lines, l => l.Contains("Nobody is online: the countdown is skipped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_everybody_leaves_during_the_countdown_the_rest_is_skipped()
    {
        var port = FreePort();
        var saveDir = TempDir("safestop-leave");
        var playersFile = Path.Combine(saveDir, "players.txt");
        await File.WriteAllTextAsync(playersFile, "Alice:1\n");
        var id = StartServer(UniqueName("safestop-leave"), port, saveDir,
            new Dictionary<string, string> { ["ARK_PLAYERS_FILE"] = SaveDirInContainer + "/players.txt" });
        using var connection = CreateConnection();
        var docker = new ContainerOperations(connection);
        var inspect = (await docker.TryInspectAsync(id, CancellationToken.None))!;
        var options = Compressed with { Warnings = new[] { TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1) } };
        var progress = new SyncProgress(p =>
        {
            if (p.Message.StartsWith("ServerChat:", StringComparison.Ordinal))
            {
                File.WriteAllText(playersFile, string.Empty); // Alice logs out after the first warning
            }
        });

        var stop = SafeStop.StopAsync(docker, inspect, new RconSettings { Port = port, Password = Password }, options, progress, Logger, CancellationToken.None);
        var result = await stop;

        Assert.Equal(new[] { "Server shutting down for maintenance in 5 seconds. Please log out safely." }, result.WarningsSent);
        Assert.True(result.ExitedByDoExit);
        Assert.True(result.Duration >= TimeSpan.FromSeconds(4), result.Duration.ToString());
        Assert.Contains(Logs.Lines, l => l.Contains("Everybody has left", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_password_falls_back_to_Dockers_stop_and_says_why()
    {
        var port = FreePort();
        var saveDir = TempDir("safestop-fallback");
        var name = UniqueName("safestop-fallback");
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var id = StartServer(name, port, saveDir, new Dictionary<string, string> { ["ARK_PLAYERS"] = "Alice:1" });
        using var connection = CreateConnection();
        var docker = new ContainerOperations(connection);
        var inspect = (await docker.TryInspectAsync(id, CancellationToken.None))!;
        const string wrong = "Not-The-Pa55word";
        var reports = new ConcurrentQueue<StopProgress>();

        var result = await SafeStop.StopAsync(docker, inspect, new RconSettings { Port = port, Password = wrong }, Compressed, new SyncProgress(reports.Enqueue), Logger, CancellationToken.None);

        Assert.True(result.FellBackToDockerStop);
        Assert.False(result.UsedRcon);
        Assert.False(result.ExitedByDoExit);
        Assert.Empty(result.WarningsSent);
        Assert.Contains("refused the password", result.Reason);
        Assert.DoesNotContain(wrong, result.Reason);
        Assert.Contains(reports, r => r.Phase == StopPhase.DockerStop);
        Assert.Equal(0, result.ExitCode);
        var save = await File.ReadAllTextAsync(Path.Combine(saveDir, "TheIsland.ark"));
        Assert.Contains("exit=signal", save); // SIGTERM from Docker's stop, saved by the stand-in's shutdown path
        Assert.Contains("kill", EventsOf(id, since, DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.All(Logs.Lines, l => Assert.DoesNotContain(wrong, l));
        Assert.Contains(Logs.Lines, l => l.Contains("falling back to Docker's stop", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_rcon_settings_or_with_SkipRcon_Dockers_stop_is_used()
    {
        var port = FreePort();
        var id = StartServer(UniqueName("safestop-norcon"), port, TempDir("safestop-norcon"));
        using var connection = CreateConnection();
        var docker = new ContainerOperations(connection);
        var inspect = (await docker.TryInspectAsync(id, CancellationToken.None))!;

        var result = await SafeStop.StopAsync(docker, inspect, null, Compressed, null, Logger, CancellationToken.None);

        Assert.True(result.FellBackToDockerStop);
        Assert.Contains("not configured", result.Reason);
        Assert.Equal("exited", ServerFixtures.ContainerField(Sandbox, id, "{{.State.Status}}"));

        // A server without RCON is no problem: the Docker stop is logged as information, never as a warning.
        Assert.Contains(Logs.Lines, l => l.StartsWith("Information ", StringComparison.Ordinal) && l.Contains("stopping with Docker's stop: RCON is not configured", StringComparison.Ordinal));
        Assert.DoesNotContain(Logs.Lines, l => l.StartsWith("Warning ", StringComparison.Ordinal));

        var again = await SafeStop.StopAsync(docker, inspect, null, Compressed with { SkipRcon = true }, null, Logger, CancellationToken.None);
        Assert.False(again.FellBackToDockerStop);
        Assert.Contains("not running", again.Reason);
    }

    [Fact]
    public async Task Refused_rcon_on_a_server_up_for_long_falls_back_to_Dockers_stop_after_one_attempt()
    {
        var port = FreePort();
        var name = UniqueName("safestop-refused");
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var id = StartServer(name, port, TempDir("safestop-refused"));
        using var connection = CreateConnection();
        var docker = new ContainerOperations(connection);
        var inspect = (await docker.TryInspectAsync(id, CancellationToken.None))!;
        var upForLong = inspect with { StartedAt = DateTimeOffset.UtcNow.AddHours(-1).ToString("o", CultureInfo.InvariantCulture) };
        var reports = new ConcurrentQueue<StopProgress>();

        // RCON is configured on a port nothing listens on (as when RCONEnabled is off in the server's settings).
        var result = await SafeStop.StopAsync(docker, upForLong, new RconSettings { Port = FreePort(), Password = Password }, Compressed, new SyncProgress(reports.Enqueue), Logger, CancellationToken.None);

        Assert.True(result.FellBackToDockerStop);
        Assert.False(result.UsedRcon);
        Assert.Contains("refused the connection", result.Reason);
        Assert.Single(Logs.Lines, l => l.Contains("connecting (attempt", StringComparison.Ordinal));
        Assert.DoesNotContain(Logs.Lines, l => l.Contains("retrying in", StringComparison.Ordinal));

        // Configured but failing RCON is worth a warning; Docker's stop got (nearly all of) the container's 20 s.
        Assert.Contains(Logs.Lines, l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains("falling back to Docker's stop", StringComparison.Ordinal));
        var dockerStop = Assert.Single(reports, r => r.Phase == StopPhase.DockerStop);
        Assert.Contains("SIGKILL after 20 s", dockerStop.Message);
        Assert.Equal("exited", ServerFixtures.ContainerField(Sandbox, id, "{{.State.Status}}"));
        Assert.Contains("kill", EventsOf(id, since, DateTimeOffset.UtcNow.AddSeconds(1)));
    }

    [Fact]
    public async Task Refused_rcon_on_a_starting_server_is_retried_within_the_stop_timeout_and_the_wait_is_taken_from_Dockers_stop()
    {
        var port = FreePort();
        var name = UniqueName("safestop-budget");
        var id = StartServer(name, port, TempDir("safestop-budget"));
        using var connection = CreateConnection();
        var docker = new ContainerOperations(connection);
        var inspect = (await docker.TryInspectAsync(id, CancellationToken.None))!; // just started: within the start-up grace
        var options = Compressed with { StopTimeout = TimeSpan.FromSeconds(3) }; // CommandTimeout stays 20 s
        var reports = new ConcurrentQueue<StopProgress>();

        var result = await SafeStop.StopAsync(docker, inspect, new RconSettings { Port = FreePort(), Password = Password }, options, new SyncProgress(reports.Enqueue), Logger, CancellationToken.None);

        // Retried (the server may still be starting), but only for the 3 s stop timeout, not the 20 s command timeout ...
        Assert.True(result.FellBackToDockerStop);
        Assert.True(Logs.Lines.Count(l => l.Contains("connecting (attempt", StringComparison.Ordinal)) >= 3);
        Assert.Contains("gave up after", result.Reason);
        Assert.Contains("in 3 s)", result.Reason);

        // ... and those 3 s were taken from Docker's stop, which got the 1 s floor: the stop stays near its 3 s.
        var dockerStop = Assert.Single(reports, r => r.Phase == StopPhase.DockerStop);
        Assert.Contains("SIGKILL after 1 s", dockerStop.Message);
        Assert.Contains("of the 3 s stop timeout went on RCON", dockerStop.Message);
        Assert.True(result.Duration < TimeSpan.FromSeconds(12), result.Duration.ToString()); // before: 20 s of retries, then 3 s
        Assert.Equal("exited", ServerFixtures.ContainerField(Sandbox, id, "{{.State.Status}}"));
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool, out of order).</summary>
    private sealed class SyncProgress(Action<StopProgress> report) : IProgress<StopProgress>
    {
        public void Report(StopProgress value) => report(value);
    }
}
