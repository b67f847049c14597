using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using ArkManager.Images.Images;
using ArkManager.Images.Servers;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// Servers that are Swarm services: created with the image pinned by digest (our own one-HEAD check), updated by the
    /// engine's own rollout (stop-first, failure action rollback, monitor = health timeout) followed to its end, and
    /// undone by the engine's rollback. The result and the history record the engine's outcome with step timings. The
    /// container transaction (<see cref="UpdateTransaction"/>) is not used for services: the engine is the transaction.
    /// </summary>
    internal sealed class ServiceUpdate
    {
        private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

        /// <summary>Beyond stop grace and monitor, how long a rollout may take (node pulls, scheduling) before the wait gives up.</summary>
        private static readonly TimeSpan RolloutAllowance = TimeSpan.FromMinutes(10);

        private readonly ServiceServers _services;
        private readonly ServerManager _servers;
        private readonly ImageStore _images;
        private readonly UpdateChecker _checker;
        private readonly UpdateHistoryStore _history;
        private readonly ILogger _logger;

        public ServiceUpdate(ServiceServers services, ServerManager servers, ImageStore images, UpdateChecker checker, UpdateHistoryStore history, ILogger logger)
        {
            _services = services;
            _servers = servers;
            _images = images;
            _checker = checker;
            _history = history;
            _logger = logger;
        }

        private IServiceOperations Ops => _services.Operations;

        /// <summary>
        /// Creates the server as a one-replica service on <see cref="ServerSpec.Node"/>, its image pinned to the digest the
        /// registry has now (one HEAD). The manager needs no local copy: the node pulls that digest when it starts the task.
        /// </summary>
        public async Task<ServerInfo> CreateAsync(ServerSpec spec, CancellationToken cancellationToken)
        {
            ServerSpecParser.ValidateName(spec.Name);
            var reference = ImageReference.Parse(spec.Image);
            ServerServiceSpec.Validate(spec, reference);
            var constraint = await _services.ConstraintForAsync(spec.Name, spec.Node, cancellationToken).ConfigureAwait(false);
            if (await _servers.FindAsync(spec.Name, cancellationToken).ConfigureAwait(false) != null ||
                await Ops.TryInspectAsync(spec.Name, cancellationToken).ConfigureAwait(false) != null)
            {
                throw new ServerAlreadyExistsException(spec.Name);
            }

            var digest = await RegistryDigestAsync(spec.Name, reference, cancellationToken).ConfigureAwait(false);
            await _services.CreateAsync(spec, reference, reference + "@" + digest, constraint, cancellationToken).ConfigureAwait(false);
            return await _servers.GetRequiredAsync(spec.Name, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Updates a service server to the digest of <paramref name="reference"/>: the local image's digest when this engine
        /// has the image (after Update-ArkImage's pull), else the registry's (one HEAD). Runs under the server's gate.
        /// </summary>
        public async Task<ServerUpdateResult> UpdateAsync(ServerInfo server, ImageReference reference, RecreateOptions options, string kind, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            var local = await _images.InspectAsync(reference, cancellationToken).ConfigureAwait(false);
            var target = local?.Digest ?? await RegistryDigestAsync(server.Name, reference, cancellationToken).ConfigureAwait(false);
            var result = new ServerUpdateResult
            {
                Server = server.Name, Image = reference.ToString(), OldContainerId = server.ContainerId, ContainerId = server.ContainerId,
                OldDigest = server.PinnedDigest, NewDigest = target,
            };
            if (target == server.PinnedDigest && !options.Force)
            {
                return result with { Outcome = UpdateOutcome.AlreadyCurrent };
            }

            return await RolloutAsync(server, kind, result, options.HealthTimeout, progress,
                ct => Ops.UpdateImageAsync(server.ContainerId, reference + "@" + target, options.HealthTimeout, ct),
                "service update to " + target + " (stop-first, failure action rollback, monitor " + options.HealthTimeout.TotalSeconds + " s)", cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Undo-ArkImageUpdate of a service: back to the digest it pinned before its last successful update. The engine's
        /// rollback when its previous spec is that digest; otherwise (the engine already rolled back a failed update since)
        /// a service update to that digest.
        /// </summary>
        public async Task<ServerUpdateResult> UndoAsync(ServerInfo server, RecreateOptions options, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            var history = await _history.ReadAsync(new UpdateHistoryFilter { Server = server.Name }, cancellationToken).ConfigureAwait(false);
            var last = history.LastOrDefault(r => TransactionRecords.IsForwardSuccess(r) && r.NewDigest == server.PinnedDigest && r.OldDigest != null && r.OldDigest != r.NewDigest)
                       ?? throw new NoRollbackTargetException(server.Name, "the history has no successful update that led to the digest its service pins now.");
            var reference = ImageReference.Parse(last.Image);
            var service = await Ops.TryInspectAsync(server.ContainerId, cancellationToken).ConfigureAwait(false) ?? throw new ServerNotFoundException(server.Name);
            var result = new ServerUpdateResult
            {
                Server = server.Name, Image = reference.ToString(), OldContainerId = server.ContainerId, ContainerId = server.ContainerId,
                OldDigest = server.PinnedDigest, NewDigest = last.OldDigest,
            };
            if (ServiceDetails.DigestOf(service.PreviousImage) == last.OldDigest)
            {
                return await RolloutAsync(server, "Rollback", result, options.HealthTimeout, progress,
                    ct => Ops.RollbackAsync(server.ContainerId, ct), "the engine's rollback to its previous spec (" + last.OldDigest + ")", cancellationToken).ConfigureAwait(false);
            }

            return await RolloutAsync(server, "Rollback", result, options.HealthTimeout, progress,
                ct => Ops.UpdateImageAsync(server.ContainerId, reference + "@" + last.OldDigest, options.HealthTimeout, ct),
                "service update back to " + last.OldDigest + " (the engine's previous spec is another one)", cancellationToken).ConfigureAwait(false);
        }

        private async Task<ServerUpdateResult> RolloutAsync(ServerInfo server, string kind, ServerUpdateResult result, TimeSpan monitor, IProgress<UpdateProgress>? progress,
            Func<CancellationToken, Task> ask, string what, CancellationToken cancellationToken)
        {
            var startedAt = DateTimeOffset.UtcNow;
            var steps = new List<StepRecord>();
            var watch = Stopwatch.StartNew();
            Report(progress, server.Name, UpdateStep.ServiceUpdate, what);
            await ask(cancellationToken).ConfigureAwait(false);
            steps.Add(new StepRecord { Step = UpdateStep.ServiceUpdate, StartedAt = startedAt, Duration = watch.Elapsed, Status = "Completed", Detail = what });
            ServiceLog.Asked(_logger, server.Name, what);

            var rolloutStart = DateTimeOffset.UtcNow;
            watch.Restart();
            Report(progress, server.Name, UpdateStep.Rollout, "following the engine's rollout");
            var deadline = DateTime.UtcNow + (server.StopTimeout ?? TimeSpan.Zero) + monitor + RolloutAllowance;
            ServiceDetails? service;
            while (true)
            {
                service = await Ops.TryInspectAsync(server.ContainerId, cancellationToken).ConfigureAwait(false) ?? throw new ServerNotFoundException(server.Name);
                if (IsEnd(service.UpdateState) || DateTime.UtcNow > deadline)
                {
                    break;
                }

                await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
            }

            var state = service.UpdateState ?? "(none)";
            var tasks = await Ops.TasksAsync(service.Id, cancellationToken).ConfigureAwait(false);
            var task = ServiceServers.CurrentTask(tasks);
            var detail = $"update status {state}" + (string.IsNullOrEmpty(service.UpdateMessage) ? string.Empty : ": " + service.UpdateMessage) +
                         (task is null ? string.Empty : $"; task {task.State} on node {task.NodeId}");
            var rollback = string.Equals(kind, "Rollback", StringComparison.Ordinal);
            var outcome = state switch
            {
                "completed" => TransactionRecords.SuccessOf(kind),
                "rollback_completed" => rollback ? UpdateOutcome.Reverted : UpdateOutcome.RolledBack,
                _ => UpdateOutcome.Failed,
            };
            var error = outcome switch
            {
                UpdateOutcome.RolledBack => "the engine rolled the service back: " + (service.UpdateMessage ?? state),
                UpdateOutcome.Failed => IsEnd(service.UpdateState)
                    ? $"the engine stopped the rollout ({state}): {service.UpdateMessage}; the service is left as the engine holds it (docker service ps {service.Name})"
                    : $"the rollout did not end in time (still {state}); the engine goes on with it (docker service ps {service.Name})",
                _ => null,
            };
            steps.Add(new StepRecord { Step = UpdateStep.Rollout, StartedAt = rolloutStart, Duration = watch.Elapsed, Status = error is null ? "Completed" : "Failed", Detail = detail });
            ServiceLog.RolloutEnded(_logger, server.Name, state, watch.Elapsed.TotalSeconds);
            result = result with { Outcome = outcome, Error = error, Steps = steps };
            return await AppendHistoryAsync(server, kind, result, startedAt).ConfigureAwait(false);
        }

        private static bool IsEnd(string? state) =>
            state == "completed" || state == "paused" || state == "rollback_completed" || state == "rollback_paused";

        private async Task<ServerUpdateResult> AppendHistoryAsync(ServerInfo server, string kind, ServerUpdateResult result, DateTimeOffset startedAt)
        {
            var id = Guid.NewGuid().ToString("N");
            try
            {
                await _history.AppendAsync(new UpdateHistoryRecord
                {
                    Id = id, Kind = kind, Server = server.Name, Owner = server.Owner, Image = result.Image,
                    OldDigest = result.OldDigest, NewDigest = result.NewDigest,
                    OldContainerId = server.ContainerId, NewContainerId = server.ContainerId,
                    Outcome = result.Outcome, Error = result.Error, StartedAt = startedAt, FinishedAt = DateTimeOffset.UtcNow, Steps = result.Steps,
                }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                UpdateLog.HistoryFailed(_logger, server.Name, ex.Message);
            }

            return result with { HistoryId = id };
        }

        /// <summary>The digest the registry has for the reference now (one HEAD), or a refusal that says why there is none.</summary>
        private async Task<string> RegistryDigestAsync(string server, ImageReference reference, CancellationToken cancellationToken)
        {
            var check = await _checker.AskRegistryAsync(reference, cancellationToken).ConfigureAwait(false);
            if (UpdateJudge.CheckFailure(check) is { } failure || string.IsNullOrEmpty(check.RemoteDigest))
            {
                throw new SwarmServiceException(server, $"'{reference}' could not be pinned by digest: {(UpdateJudge.CheckFailure(check)?.Message ?? "the registry gave no digest")}. Nothing was changed.");
            }

            return check.RemoteDigest!;
        }

        private static void Report(IProgress<UpdateProgress>? progress, string server, UpdateStep step, string message) =>
            progress?.Report(new UpdateProgress { Server = server, Step = step, Phase = "Server", Message = $"{step}: {message}", Fraction = step == UpdateStep.ServiceUpdate ? 0 : 0.5 });
    }

    internal static partial class ServiceLog
    {
        [LoggerMessage(EventId = 340, Level = LogLevel.Information, Message = "Server {Server} (Swarm service): asked the engine for {What}")]
        public static partial void Asked(ILogger logger, string server, string what);

        [LoggerMessage(EventId = 341, Level = LogLevel.Information, Message = "Server {Server} (Swarm service): the engine's rollout ended as {State} after {Seconds:0.0} s")]
        public static partial void RolloutEnded(ILogger logger, string server, string state, double seconds);
    }
}
