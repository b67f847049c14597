using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using global::Docker.DotNet.Models;

namespace ArkManager.Images.Updates
{
    internal sealed record HealthGateResult(bool Passed, string Detail);

    /// <summary>
    /// Decides whether a freshly started container is good: its Docker healthcheck when it has one; otherwise a
    /// readiness line in its log; otherwise running without a restart for a while. An exit or a restart fails at once.
    /// </summary>
    internal sealed class HealthGate
    {
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
        private readonly DockerConnection _connection;

        public HealthGate(DockerConnection connection)
        {
            _connection = connection;
        }

        public async Task<HealthGateResult> WaitAsync(string containerId, TimeSpan timeout, TimeSpan stableFor, IReadOnlyList<string> readinessPatterns, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var deadline = DateTime.UtcNow + timeout;
            var first = await client.Containers.InspectContainerAsync(containerId, cancellationToken).ConfigureAwait(false);
            var restartsAtStart = first.RestartCount;
            var hasHealthcheck = first.Config?.Healthcheck?.Test is IList<string> test && test.Count > 0 && !(test.Count == 1 && test[0] == "NONE");
            var mode = hasHealthcheck ? "healthcheck" : readinessPatterns.Count > 0 ? "readiness log line" : "stable run";
            var runningSince = DateTime.UtcNow;

            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var inspect = await client.Containers.InspectContainerAsync(containerId, cancellationToken).ConfigureAwait(false);
                var state = inspect.State;
                if (state is null || (!state.Running && !state.Restarting) || state.Status == "exited" || state.Status == "dead")
                {
                    return new HealthGateResult(false, $"the new container stopped (exit code {state?.ExitCode}{(string.IsNullOrEmpty(state?.Error) ? string.Empty : ", " + state!.Error)}){await LogTailAsync(containerId, cancellationToken).ConfigureAwait(false)}");
                }

                if (state.Restarting || inspect.RestartCount > restartsAtStart)
                {
                    return new HealthGateResult(false, $"the new container restarted (restart count {inspect.RestartCount}, last exit code {state.ExitCode}){await LogTailAsync(containerId, cancellationToken).ConfigureAwait(false)}");
                }

                if (hasHealthcheck)
                {
                    var health = state.Health?.Status;
                    if (health == "healthy")
                    {
                        return new HealthGateResult(true, "the Docker healthcheck reports healthy");
                    }

                    if (health == "unhealthy")
                    {
                        var output = state.Health?.Log?.LastOrDefault()?.Output?.Trim();
                        return new HealthGateResult(false, "the Docker healthcheck reports unhealthy" + (string.IsNullOrEmpty(output) ? string.Empty : ": " + output));
                    }
                }
                else if (readinessPatterns.Count > 0)
                {
                    var log = await ReadLogAsync(containerId, null, cancellationToken).ConfigureAwait(false);
                    var hit = readinessPatterns.FirstOrDefault(p => log.IndexOf(p, StringComparison.OrdinalIgnoreCase) >= 0);
                    if (hit != null)
                    {
                        return new HealthGateResult(true, $"the log shows '{hit}'");
                    }
                }
                else if (DateTime.UtcNow - runningSince >= stableFor)
                {
                    return new HealthGateResult(true, $"running for {stableFor.TotalSeconds:0} s without a restart");
                }

                if (DateTime.UtcNow >= deadline)
                {
                    return new HealthGateResult(false, $"no proof of health ({mode}) within {timeout.TotalSeconds:0} s{await LogTailAsync(containerId, cancellationToken).ConfigureAwait(false)}");
                }

                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task<string> LogTailAsync(string containerId, CancellationToken cancellationToken)
        {
            try
            {
                var tail = (await ReadLogAsync(containerId, "5", cancellationToken).ConfigureAwait(false)).Trim();
                return tail.Length == 0 ? string.Empty : "; last log lines: " + tail.Replace("\r", string.Empty).Replace("\n", " | ");
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                return string.Empty;
            }
        }

        private async Task<string> ReadLogAsync(string containerId, string? tail, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            using var stream = await client.Containers.GetContainerLogsAsync(containerId,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = tail ?? "all" }, cancellationToken).ConfigureAwait(false);
            using var stdout = new MemoryStream();
            using var stderr = new MemoryStream();
            await stream.CopyOutputToAsync(Stream.Null, stdout, stderr, cancellationToken).ConfigureAwait(false);
            return Encoding.UTF8.GetString(stdout.ToArray()) + Encoding.UTF8.GetString(stderr.ToArray());
        }
    }
}
