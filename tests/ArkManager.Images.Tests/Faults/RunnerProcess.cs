using System.Diagnostics;
using System.Text;

namespace ArkManager.Images.Tests.Faults;

/// <summary>One ArkManager.Images.UpdateRunner child process: its output lines, a wait for a line, a SIGKILL by its pid.</summary>
public sealed class RunnerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<string> _lines = new();
    private readonly object _gate = new();

    private RunnerProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public static RunnerProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var runner = Path.Combine(AppContext.BaseDirectory, "ArkManager.Images.UpdateRunner.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(runner);
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var name in new[] { "DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONTEXT" })
        {
            psi.Environment.Remove(name);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        var runnerProcess = new RunnerProcess(new Process { StartInfo = psi });
        runnerProcess._process.OutputDataReceived += (_, e) => runnerProcess.Add(e.Data);
        runnerProcess._process.ErrorDataReceived += (_, e) => runnerProcess.Add(e.Data);
        runnerProcess._process.Start();
        runnerProcess._process.BeginOutputReadLine();
        runnerProcess._process.BeginErrorReadLine();
        return runnerProcess;
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
            _lines.Add(line);
        }
    }

    /// <summary>Waits until a line starts with <paramref name="prefix"/>; false when the process exited first or the deadline passed.</summary>
    public async Task<bool> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_gate)
            {
                if (_lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    return true;
                }
            }

            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                lock (_gate)
                {
                    return _lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal));
                }
            }

            await Task.Delay(100);
        }

        return false;
    }

    public string? Line(string prefix)
    {
        lock (_gate)
        {
            return _lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        }
    }

    /// <summary>Waits for the process to exit (killing it at the deadline) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"runner pid {Pid} did not finish within {timeout}: {Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no finally block runs, no lock file is released by the runner itself.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
