using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using Microsoft.Extensions.Logging;
using static ArkManager.Images.Rcon.SafeStopText;

namespace ArkManager.Images.Rcon
{
    /// <summary>
    /// One safe stop (see <see cref="SafeStop"/>): its state, progress and log. The time spent before an RCON session
    /// existed (connecting to a server that refuses, drops or ignores the connection) is taken from the stop timeout that
    /// Docker's stop gets when it falls back, so the whole stop stays within the stop timeout and
    /// <see cref="MinimumDockerStopTimeout"/>. Once RCON answered, the server is up and the fallback gets the whole stop timeout.
    /// </summary>
    internal sealed class SafeStopRun
    {
        /// <summary>The least Docker's stop is given after RCON used up the stop timeout (SIGTERM, then SIGKILL this much later).</summary>
        public static readonly TimeSpan MinimumDockerStopTimeout = TimeSpan.FromSeconds(1);

        private readonly IContainerOperations _containers;
        private readonly ContainerDetails _container;
        private readonly SafeStopOptions _options;
        private readonly IProgress<StopProgress>? _progress;
        private readonly ILogger _logger;
        private readonly string _server;
        private readonly string _id;
        private readonly TimeSpan _stopTimeout;
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private readonly List<string> _warnings = new List<string>();
        private IReadOnlyList<ArkPlayer> _players = Array.Empty<ArkPlayer>();
        private TimeSpan _rconWait;
        private bool _usedRcon;
        private bool _saved;

        public SafeStopRun(IContainerOperations containers, ContainerDetails container, SafeStopOptions options, IProgress<StopProgress>? progress, ILogger logger)
        {
            _containers = containers;
            _container = container;
            _options = options;
            _progress = progress;
            _logger = logger;
            _server = ServerName(container);
            _id = container.Id;
            _stopTimeout = options.StopTimeout
                ?? (container.StopTimeout is TimeSpan configured && configured >= TimeSpan.Zero ? configured : ContainerOperations.DockerDefaultStopTimeout);
        }

        /// <summary>How long connecting to RCON may take: the command timeout, but never longer than the stop timeout.</summary>
        internal static TimeSpan ConnectTimeout(TimeSpan commandTimeout, TimeSpan stopTimeout)
        {
            var bound = stopTimeout > MinimumDockerStopTimeout ? stopTimeout : MinimumDockerStopTimeout;
            return commandTimeout < bound ? commandTimeout : bound;
        }

        /// <summary>What is left of the stop timeout for Docker's stop after <paramref name="rconWait"/> went on RCON (at least the minimum).</summary>
        internal static TimeSpan DockerStopTimeout(TimeSpan stopTimeout, TimeSpan rconWait)
        {
            var floor = stopTimeout < MinimumDockerStopTimeout ? stopTimeout : MinimumDockerStopTimeout;
            var left = stopTimeout - rconWait;
            return left > floor ? left : floor;
        }

