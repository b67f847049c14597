using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// A dockerd of the tests' own, beside the sandbox engine (which the rest of the suite keeps): its own data root, exec
/// root, unix socket and pid file under a temp dir, no bridge, no iptables; it also listens on tcp://127.0.0.1:&lt;free
/// port&gt; with --tlsverify and certificates made here with openssl (a CA, a server certificate for IP 127.0.0.1, a
/// client certificate) plus a second CA for the wrong-CA case. It can be SIGKILLed and restarted on the same state.
/// </summary>
public sealed class SecondEngine : IDisposable
{
    private Process? _dockerd;

    public SecondEngine()
    {
        Root = Path.Combine("/tmp", "ark2-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Root);
        Socket = Path.Combine(Root, "docker.sock");
        PidFile = Path.Combine(Root, "docker.pid");
        TlsPort = FreePort();
        MakeCertificates();
        Start();
    }

    public string Root { get; }

    public string Socket { get; }

    public string PidFile { get; }

    public string DockerHost => "unix://" + Socket;

    public int TlsPort { get; }

    public string TlsHost => "tcp://127.0.0.1:" + TlsPort;

    /// <summary>ca.pem (the daemon's CA), cert.pem and key.pem (a client certificate of that CA).</summary>
    public string ClientCertDirectory => Path.Combine(Root, "client");

    /// <summary>The same client certificate, but ca.pem of another CA: the daemon's certificate must not verify.</summary>
    public string WrongCaDirectory => Path.Combine(Root, "wrong-ca");

    public int Pid => _dockerd?.Id ?? 0;

    public int Restarts { get; private set; }

    public void Start()
    {
        StopStaleContainerd(); // a killed dockerd leaves its containerd behind; a new dockerd cannot reuse it reliably
        var psi = new ProcessStartInfo("dockerd") { RedirectStandardOutput = false, RedirectStandardError = false, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     "--data-root", Path.Combine(Root, "data"), "--exec-root", Path.Combine(Root, "exec"),
                     "-H", DockerHost, "-H", TlsHost, "--pidfile", PidFile,
                     "--bridge=none", "--iptables=false", "--ip-masq=false",
                     "--tlsverify", "--tlscacert", Path.Combine(Root, "ca.pem"), "--tlscert", Path.Combine(Root, "server.pem"), "--tlskey", Path.Combine(Root, "key-server.pem"),
                 })
        {
            psi.ArgumentList.Add(a);
        }

        psi.RedirectStandardError = true; // dockerd logs to stderr: kept in <root>/dockerd.log
        _dockerd = Process.Start(psi)!;
        var log = File.AppendText(Path.Combine(Root, "dockerd.log"));
        _dockerd.ErrorDataReceived += (_, e) =>
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
        _dockerd.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Ping())
        {
            if (_dockerd.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the second dockerd did not come up: {Tail()}");
            }

            Thread.Sleep(200);
        }
    }

    /// <summary>SIGKILL dockerd (by its pid) and wait until it is gone: no shutdown of containers, no cleanup.</summary>
    public void Kill()
    {
        if (_dockerd is { HasExited: false })
        {
            _dockerd.Kill(entireProcessTree: false);
            _dockerd.WaitForExit();
        }
    }

    public void Restart()
    {
        Kill();
        Start();
        Restarts++;
    }

    public bool Ping()
    {
        try
        {
            return FaultTestBase.DockerOn(DockerHost, "version", "--format", "{{.Server.Version}}").Length > 0;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public string Docker(params string[] args) => FaultTestBase.DockerOn(DockerHost, args);

    public string Tail() => File.Exists(Path.Combine(Root, "dockerd.log")) ? string.Join('\n', File.ReadAllLines(Path.Combine(Root, "dockerd.log")).TakeLast(15)) : "(no log)";

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private void MakeCertificates()
    {
        string P(string name) => Path.Combine(Root, name);
        void Ssl(params string[] args) => FaultTestBase.Run("openssl", args);
        Ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2", "-subj", "/CN=arkmanager-test-ca", "-keyout", P("ca-key.pem"), "-out", P("ca.pem"));
        Ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2", "-subj", "/CN=arkmanager-other-ca", "-keyout", P("other-ca-key.pem"), "-out", P("other-ca.pem"));
        File.WriteAllText(P("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        File.WriteAllText(P("client.ext"), "extendedKeyUsage=clientAuth\n");
        Ssl("req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-subj", "/CN=127.0.0.1", "-keyout", P("key-server.pem"), "-out", P("server.csr"));
        Ssl("x509", "-req", "-in", P("server.csr"), "-CA", P("ca.pem"), "-CAkey", P("ca-key.pem"), "-CAcreateserial", "-days", "2", "-sha256", "-extfile", P("server.ext"), "-out", P("server.pem"));
        Ssl("req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-subj", "/CN=arkmanager-test-client", "-keyout", P("key-client.pem"), "-out", P("client.csr"));
        Ssl("x509", "-req", "-in", P("client.csr"), "-CA", P("ca.pem"), "-CAkey", P("ca-key.pem"), "-CAcreateserial", "-days", "2", "-sha256", "-extfile", P("client.ext"), "-out", P("client.pem"));
        foreach (var (dir, ca) in new[] { (ClientCertDirectory, "ca.pem"), (WrongCaDirectory, "other-ca.pem") })
        {
            Directory.CreateDirectory(dir);
            File.Copy(P(ca), Path.Combine(dir, "ca.pem"));
            File.Copy(P("client.pem"), Path.Combine(dir, "cert.pem"));
            File.Copy(P("key-client.pem"), Path.Combine(dir, "key.pem"));
        }
    }

    public void Dispose()
    {
        try
        {
            if (_dockerd is { HasExited: false })
            {
                foreach (var id in Docker("ps", "-aq").Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    try
                    {
                        Docker("rm", "-f", id);
                    }
                    catch (InvalidOperationException)
                    {
                    }
                }

                Process.Start("kill", new[] { "-TERM", _dockerd.Id.ToString() })!.WaitForExit();
                if (!_dockerd.WaitForExit(30_000))
                {
                    _dockerd.Kill();
                    _dockerd.WaitForExit();
                }
            }
        }
        finally
        {
            StopStaleContainerd();
            UnmountUnderRoot();
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
    }

    /// <summary>dockerd bind-mounts its data root onto itself (and a killed one can leave more): unmount all, deepest first.</summary>
    private void UnmountUnderRoot()
    {
        var mounts = File.ReadAllLines("/proc/mounts").Select(l => l.Split(' ')[1])
            .Where(m => m == Root || m.StartsWith(Root + "/", StringComparison.Ordinal)).OrderByDescending(m => m.Length);
        foreach (var m in mounts)
        {
            try
            {
                FaultTestBase.Run("umount", m);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    /// <summary>The containerd a killed dockerd leaves behind: stopped by the pid in its pid file.</summary>
    private void StopStaleContainerd()
    {
        var file = Path.Combine(Root, "exec", "containerd", "containerd.pid");
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

[CollectionDefinition(Name)]
public sealed class SecondEngineCollection : ICollectionFixture<SecondEngine>
{
    public const string Name = "second engine";
}
