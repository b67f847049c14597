using System.Diagnostics;
using System.Text;

namespace ArkManager.Images.Benchmarks.Harness;

/// <summary>The outcome of one process run: exit code, output and wall time.</summary>
internal sealed record ProcResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public ProcResult EnsureSuccess(string what)
    {
        if (ExitCode != 0)
        {
            var detail = $"{Stderr.Trim()} {Stdout.Trim()}".Trim();
            throw new InvalidOperationException($"{what} exited {ExitCode}: {(detail.Length > 300 ? detail.Substring(0, 300) + "…" : detail)}");
        }

        return this;
    }
}

/// <summary>Runs programs (pwsh, docker, tar, ab, bash) and times them from start to exit.</summary>
internal static class Proc
{
    public static ProcResult Run(string file, IEnumerable<string> args, IDictionary<string, string>? env = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if (env != null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit((int)(timeout ?? TimeSpan.FromMinutes(10)).TotalMilliseconds))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time.");
        }

        process.WaitForExit();
        watch.Stop();
        return new ProcResult(process.ExitCode, stdout.ToString(), stderr.ToString(), watch.Elapsed);
    }

    public static ProcResult Bash(string script, IDictionary<string, string>? env = null) => Run("bash", new[] { "-c", script }, env);
}
