using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ArkManager.Images.Tests.Infrastructure;
using ArkManager.Images.Docker;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Tests.Rcon;

/// <summary>
/// Stand-in ARK servers with RCON: containers on the host network listening on a free loopback port, with the save
/// directory bind-mounted from a temp dir so tests read the save and rcon-messages.log directly.
/// </summary>
public abstract class RconFixtureTestBase : SandboxTestBase
{
    public const string Password = "Rc0n-Test-Pa55";
    public const string SaveDirInContainer = "/ark/ShooterGame/Saved/SavedArks";
    private static readonly object PullLock = new();
    private static bool _pulled;

    protected RconFixtureTestBase()
    {
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        Logger = LoggerFactory.CreateLogger("Rcon");
    }

    protected ILoggerFactory LoggerFactory { get; }

    protected ILogger Logger { get; }

    /// <summary>A connection to the sandbox daemon for <see cref="ContainerOperations"/> (dispose it).</summary>
    private protected DockerConnection CreateConnection() =>
        new(new ArkManagerOptions { DockerHost = Sandbox.DockerHost, DockerConfigDirectory = TempDir("dockercfg") }, Logger);

    /// <summary>A loopback TCP port nothing listens on right now.</summary>
    protected static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts a stand-in with RCON on 127.0.0.1:<paramref name="port"/>; returns the container id.</summary>
    protected string StartServer(string name, int port, string saveDir, IDictionary<string, string>? env = null, IEnumerable<string>? extraArgs = null)
    {
        lock (PullLock)
        {
            if (!_pulled)
            {
                Sandbox.Docker("pull", "-q", Sandbox.ImageV1); // the fixture as built from the current server.c
                _pulled = true;
            }
        }

        var variables = new Dictionary<string, string>
        {
            ["ARK_STARTUP_DELAY"] = "0.3",
            ["ARK_SAVE_INTERVAL"] = "3600",
            ["ARK_SHUTDOWN_SAVE_SECONDS"] = "0.5",
            ["ARK_RCON_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["ARK_RCON_PASSWORD"] = Password,
        };
        foreach (var pair in env ?? new Dictionary<string, string>())
        {
            variables[pair.Key] = pair.Value;
        }

        var args = new List<string> { "run", "-d", "--name", name, "--network", "host", "--stop-timeout", "20", "-v", saveDir + ":" + SaveDirInContainer };
        foreach (var pair in variables)
        {
            args.Add("-e");
            args.Add(pair.Key + "=" + pair.Value);
        }

        args.AddRange(extraArgs ?? Array.Empty<string>());
        args.Add(Sandbox.ImageV1);
        TrackContainer(name);
        return Sandbox.Docker(args.ToArray());
    }

    /// <summary>The actions of the container's Docker events between two moments (e.g. start, update, die; "kill" for signals).</summary>
    protected IReadOnlyList<string> EventsOf(string container, DateTimeOffset since, DateTimeOffset until) =>
        Sandbox.Docker("events", "--since", since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                "--until", until.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                "--filter", "container=" + container, "--format", "{{.Action}}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    protected void AssertPasswordNeverLogged()
    {
        foreach (var line in Logs.Lines)
        {
            Assert.DoesNotContain(Password, line);
        }
    }
}
