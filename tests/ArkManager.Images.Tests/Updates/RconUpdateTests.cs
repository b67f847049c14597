using System.Net;
using System.Net.Sockets;
using ArkManager.Images.Tests.Infrastructure;
using ArkManager.Images.Tests.Integration;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;

namespace ArkManager.Images.Tests.Updates;

/// <summary>Updates and stops of a server with RCON go through ARK's own shutdown (SaveWorld, DoExit), never a signal.</summary>
[Trait("Category", "Integration")]
public sealed class RconUpdateTests : SandboxTestBase
{
    private const string Password = "S3cret-Admin-Pw";

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task An_update_stops_the_old_server_by_DoExit_and_no_secret_reaches_history_or_logs()
    {
        var image = PushFresh("v1");
        using var manager = CreateManager(image);
        await manager.PullImageAsync(image);
        var name = UniqueName("rcon");
        var bind = TempDir("saved");
        TrackContainer(name);
        TrackContainer(name + "-ark-new");
        var port = FreePort();
        var spec = Spec(name, image, bind, "vol-" + name) with
        {
            Network = "host",
            RconPort = port,
            Environment = new Dictionary<string, string>
            {
                ["ARK_STARTUP_DELAY"] = "0.5",
                ["ARK_SAVE_INTERVAL"] = "3600",
                ["ARK_SHUTDOWN_SAVE_SECONDS"] = "1",
                ["ARK_RCON_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ARK_RCON_PASSWORD"] = Password,
                ["ARK_PLAYERS"] = "Alice:76561198000000001",
            },
        };
        await manager.NewServerAsync(spec);
        await manager.StartServerAsync(name);
        await WaitForLogAsync(Sandbox, name, "advertising for join", TimeSpan.FromSeconds(20));

        Assert.Equal("Alice", Assert.Single(await manager.GetPlayersAsync(name)).Name);
        Assert.Equal(string.Empty, await manager.SendRconCommandAsync(name, "ServerChat hello from the test"));
        Sandbox.PushVariant("v2", image);
        var progress = new List<UpdateProgress>();

        var result = await manager.UpdateImageAsync(image, new UpdateOptions
        {
            HealthTimeout = TimeSpan.FromSeconds(60),
            SafeStop = new SafeStopOptions { Warnings = new[] { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1) }, MessageCommand = "ServerChat" },
        }, new SyncProgress<UpdateProgress>(progress.Add));

        Assert.True(result.Succeeded, result.Summary);
        var stop = Assert.Single(result.Servers).Steps.Single(s => s.Step == UpdateStep.Stop);
        Assert.Contains("stopped by RCON", stop.Detail);
        var save = File.ReadAllText(Path.Combine(bind, "TheIsland.ark"));
        Assert.Contains("FINAL-SAVE-MARKER", save);
        Assert.Contains("exit=doexit", save);
        var messages = File.ReadAllLines(Path.Combine(bind, "rcon-messages.log"));
        Assert.Equal(3, messages.Length); // the test's chat line, then the two countdown warnings in order
        Assert.Contains("2 seconds", messages[1]);
        Assert.Contains("1 second", messages[2]);
        Assert.Contains(progress, p => p.Step == UpdateStep.Stop && p.Message.Contains("Warning", StringComparison.OrdinalIgnoreCase));

        // The password never reaches the history, the run log, the journal or the snapshots' neighbours we write.
        foreach (var file in Directory.EnumerateFiles(manager.Options.StateDirectory!, "*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".jsonl", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain(Password, File.ReadAllText(file));
        }

        Assert.DoesNotContain(Logs.Lines, l => l.Contains(Password, StringComparison.Ordinal));

        // A plain stop of the new server also goes through RCON.
        var stopped = await manager.SafeStopServerAsync(name, new SafeStopOptions { Warnings = Array.Empty<TimeSpan>() });
        Assert.True(stopped.UsedRcon);
        Assert.True(stopped.ExitedByDoExit);
        Assert.False(stopped.FellBackToDockerStop);
    }
}
