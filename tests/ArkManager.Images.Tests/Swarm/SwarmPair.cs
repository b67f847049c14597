using System.Diagnostics;
using ArkManager.Images.Tests.Faults;

namespace ArkManager.Images.Tests.Swarm;

/// <summary>
/// A real two-node Swarm of the tests' own, beside the sandbox engine (which never becomes a Swarm manager): two dockerd
/// with their own data root, exec root, unix socket and pid file under a temp dir (no bridge, no iptables); the first
/// initialises a Swarm advertising 127.0.0.1, the second joins it as a worker advertising 127.0.0.2 and carries the node
/// label <c>ark=&lt;WorkerLabel&gt;</c>. Disposal removes the services, leaves the Swarm (<c>swarm leave --force</c>) on
/// both and stops both daemons by pid.
/// </summary>
public sealed class SwarmPair : IDisposable
{
    private readonly List<Process> _daemons = new();

    public SwarmPair()
    {
        Root = Path.Combine("/tmp", "arksw-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Root);
        try
        {
            Manager = StartNode("manager");
            Worker = StartNode("worker");
            Manager.Docker("swarm", "init", "--advertise-addr", "127.0.0.1", "--listen-addr", "127.0.0.1:2377");
            var token = Manager.Docker("swarm", "join-token", "-q", "worker");
            Worker.Docker("swarm", "join", "--token", token, "--advertise-addr", "127.0.0.2", "--listen-addr", "127.0.0.2:2377", "127.0.0.1:2377");
            WorkerNodeId = Worker.Docker("info", "--format", "{{.Swarm.NodeID}}");
            ManagerNodeId = Manager.Docker("info", "--format", "{{.Swarm.NodeID}}");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (Manager.Docker("node", "inspect", "--format", "{{.Status.State}}", WorkerNodeId) != "ready")
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException("the worker did not become ready in the Swarm: " + Manager.Docker("node", "ls"));
                }

                Thread.Sleep(250);
            }

            Manager.Docker("node", "update", "--label-add", "ark=" + WorkerLabel, WorkerNodeId);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The value of the node label <c>ark</c> on the worker.</summary>
    public string WorkerLabel => "b";

    public string Root { get; }

    public SwarmNode Manager { get; private set; } = null!;

    public SwarmNode Worker { get; private set; } = null!;

    public string ManagerNodeId { get; } = string.Empty;

    public string WorkerNodeId { get; } = string.Empty;

    private SwarmNode StartNode(string name)
    {
        var dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        var node = new SwarmNode(dir);
        var psi = new ProcessStartInfo("dockerd") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[]
                 {
                     "--data-root", Path.Combine(dir, "data"), "--exec-root", Path.Combine(dir, "exec"), "-H", node.DockerHost,
                     "--pidfile", Path.Combine(dir, "docker.pid"), "--bridge=none", "--iptables=false", "--ip-masq=false",
                 })
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        _daemons.Add(process);
        var log = File.AppendText(Path.Combine(dir, "dockerd.log"));
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null)
            {
                lock (log)
                {
                    log.WriteLine(e.Data);
                    log.Flush();
                }
            }
        };
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!node.Ping())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"dockerd {name} did not come up; see {dir}/dockerd.log");
            }

            Thread.Sleep(200);
        }

        return node;
    }

    public void Dispose()
    {
        foreach (var (node, first) in new[] { (Manager, true), (Worker, false) })
        {
            if (node is null || !node.Ping())
            {
                continue;
            }

            Try(() =>
            {
                if (first)
                {
                    foreach (var id in node.Docker("service", "ls", "-q").Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    {
                        node.Docker("service", "rm", id);
                    }
                }
            });
        }

        if (Worker?.Ping() == true)
        {
            Try(() => Worker.Docker("swarm", "leave", "--force"));
            Try(() => RemoveContainers(Worker));
        }

        if (Manager?.Ping() == true)
        {
            Try(() => Manager.Docker("swarm", "leave", "--force"));
            Try(() => RemoveContainers(Manager));
        }

        foreach (var process in _daemons)
        {
            if (!process.HasExited)
            {
                Process.Start("kill", new[] { "-TERM", process.Id.ToString() })!.WaitForExit();
                if (!process.WaitForExit(30_000))
                {
                    process.Kill();
                    process.WaitForExit();
                }
            }
        }

        foreach (var dir in Directory.Exists(Root) ? Directory.GetDirectories(Root) : Array.Empty<string>())
        {
            StopStaleContainerd(dir);
        }

        var mounts = File.ReadAllLines("/proc/mounts").Select(l => l.Split(' ')[1])
            .Where(m => m == Root || m.StartsWith(Root + "/", StringComparison.Ordinal)).OrderByDescending(m => m.Length);
        foreach (var m in mounts)
        {
            Try(() => FaultTestBase.Run("umount", m));
        }

        try
        {
            Directory.Delete(Root, true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void RemoveContainers(SwarmNode node)
    {
        foreach (var id in node.Docker("ps", "-aq").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            node.Docker("rm", "-f", id);
        }
    }

    private static void Try(Action action)
    {
        try
        {
            action();
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>The containerd a dockerd leaves behind when it did not stop cleanly: stopped by the pid in its pid file.</summary>
    private static void StopStaleContainerd(string dir)
    {
        var file = Path.Combine(dir, "exec", "containerd", "containerd.pid");
        if (!File.Exists(file) || !int.TryParse(File.ReadAllText(file).Trim(), out var pid))
        {
            return;
        }

        try
        {
            using var p = Process.GetProcessById(pid);
            if (p.ProcessName.Contains("containerd", StringComparison.Ordinal))
            {
                p.Kill();
                p.WaitForExit(10_000);
            }
        }
        catch (ArgumentException)
        {
        }
    }
}

/// <summary>One dockerd of the pair.</summary>
public sealed class SwarmNode
{
    public SwarmNode(string directory)
    {
        Directory = directory;
        DockerHost = "unix://" + Path.Combine(directory, "docker.sock");
    }

    public string Directory { get; }

    public string DockerHost { get; }

    public string Docker(params string[] args) => FaultTestBase.DockerOn(DockerHost, args);

    public bool Ping()
    {
        try
        {
            return Docker("version", "--format", "{{.Server.Version}}").Length > 0;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SwarmPairCollection : ICollectionFixture<SwarmPair>
{
    public const string Name = "swarm pair";
}
