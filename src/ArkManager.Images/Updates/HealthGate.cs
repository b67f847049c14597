using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;

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
        private readonly IContainerOperations _containers;

        public HealthGate(IContainerOperations containers)
        {
            _containers = containers;
        }

        public async Task<HealthGateResult> WaitAsync(string containerId, TimeSpan timeout, TimeSpan stableFor, IReadOnlyList<string> readinessPatterns, CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow + timeout;
            var first = await InspectAsync(containerId, cancellationToken).ConfigureAwait(false);
            var restartsAtStart = first.RestartCount;
            var hasHealthcheck = first.HasHealthcheck;
            var mode = hasHealthcheck ? "healthcheck" : readinessPatterns.Count > 0 ? "readiness log line" : "stable run";
            var runningSince = DateTime.UtcNow;

            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var state = await InspectAsync(containerId, cancellationToken).ConfigureAwait(false);
                if ((!state.Running && !state.Restarting) || state.Status == "exited" || state.Status == "dead")
                {
                    return new HealthGateResult(false, $"the new container stopped (exit code {state.ExitCode}{(state.Error is null ? string.Empty : ", " + state.Error)}){await LogTailAsync(containerId, cancellationToken).ConfigureAwait(false)}");
                }

                if (state.Restarting || state.RestartCount > restartsAtStart)
                {
                    return new HealthGateResult(false, $"the new container restarted (restart count {state.RestartCount}, last exit code {state.ExitCode}){await LogTailAsync(containerId, cancellationToken).ConfigureAwait(false)}");
                }

                if (hasHealthcheck)
                {
                    if (state.HealthStatus == "healthy")
                    {
                        return new HealthGateResult(true, "the Docker healthcheck reports healthy");
                    }

                    if (state.HealthStatus == "unhealthy")
                    {
                        var output = state.HealthOutput?.Trim();
                        return new HealthGateResult(false, "the Docker healthcheck reports unhealthy" + (string.IsNullOrEmpty(output) ? string.Empty : ": " + output));
                    }
                }
                else if (readinessPatterns.Count > 0)
                {
                    var log = await _containers.ReadLogAsync(containerId, null, cancellationToken).ConfigureAwait(false);
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

        private async Task<ContainerDetails> InspectAsync(string containerId, CancellationToken cancellationToken) =>
            await _containers.TryInspectAsync(containerId, cancellationToken).ConfigureAwait(false)
            ?? throw new ContainerNotFoundException(containerId);

        private async Task<string> LogTailAsync(string containerId, CancellationToken cancellationToken)
        {
            try
            {
                var tail = (await _containers.ReadLogAsync(containerId, "5", cancellationToken).ConfigureAwait(false)).Trim();
                return tail.Length == 0 ? string.Empty : "; last log lines: " + tail.Replace("\r", string.Empty).Replace("\n", " | ");
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                return string.Empty;
            }
        }
    }
}
