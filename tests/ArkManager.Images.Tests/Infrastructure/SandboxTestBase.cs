using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Tests.Infrastructure;

/// <summary>Base of integration tests: a manager on the sandbox daemon, unique names, and cleanup of what the test made.</summary>
public abstract class SandboxTestBase : IDisposable
{
    private readonly List<string> _containers = new();
    private readonly List<string> _images = new();
    private readonly List<string> _dirs = new();

    protected SandboxTestBase()
    {
        Sandbox = Sandbox.Current;
        Logs = new ListLoggerProvider();
    }

    protected Sandbox Sandbox { get; }

    protected ListLoggerProvider Logs { get; }

    protected ArkImageManager CreateManager(params string[] requiredImages) =>
        new(new ArkManagerOptions
        {
            DockerHost = Sandbox.DockerHost,
            RequiredImages = requiredImages.Length == 0 ? new[] { Sandbox.ImageLatest } : requiredImages,
            StateDirectory = TempDir("state"),
            DockerConfigDirectory = TempDir("dockercfg"),
        }, LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug)));

    protected string UniqueName(string prefix = "srv") => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A fresh repository with the given fixture variant pushed as :latest (not present locally).</summary>
    protected string PushFresh(string variant = "v1", string tag = "latest")
    {
        var reference = Sandbox.UniqueRepository() + ":" + tag;
        Sandbox.PushVariant(variant, reference);
        TrackImage(reference);
        return reference;
    }

    /// <summary>A fresh repository holding an image no other test has: v1 plus a layer of unique bytes, so a pull really downloads.</summary>
    protected string PushUnique(string tag = "latest")
    {
        var reference = Sandbox.UniqueRepository("u") + ":" + tag;
        Sandbox.PushUniqueImage(reference);
        TrackImage(reference);
        return reference;
    }

    protected void TrackContainer(string name) => _containers.Add(name);

    /// <summary>An internal network on a random 10.200-250.x.0/24 subnet (retried when another run holds the subnet). No traffic is ever sent to it.</summary>
    protected (string Name, string Prefix) CreateInternalNetwork(string name)
    {
        for (var attempt = 0; ; attempt++)
        {
            var prefix = $"10.{Random.Shared.Next(200, 251)}.{Random.Shared.Next(0, 256)}";
            try
            {
                Sandbox.Docker("network", "create", "--internal", "--subnet", prefix + ".0/24", name);
                return (name, prefix);
            }
            catch (InvalidOperationException ex) when (attempt < 10 && ex.Message.Contains("overlap", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    /// <summary>Polls a container's inspect until <paramref name="condition"/> holds.</summary>
    protected static async Task<global::Docker.DotNet.Models.ContainerInspectResponse> WaitForContainerAsync(
        global::Docker.DotNet.DockerClient client, string id, Func<global::Docker.DotNet.Models.ContainerInspectResponse, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var inspect = await client.Containers.InspectContainerAsync(id);
            if (condition(inspect))
            {
                return inspect;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Container {id} did not reach the expected state in {timeout.TotalSeconds} s (state {inspect.State?.Status}, health {inspect.State?.Health?.Status}).");
            }

            await Task.Delay(250);
        }
    }

    protected void TrackImage(string reference) => _images.Add(reference);

    protected string TempDir(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory("ark-" + prefix + "-").FullName;
        _dirs.Add(dir);
        return dir;
    }

    /// <summary>More cleanup of a derived test, after its containers and images were removed.</summary>
    protected virtual void Cleanup()
    {
    }

    public void Dispose()
    {
        foreach (var c in _containers)
        {
            Sandbox.TryDocker("rm", "-f", "-v", c);
        }

        foreach (var i in _images)
        {
            Sandbox.TryDocker("rmi", "-f", i);
        }

        Cleanup();

        foreach (var d in _dirs)
        {
            try
            {
                Directory.Delete(d, true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly List<string> _lines = new();

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToList();
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class ListLogger(ListLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._lines)
            {
                owner._lines.Add($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " | " + exception.Message)}");
            }
        }
    }
}