        public async Task<SafeStopResult> ExecuteAsync(RconSettings? rcon, CancellationToken cancellationToken)
        {
            var current = await _containers.TryInspectAsync(_id, cancellationToken).ConfigureAwait(false);
            if (current?.Running != true)
            {
                var state = current?.Status ?? "gone";
                Report(StopPhase.Done, $"The server is not running ({state}); nothing to stop.");
                return Finish(false, false, "the server was not running (" + state + ")", current?.ExitCode);
            }

            if (_options.SkipRcon)
            {
                return await DockerStopAsync("RCON was skipped (SkipRcon)", rconFailed: false, cancellationToken).ConfigureAwait(false);
            }

            if (rcon is null)
            {
                return await DockerStopAsync("RCON is not configured for this server (label " + RconSettingsResolver.PortLabel + ")", rconFailed: false, cancellationToken).ConfigureAwait(false);
            }

            string reason;
            try
            {
                return await RconStopAsync(rcon, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (SafeStopStepFailedException ex)
            {
                reason = ex.Message;
            }
            catch (ArkManagerException ex)
            {
                // RconException, and the Docker operations' DockerOperationException / DockerUnavailableException.
                reason = ex.Message;
            }

            return await DockerStopAsync(reason, rconFailed: true, cancellationToken).ConfigureAwait(false);
        }

        private async Task<SafeStopResult> RconStopAsync(RconSettings rcon, CancellationToken cancellationToken)
        {
            using var client = new RconClient(_logger);
            Report(StopPhase.Warning, $"Connecting to RCON at {rcon.Host}:{rcon.Port.ToString(CultureInfo.InvariantCulture)}");
            var connecting = Stopwatch.StartNew();
            try
            {
                await client.ConnectAsync(rcon, ConnectTimeout(_options.CommandTimeout, _stopTimeout), RconStartupRetry.ForContainer(_container), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Until RCON answers, the wait counts against the stop timeout (see the class summary).
                _rconWait = connecting.Elapsed;
                throw;
            }

            _usedRcon = true;

            await CountdownAsync(client, cancellationToken).ConfigureAwait(false);
            await SafeStopSave.SaveAsync(client, _containers, _id, _options, message => Report(StopPhase.Save, message), cancellationToken).ConfigureAwait(false);
            _saved = true;
            var exitCode = await ExitAsync(client, cancellationToken).ConfigureAwait(false);
            Report(StopPhase.Done, $"The server exited by DoExit (exit code {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}).");
            return Finish(true, false, null, exitCode);
        }

        private async Task CountdownAsync(RconClient client, CancellationToken cancellationToken)
        {
            var schedule = Schedule(_options.Warnings);
            var (known, players) = await ListPlayersAsync(client, cancellationToken).ConfigureAwait(false);
            _players = players;
            if (schedule.Count == 0)
            {
                Report(StopPhase.Warning, $"{DescribePlayers(known, players)}; no countdown is configured.");
                return;
            }

            if (known && players.Count == 0 && !_options.WarnEvenIfEmpty)
            {
                Report(StopPhase.Warning, "Nobody is online: the countdown is skipped.");
                return;
            }

            Report(StopPhase.Warning, $"{DescribePlayers(known, players)}: counting down from {FormatTimeLeft(schedule[0])}.");
            for (var i = 0; i < schedule.Count; i++)
            {
                if (i > 0 && !_options.WarnEvenIfEmpty)
                {
                    var (stillKnown, still) = await ListPlayersAsync(client, cancellationToken).ConfigureAwait(false);
                    if (stillKnown && still.Count == 0)
                    {
                        Report(StopPhase.Warning, "Everybody has left: the rest of the countdown is skipped.");
                        return;
                    }
                }

                var message = WarningText(_options, schedule[i]);
                await client.ExecuteAsync(_options.MessageCommand.Trim() + " " + message, _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
                _warnings.Add(message);
                Report(StopPhase.Warning, $"{_options.MessageCommand.Trim()}: {message}");
                var next = i + 1 < schedule.Count ? schedule[i + 1] : TimeSpan.Zero;
                await Task.Delay(schedule[i] - next, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task<(bool Known, IReadOnlyList<ArkPlayer> Players)> ListPlayersAsync(RconClient client, CancellationToken cancellationToken)
        {
            var text = await client.ExecuteAsync("ListPlayers", _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            if (ArkPlayerList.TryParse(text, out var players))
            {
                return (true, players);
            }

            RconLog.StepProblem(_logger, _server, $"ListPlayers answered something unexpected ('{Shorten(text)}'); assuming players may be online");
            return (false, players);
        }

        private async Task<long?> ExitAsync(RconClient client, CancellationToken cancellationToken)
        {
            var policy = string.IsNullOrEmpty(_container.RestartPolicy) ? "no" : _container.RestartPolicy;
            var suspend = policy != "no";
            if (suspend)
            {
                // A server that exits by itself is restarted by an always/unless-stopped/on-failure policy (Docker's
                // stop would mark it stopped by hand): suspend the policy for the exit and put it back afterwards.
                await _containers.SetRestartPolicyAsync(_id, "no", 0, cancellationToken).ConfigureAwait(false);
                Report(StopPhase.Exit, $"Restart policy '{policy}' suspended so that Docker does not start the server again after DoExit.");
            }

            try
            {
                Report(StopPhase.Exit, "Asking the server to exit (DoExit)");
                try
                {
                    var reply = await client.ExecuteAsync("DoExit", _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
                    Report(StopPhase.Exit, $"DoExit answered '{Shorten(reply)}'; waiting up to {Seconds(_stopTimeout)} for the exit.");
                }
                catch (RconException ex) when (ex.Kind == RconErrorKind.Unavailable || ex.Kind == RconErrorKind.Timeout)
                {
                    // ARK may close RCON at once when it exits: the wait below decides.
                    Report(StopPhase.Exit, $"DoExit got no answer ({ex.Message}); waiting up to {Seconds(_stopTimeout)} for the exit.");
                }

                var exited = await WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                if (!exited.Exited)
                {
                    throw new SafeStopStepFailedException($"the server did not exit within {Seconds(_stopTimeout)} after DoExit");
                }

                return exited.ExitCode;
            }
            finally
            {
                if (suspend)
                {
                    await RestorePolicyAsync(policy).ConfigureAwait(false);
                }
            }
        }

        private async Task RestorePolicyAsync(string policy)
        {
            try
            {
                await _containers.SetRestartPolicyAsync(_id, policy, _container.RestartMaxRetries, CancellationToken.None).ConfigureAwait(false);
                Report(StopPhase.Exit, $"Restart policy '{policy}' restored.");
            }
            catch (ArkManagerException ex)
            {
                RconLog.StepProblem(_logger, _server, $"the restart policy '{policy}' could not be restored: {ex.Message}");
            }
        }

        private async Task<(bool Exited, long? ExitCode)> WaitForExitAsync(CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_stopTimeout > TimeSpan.Zero ? _stopTimeout : TimeSpan.FromMilliseconds(1));
            try
            {
                return (true, await _containers.WaitAsync(_id, timeout.Token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var state = await _containers.TryInspectAsync(_id, cancellationToken).ConfigureAwait(false);
                return state?.Running == true ? (false, null) : (true, state?.ExitCode);
            }
            catch (ArkManagerException ex) when (ex is DockerOperationException || ex is DockerUnavailableException)
            {
                // The wait request failed: watch the state instead, until the same deadline.
                RconLog.StepProblem(_logger, _server, "waiting through the Docker API failed (" + ex.Message + "); polling the container's state");
                while (true)
                {
                    var state = await _containers.TryInspectAsync(_id, cancellationToken).ConfigureAwait(false);
                    if (state?.Running != true)
                    {
                        return (true, state?.ExitCode);
                    }

                    if (timeout.IsCancellationRequested)
                    {
                        return (false, null);
                    }

                    await Task.Delay(250, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task<SafeStopResult> DockerStopAsync(string reason, bool rconFailed, CancellationToken cancellationToken)
        {
            if (rconFailed)
            {
                RconLog.FallingBack(_logger, _server, reason);
            }
            else
            {
                RconLog.StoppingWithoutRcon(_logger, _server, reason);
            }

            var current = await _containers.TryInspectAsync(_id, cancellationToken).ConfigureAwait(false);
            if (current?.Running != true && current?.Restarting != true && current?.Paused != true)
            {
                var state = current?.Status ?? "gone";
                Report(StopPhase.Done, $"The server is no longer running ({state}); Docker's stop is not needed.");
                return Finish(false, true, reason, current?.ExitCode);
            }

            var timeout = DockerStopTimeout(_stopTimeout, _rconWait);
            var seconds = ((long)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            var spent = _rconWait > TimeSpan.Zero ? $"; {Seconds(_rconWait)} of the {Seconds(_stopTimeout)} stop timeout went on RCON" : string.Empty;
            if (_rconWait > TimeSpan.Zero)
            {
                RconLog.StopBudget(_logger, _server, _rconWait.TotalSeconds, (long)Math.Ceiling(timeout.TotalSeconds));
            }

            Report(StopPhase.DockerStop, $"Stopping with Docker's stop ({reason}): SIGTERM, SIGKILL after {seconds} s{spent}.");
            await _containers.StopAsync(_id, timeout, cancellationToken).ConfigureAwait(false);

            var after = await _containers.TryInspectAsync(_id, cancellationToken).ConfigureAwait(false);
            Report(StopPhase.Done, $"Stopped by Docker's stop (exit code {after?.ExitCode.ToString(CultureInfo.InvariantCulture) ?? "unknown"}).");
            return Finish(false, true, reason, after?.ExitCode);
        }

        private SafeStopResult Finish(bool exitedByDoExit, bool fellBack, string? reason, long? exitCode)
        {
            var result = new SafeStopResult
            {
                Server = _server,
                UsedRcon = _usedRcon,
                WarningsSent = _warnings.ToList(),
                PlayersOnline = _players,
                Saved = _saved,
                ExitedByDoExit = exitedByDoExit,
                FellBackToDockerStop = fellBack,
                Reason = reason,
                ExitCode = exitCode,
                Duration = _watch.Elapsed,
            };
            RconLog.Finished(_logger, _server, result.Duration.TotalSeconds, result.UsedRcon, result.Saved, result.ExitedByDoExit, result.FellBackToDockerStop);
            return result;
        }

        private void Report(StopPhase phase, string message)
        {
            RconLog.Step(_logger, _server, phase, message);
            _progress?.Report(new StopProgress { Server = _server, Phase = phase, Message = message });
        }
    }

    /// <summary>A step of a safe stop failed: the stop falls back to Docker's stop with this reason.</summary>
    internal sealed class SafeStopStepFailedException : Exception
    {
        public SafeStopStepFailedException(string reason)
            : base(reason)
        {
        }
    }
}
