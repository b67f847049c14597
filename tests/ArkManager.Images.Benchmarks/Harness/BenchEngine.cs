using System.Diagnostics;

namespace ArkManager.Images.Benchmarks.Harness;

/// <summary>
/// A second dockerd for the multi-host rows, beside the sandbox engine: its own data root, exec root, unix socket and pid
/// file under the work directory; no bridge, no iptables. Stopped by its pid (SIGTERM, then SIGKILL) and cleaned up.
/// </summary>
internal sealed class BenchEngine : IDisposable
{
    private readonly Process _dockerd;

    public BenchEngine(string workDir)
    {
        Root = Path.Combine(workDir, "engine2-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(Root);
        DockerHost = "unix://" + Path.Combine(Root, "docker.sock");
        var psi = new ProcessStartInfo("dockerd") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[]
                 {
                     "--data-root", Path.Combine(Root, "data"), "--exec-root", Path.Combine(Root, "exec"), "-H", DockerHost,
                     "--pidfile", Path.Combine(Root, "docker.pid"), "--bridge=none", "--iptables=false", "--ip-masq=false",
                 })
        {
            psi.ArgumentList.Add(a);
        }

        _dockerd = Process.Start(psi)!;
        _dockerd.ErrorDataReceived += (_, _) => { };
        _dockerd.OutputDataReceived += (_, _) => { };
        _dockerd.BeginErrorReadLine();
        _dockerd.BeginOutputReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Docker("version", "--format", "{{.Server.Version}}").ExitCode != 0)
        {
            if (_dockerd.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("the second dockerd did not come up");
            }

            Thread.Sleep(200);
        }
    }

    public string Root { get; }

    public string DockerHost { get; }

    public Dictionary<string, string> DockerEnv => new() { ["DOCKER_HOST"] = DockerHost, ["DOCKER_BUILDKIT"] = "0", ["DOCKER_CLI_HINTS"] = "false" };

    public ProcResult Docker(params string[] args) => Proc.Run("docker", args, DockerEnv);

    public string DockerOk(params string[] args) => Docker(args).EnsureSuccess("docker (engine 2) " + string.Join(' ', args)).Stdout.Trim();

    public void Dispose()
    {
        try
        {
            if (!_dockerd.HasExited)
            {
                foreach (var id in Docker("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    Docker("rm", "-f", id);
                }

                Proc.Run("kill", new[] { "-TERM", _dockerd.Id.ToString() });
                if (!_dockerd.WaitForExit(30_000))
                {
                    _dockerd.Kill();
                    _dockerd.WaitForExit();
                }
            }
        }
        finally
        {
            foreach (var mount in File.ReadAllLines("/proc/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(Root, StringComparison.Ordinal)).OrderByDescending(m => m.Length))
            {
                Proc.Run("umount", new[] { mount });
            }

            try
            {
                Directory.Delete(Root, true);
            }
            catch (IOException)
            {
            }
        }
    }
}
