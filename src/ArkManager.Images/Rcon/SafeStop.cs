using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using ArkManager.Images.Servers;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Rcon
{
    /// <summary>
    /// Stops an ARK server the way an admin would: warn the players online (a countdown), SaveWorld and check that the
    /// save was written, DoExit, and wait for the exit up to the stop timeout. When RCON is not used or any step fails,
    /// Docker's stop is the fallback (SIGTERM, SIGKILL after the stop timeout), and the result says why. Every step is
    /// reported through progress and logged.
    /// </summary>
    internal static class SafeStop
    {
        /// <summary>What SaveWorld answers when the save is done.</summary>
        public const string WorldSavedText = "World Saved";

        /// <summary>Docker's own default when a container sets no StopTimeout.</summary>
        public static readonly TimeSpan DockerDefaultStopTimeout = TimeSpan.FromSeconds(10);

        /// <summary>How long to keep checking the save's modification time after "World Saved".</summary>
        private static readonly TimeSpan SaveCheckWindow = TimeSpan.FromSeconds(5);

        private static readonly TimeSpan SaveCheckInterval = TimeSpan.FromMilliseconds(250);

        /// <summary>Stops the server; see the class summary. Cancellation leaves the server as it is at that moment (running during the countdown).</summary>
        /// <exception cref="ArgumentException">Invalid options (a warning template that does not format, an empty message command); raised before anything is sent.</exception>
        /// <exception cref="DockerOperationException">Docker's stop (the fallback) failed.</exception>
        public static async Task<SafeStopResult> StopAsync(
            DockerClient client,
            ContainerInspectResponse container,
            RconSettings? rcon,
            SafeStopOptions options,
            IProgress<StopProgress>? progress,
            ILogger logger,
            CancellationToken cancellationToken)
        {
            if (client is null)
            {
                throw new ArgumentNullException(nameof(client));
            }

            if (container is null)
            {
                throw new ArgumentNullException(nameof(container));
            }

            if (options is null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            if (logger is null)
            {
                throw new ArgumentNullException(nameof(logger));
            }

            Validate(options);
            var run = new Run(client, container, options, progress, logger);
            return await run.ExecuteAsync(rcon, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Checks the options before anything is sent.</summary>
        internal static void Validate(SafeStopOptions options)
        {
            if (string.IsNullOrWhiteSpace(options.MessageCommand))
            {
                throw new ArgumentException("SafeStopOptions.MessageCommand must name the RCON command that shows a message (Broadcast or ServerChat).", nameof(options));
            }

            if (options.WarningTemplate is null)
            {
                throw new ArgumentException("SafeStopOptions.WarningTemplate is required.", nameof(options));
            }

            try
            {
                _ = string.Format(CultureInfo.InvariantCulture, options.WarningTemplate, "1 minute");
            }
            catch (FormatException ex)
            {
                throw new ArgumentException("SafeStopOptions.WarningTemplate is not a valid format string: use {0} for the time left (and {{ }} for literal braces).", nameof(options), ex);
            }

            if (options.Warnings is null)
            {
                throw new ArgumentException("SafeStopOptions.Warnings cannot be null (use an empty list for no countdown).", nameof(options));
            }

            if (options.SaveTimeout <= TimeSpan.Zero || options.CommandTimeout <= TimeSpan.Zero)
            {
                throw new ArgumentException("SafeStopOptions.SaveTimeout and CommandTimeout must be positive.", nameof(options));
            }

            if (options.StopTimeout is TimeSpan stop && stop < TimeSpan.Zero)
            {
                throw new ArgumentException("SafeStopOptions.StopTimeout cannot be negative.", nameof(options));
            }

            if (string.IsNullOrWhiteSpace(options.SavePath) || !options.SavePath.StartsWith("/", StringComparison.Ordinal))
            {
                throw new ArgumentException("SafeStopOptions.SavePath must be an absolute path in the container.", nameof(options));
            }
        }

        /// <summary>The countdown as times before the stop, longest first, without duplicates or non-positive entries.</summary>
        internal static IReadOnlyList<TimeSpan> Schedule(IReadOnlyList<TimeSpan> warnings) =>
            warnings.Where(w => w > TimeSpan.Zero).Distinct().OrderByDescending(w => w).ToList();

        /// <summary>"15 minutes", "1 minute", "1 minute 30 seconds", "2 hours" (seconds rounded up).</summary>
        internal static string FormatTimeLeft(TimeSpan left)
        {
            var seconds = (long)Math.Ceiling(left.TotalSeconds);
            if (seconds < 1)
            {
                seconds = 1;
            }

            var parts = new List<string>();
            void Add(long value, string unit)
            {
                if (value > 0)
                {
                    parts.Add(value.ToString(CultureInfo.InvariantCulture) + " " + unit + (value == 1 ? string.Empty : "s"));
                }
            }

            Add(seconds / 3600, "hour");
            Add(seconds % 3600 / 60, "minute");
            Add(seconds % 60, "second");
            return string.Join(" ", parts);
        }

        /// <summary>The warning text for a time left.</summary>
        internal static string WarningText(SafeStopOptions options, TimeSpan left) =>
            string.Format(CultureInfo.InvariantCulture, options.WarningTemplate, FormatTimeLeft(left));

        internal static string ServerName(ContainerInspectResponse container)
        {
            var labels = container.Config?.Labels;
            if (labels != null && labels.TryGetValue(ServerLabels.Server, out var name) && !string.IsNullOrWhiteSpace(name))
            {
                return name;
            }

            return (container.Name ?? container.ID ?? string.Empty).TrimStart('/');
        }

        private static string Shorten(string text)
        {
            var t = text.Trim().Replace('\r', ' ').Replace('\n', ' ');
            return t.Length <= 120 ? t : t.Substring(0, 117) + "...";
        }

        /// <summary>A step failed: the stop falls back to Docker's stop with this reason.</summary>
        private sealed class StepFailedException : Exception
        {
            public StepFailedException(string reason)
                : base(reason)
            {
            }
        }

        /// <summary>One safe stop: its state, progress and log.</summary>
        private sealed class Run
        {
            private readonly DockerClient _client;
            private readonly ContainerInspectResponse _container;
            private readonly SafeStopOptions _options;
            private readonly IProgress<StopProgress>? _progress;
            private readonly ILogger _logger;
            private readonly string _server;
            private readonly string _id;
            private readonly TimeSpan _stopTimeout;
            private readonly Stopwatch _watch = Stopwatch.StartNew();
            private readonly List<string> _warnings = new List<string>();
            private IReadOnlyList<ArkPlayer> _players = Array.Empty<ArkPlayer>();
            private bool _usedRcon;
            private bool _saved;

            public Run(DockerClient client, ContainerInspectResponse container, SafeStopOptions options, IProgress<StopProgress>? progress, ILogger logger)
            {
                _client = client;
                _container = container;
                _options = options;
                _progress = progress;
                _logger = logger;
                _server = ServerName(container);
                _id = container.ID;
                _stopTimeout = options.StopTimeout
                    ?? (container.Config?.StopTimeout is TimeSpan configured && configured >= TimeSpan.Zero ? configured : DockerDefaultStopTimeout);
            }

            public async Task<SafeStopResult> ExecuteAsync(RconSettings? rcon, CancellationToken cancellationToken)
            {
                var current = await InspectAsync(cancellationToken).ConfigureAwait(false);
                if (current?.State?.Running != true)
                {
                    var state = current?.State?.Status ?? "gone";
                    Report(StopPhase.Done, $"The server is not running ({state}); nothing to stop.");
                    return Finish(false, false, "the server was not running (" + state + ")", current?.State?.ExitCode);
                }

                if (_options.SkipRcon)
                {
                    return await DockerStopAsync("RCON was skipped (SkipRcon)", cancellationToken).ConfigureAwait(false);
                }

                if (rcon is null)
                {
                    return await DockerStopAsync("RCON is not configured for this server (label " + RconSettingsResolver.PortLabel + ")", cancellationToken).ConfigureAwait(false);
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
                catch (StepFailedException ex)
                {
                    reason = ex.Message;
                }
                catch (RconException ex)
                {
                    reason = ex.Message;
                }
                catch (ArkManagerException ex)
                {
                    reason = ex.Message;
                }
                catch (DockerApiException ex)
                {
                    reason = "Docker answered " + (int)ex.StatusCode + ": " + DockerErrors.MessageOf(ex);
                }
                catch (Exception ex) when (DockerConnection.IsConnectionFailure(ex))
                {
                    reason = "Docker could not be reached: " + DockerConnection.DescribeConnectionFailure(ex);
                }

                return await DockerStopAsync(reason, cancellationToken).ConfigureAwait(false);
            }

            private async Task<SafeStopResult> RconStopAsync(RconSettings rcon, CancellationToken cancellationToken)
            {
                using var client = new RconClient(_logger);
                Report(StopPhase.Warning, $"Connecting to RCON at {rcon.Host}:{rcon.Port.ToString(CultureInfo.InvariantCulture)}");
                await client.ConnectAsync(rcon, _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
                _usedRcon = true;

                await CountdownAsync(client, cancellationToken).ConfigureAwait(false);
                await SaveAsync(client, cancellationToken).ConfigureAwait(false);
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
                    Report(StopPhase.Warning, $"{Describe(known, players)}; no countdown is configured.");
                    return;
                }

                if (known && players.Count == 0 && !_options.WarnEvenIfEmpty)
                {
                    Report(StopPhase.Warning, "Nobody is online: the countdown is skipped.");
                    return;
                }

                Report(StopPhase.Warning, $"{Describe(known, players)}: counting down from {FormatTimeLeft(schedule[0])}.");
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

            private static string Describe(bool known, IReadOnlyList<ArkPlayer> players) =>
                !known ? "The players online are unknown"
                : players.Count == 0 ? "Nobody is online"
                : players.Count == 1 ? "1 player online (" + players[0].Name + ")"
                : players.Count.ToString(CultureInfo.InvariantCulture) + " players online (" + string.Join(", ", players.Select(p => p.Name)) + ")";

            private async Task SaveAsync(RconClient client, CancellationToken cancellationToken)
            {
                string problem = "no attempt was made";
                for (var attempt = 1; attempt <= 2; attempt++)
                {
                    Report(StopPhase.Save, attempt == 1 ? "Saving the world (SaveWorld)" : $"Saving the world again (SaveWorld, attempt 2): {problem}");
                    var before = await SaveTimeAsync(cancellationToken).ConfigureAwait(false);
                    var sentAt = DateTime.UtcNow;
                    var watch = Stopwatch.StartNew();
                    string reply;
                    try
                    {
                        reply = await client.ExecuteAsync("SaveWorld", _options.SaveTimeout, cancellationToken).ConfigureAwait(false);
                    }
                    catch (RconException ex) when (attempt == 1 && (ex.Kind == RconErrorKind.Timeout || ex.Kind == RconErrorKind.Unavailable))
                    {
                        problem = ex.Message;
                        continue;
                    }

                    if (reply.IndexOf(WorldSavedText, StringComparison.OrdinalIgnoreCase) < 0)
                    {
                        problem = reply.Trim().Length == 0 ? "SaveWorld gave no answer" : $"SaveWorld answered '{Shorten(reply)}' instead of '{WorldSavedText}'";
                        continue;
                    }

                    // The answer says the save is done: the save directory must show it (an update after the command).
                    var window = _options.SaveTimeout - watch.Elapsed;
                    if (window > SaveCheckWindow || window <= TimeSpan.Zero)
                    {
                        window = SaveCheckWindow;
                    }

                    var checkWatch = Stopwatch.StartNew();
                    while (true)
                    {
                        var after = await SaveTimeAsync(cancellationToken).ConfigureAwait(false);
                        if (after is null)
                        {
                            problem = $"the save path {_options.SavePath} cannot be read in the container (set SafeStopOptions.SavePath)";
                        }
                        else if (after.Value >= sentAt || (before != null && after.Value > before.Value))
                        {
                            _saved = true;
                            Report(StopPhase.Save, $"World Saved ({_options.SavePath} updated at {after.Value.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} UTC).");
                            return;
                        }
                        else
                        {
                            problem = $"SaveWorld answered '{WorldSavedText}' but {_options.SavePath} was not updated (last change {after.Value.ToString("u", CultureInfo.InvariantCulture)})";
                        }

                        if (checkWatch.Elapsed >= window)
                        {
                            break;
                        }

                        await Task.Delay(SaveCheckInterval, cancellationToken).ConfigureAwait(false);
                    }
                }

                throw new StepFailedException("the world save could not be confirmed: " + problem);
            }

            /// <summary>The modification time (UTC) of the save path in the container, or null when it cannot be read.</summary>
            private async Task<DateTime?> SaveTimeAsync(CancellationToken cancellationToken)
            {
                try
                {
                    var response = await _client.Containers.GetArchiveFromContainerAsync(_id, new ContainerPathStatParameters { Path = _options.SavePath }, true, cancellationToken).ConfigureAwait(false);
                    response.Stream?.Dispose();
                    var mtime = response.Stat?.Mtime;
                    if (mtime is null || mtime.Value == default)
                    {
                        return null;
                    }

                    return mtime.Value.Kind == DateTimeKind.Local ? mtime.Value.ToUniversalTime() : DateTime.SpecifyKind(mtime.Value, DateTimeKind.Utc);
                }
                catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    return null;
                }
            }

            private async Task<long?> ExitAsync(RconClient client, CancellationToken cancellationToken)
            {
                var policy = _container.HostConfig?.RestartPolicy;
                var suspend = policy != null && policy.Name != RestartPolicyKind.No && policy.Name != RestartPolicyKind.Undefined;
                if (suspend)
                {
                    // A server that exits by itself is restarted by an always/unless-stopped/on-failure policy (Docker's
                    // stop would mark it stopped by hand): suspend the policy for the exit and put it back afterwards.
                    await _client.Containers.UpdateContainerAsync(_id, new ContainerUpdateParameters { RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No } }, cancellationToken).ConfigureAwait(false);
                    Report(StopPhase.Exit, $"Restart policy '{PolicyName(policy!)}' suspended so that Docker does not start the server again after DoExit.");
                }

                try
                {
                    Report(StopPhase.Exit, "Asking the server to exit (DoExit)");
                    try
                    {
                        var reply = await client.ExecuteAsync("DoExit", _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
                        Report(StopPhase.Exit, $"DoExit answered '{Shorten(reply)}'; waiting up to {_stopTimeout.TotalSeconds:0.#} s for the exit.");
                    }
                    catch (RconException ex) when (ex.Kind == RconErrorKind.Unavailable || ex.Kind == RconErrorKind.Timeout)
                    {
                        // ARK may close RCON at once when it exits: the wait below decides.
                        Report(StopPhase.Exit, $"DoExit got no answer ({ex.Message}); waiting up to {_stopTimeout.TotalSeconds:0.#} s for the exit.");
                    }

                    var exited = await WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                    if (!exited.Exited)
                    {
                        throw new StepFailedException($"the server did not exit within {_stopTimeout.TotalSeconds:0.#} s after DoExit");
                    }

                    return exited.ExitCode;
                }
                finally
                {
                    if (suspend)
                    {
                        await RestorePolicyAsync(policy!).ConfigureAwait(false);
                    }
                }
            }

            private async Task RestorePolicyAsync(RestartPolicy policy)
            {
                try
                {
                    await _client.Containers.UpdateContainerAsync(_id, new ContainerUpdateParameters
                    {
                        RestartPolicy = new RestartPolicy { Name = policy.Name, MaximumRetryCount = policy.MaximumRetryCount },
                    }, CancellationToken.None).ConfigureAwait(false);
                    Report(StopPhase.Exit, $"Restart policy '{PolicyName(policy)}' restored.");
                }
                catch (Exception ex) when (ex is DockerApiException || DockerConnection.IsConnectionFailure(ex))
                {
                    RconLog.StepProblem(_logger, _server, $"the restart policy '{PolicyName(policy)}' could not be restored: {ex.Message}");
                }
            }

            private static string PolicyName(RestartPolicy policy) => policy.Name switch
            {
                RestartPolicyKind.Always => "always",
                RestartPolicyKind.UnlessStopped => "unless-stopped",
                RestartPolicyKind.OnFailure => "on-failure",
                _ => "no",
            };

            private async Task<(bool Exited, long? ExitCode)> WaitForExitAsync(CancellationToken cancellationToken)
            {
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    timeout.CancelAfter(_stopTimeout > TimeSpan.Zero ? _stopTimeout : TimeSpan.FromMilliseconds(1));
                    try
                    {
                        var wait = await _client.Containers.WaitContainerAsync(_id, timeout.Token).ConfigureAwait(false);
                        return (true, wait.StatusCode);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        var state = await InspectAsync(cancellationToken).ConfigureAwait(false);
                        return state?.State?.Running == true ? (false, null) : (true, state?.State?.ExitCode);
                    }
                    catch (Exception ex) when (!(ex is OperationCanceledException) && (ex is DockerApiException || DockerConnection.IsConnectionFailure(ex)))
                    {
                        // The wait request failed: watch the state instead, until the same deadline.
                        RconLog.StepProblem(_logger, _server, "waiting through the Docker API failed (" + ex.Message + "); polling the container's state");
                        while (true)
                        {
                            var state = await InspectAsync(cancellationToken).ConfigureAwait(false);
                            if (state?.State?.Running != true)
                            {
                                return (true, state?.State?.ExitCode);
                            }

                            if (timeout.IsCancellationRequested)
                            {
                                return (false, null);
                            }

                            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
            }

            private async Task<ContainerInspectResponse?> InspectAsync(CancellationToken cancellationToken)
            {
                try
                {
                    return await _client.Containers.InspectContainerAsync(_id, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (DockerErrors.IsNotFound(ex))
                {
                    return null;
                }
            }

            private async Task<SafeStopResult> DockerStopAsync(string reason, CancellationToken cancellationToken)
            {
                RconLog.FallingBack(_logger, _server, reason);
                var current = await InspectAsync(cancellationToken).ConfigureAwait(false);
                if (current?.State?.Running != true && current?.State?.Restarting != true && current?.State?.Paused != true)
                {
                    var state = current?.State?.Status ?? "gone";
                    Report(StopPhase.Done, $"The server is no longer running ({state}); Docker's stop is not needed.");
                    return Finish(false, true, reason, current?.State?.ExitCode);
                }

                var seconds = (uint)Math.Ceiling(_stopTimeout.TotalSeconds);
                Report(StopPhase.DockerStop, $"Stopping with Docker's stop ({reason}): SIGTERM, SIGKILL after {seconds.ToString(CultureInfo.InvariantCulture)} s.");
                try
                {
                    await _client.Containers.StopContainerAsync(_id, new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, cancellationToken).ConfigureAwait(false);
                }
                catch (DockerApiException ex) when (!DockerErrors.IsNotFound(ex))
                {
                    throw new DockerOperationException("Stopping server", _server, (int)ex.StatusCode, DockerErrors.MessageOf(ex), ex);
                }
                catch (Exception ex) when (DockerErrors.IsNotFound(ex))
                {
                    // removed meanwhile: nothing left to stop
                }

                var after = await InspectAsync(cancellationToken).ConfigureAwait(false);
                Report(StopPhase.Done, $"Stopped by Docker's stop (exit code {after?.State?.ExitCode.ToString(CultureInfo.InvariantCulture) ?? "unknown"}).");
                return Finish(false, true, reason, after?.State?.ExitCode);
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
    }
}
