using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Updates
{
    /// <summary>One engine's part in a run over several hosts.</summary>
    internal sealed record HostUpdater(string Host, UpdateCoordinator Coordinator);

    /// <summary>
    /// An update rolled across several hosts: each image checked once (one HEAD), pulled once on each host whose image is
    /// behind, then every affected server replaced under one <see cref="UpdateOptions.MaxParallel"/> window (a cluster's
    /// servers on a host one after another). A host that cannot be reached fails its own part only.
    /// </summary>
    internal sealed class MultiHostCoordinator
    {
        private readonly IReadOnlyList<HostUpdater> _hosts;
        private readonly UpdateChecker _registry;
        private readonly int _maxChecks;

        public MultiHostCoordinator(IReadOnlyList<HostUpdater> hosts, UpdateChecker registry, int maxChecks)
        {
            _hosts = hosts;
            _registry = registry;
            _maxChecks = Math.Max(1, maxChecks);
        }

        /// <summary>One registry answer per image (never pulls; nothing local compared).</summary>
        public async Task<IReadOnlyDictionary<string, ImageUpdateCheck>> AskRegistryAsync(IReadOnlyList<ImageReference> references, CancellationToken cancellationToken)
        {
            using var window = new SemaphoreSlim(_maxChecks, _maxChecks);
            var answers = await Task.WhenAll(references.Distinct().Select(async reference =>
            {
                await window.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return await _registry.AskRegistryAsync(reference, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    window.Release();
                }
            })).ConfigureAwait(false);
            return answers.ToDictionary(a => a.Image, a => a, StringComparer.Ordinal);
        }

        public async Task<(IReadOnlyList<UpdatePlanItem> Items, IReadOnlyList<HostError> Errors)> PlanManyAsync(IReadOnlyList<ImageReference> references, UpdateOptions options, CancellationToken cancellationToken)
        {
            var answers = options.Offline ? new Dictionary<string, ImageUpdateCheck>() : await AskRegistryAsync(references, cancellationToken).ConfigureAwait(false);
            var perHost = await AcrossAsync(h => h.Coordinator.PlanManyAsync(references, options, cancellationToken, answers), cancellationToken).ConfigureAwait(false);
            return (perHost.Where(p => p.Result != null).SelectMany(p => p.Result!.Select(i => i with { Host = p.Host.Host })).ToList(), perHost.Where(p => p.Error != null).Select(p => p.Error!).ToList());
        }

        public async Task<BatchUpdateResult> UpdateManyAsync(IReadOnlyList<ImageReference> references, UpdateOptions options, IProgress<UpdateProgress>? progress, CancellationToken cancellationToken)
        {
            if (options.MaxParallel < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "MaxParallel must be at least 1.");
            }

            var distinct = references.Distinct().ToList();
            var answers = options.Offline ? null : await AskRegistryAsync(distinct, cancellationToken).ConfigureAwait(false);

            // Each host recovers its own crashed transactions, then checks against the shared answer and pulls what it lacks.
            var prepared = await AcrossAsync(async h =>
            {
                await h.Coordinator.RecoverAllAsync(cancellationToken).ConfigureAwait(false);
                var phases = new List<ImagePhase>();
                foreach (var reference in distinct)
                {
                    ImageUpdateCheck? answer = null;
                    answers?.TryGetValue(reference.ToString(), out answer);
                    phases.Add(await h.Coordinator.PrepareAsync(reference, options, Stamped(progress, h.Host), cancellationToken, answer).ConfigureAwait(false));
                }

                return (IReadOnlyList<ImagePhase>)phases;
            }, cancellationToken).ConfigureAwait(false);

            var reachable = prepared.Where(p => p.Result != null).ToList();
            var work = new List<(HostUpdater Host, ImagePhase Phase, UpdatePlanItem Item)>();
            var clusters = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (host, phases, _) in reachable)
            {
                var items = phases!.SelectMany(p => p.Plan.Where(i => i.Status == UpdatePlanStatus.Recreate).Select(i => (host, p, i))).ToList();
                work.AddRange(items);
                var clusterOf = await host.Coordinator.ClusterOfAsync(items.Select(w => w.i.Server), cancellationToken).ConfigureAwait(false);
                foreach (var pair in clusterOf)
                {
                    clusters[Key(host.Host, pair.Key)] = pair.Value is null ? null : host.Host + "/" + pair.Value;
                }
            }

            var windows = RollingUpdate.Windows(work, w => Key(w.Host.Host, w.Item.Server), s => clusters.TryGetValue(s, out var c) ? c : null);
            var ran = await RollingUpdate.RunAsync(windows, options.MaxParallel, options.ContinueOnError,
                w => w.Host.Coordinator.UpdateOneAsync(w.Item, w.Phase, options, Stamped(progress, w.Host.Host), cancellationToken),
                w => UpdateJudge.NotStarted(w.Item, w.Phase, "not attempted: an earlier server failed (use ContinueOnError to go on)", UpdateOutcome.Skipped),
                cancellationToken).ConfigureAwait(false);

            var results = new List<ImageUpdateResult>();
            foreach (var (host, phases, error) in prepared)
            {
                if (error != null)
                {
                    results.AddRange(distinct.Select(r => new ImageUpdateResult
                    {
                        Host = host.Host,
                        Image = r.ToString(),
                        Succeeded = false,
                        Error = error.Error,
                        ErrorId = error.ErrorId,
                        Summary = $"{r} on {host.Host}: not updated: {error.Error}",
                    }));
                    continue;
                }

                var byServer = ran.Where(r => ReferenceEquals(r.Item.Host, host)).ToDictionary(r => r.Item.Item.Server, r => r.Result, StringComparer.Ordinal);
                foreach (var phase in phases!)
                {
                    var judged = UpdateJudge.Judge(phase, byServer, options.Owner);
                    results.Add(judged with
                    {
                        Host = host.Host,
                        Servers = judged.Servers.Select(s => s with { Host = host.Host }).ToList(),
                        Summary = host.Host + ": " + judged.Summary,
                    });
                }
            }

            return UpdateJudge.Batch(results);
        }

        private static string Key(string host, string server) => host + "/" + server;

        private static IProgress<UpdateProgress>? Stamped(IProgress<UpdateProgress>? progress, string host) =>
            progress is null ? null : new Forward<UpdateProgress>(p => progress.Report(p with { Host = host }));

        /// <summary>Runs <paramref name="body"/> on every host at once; a host the daemon of which cannot be reached becomes its error.</summary>
        private async Task<IReadOnlyList<(HostUpdater Host, T? Result, HostError? Error)>> AcrossAsync<T>(Func<HostUpdater, Task<T>> body, CancellationToken cancellationToken)
            where T : class
        {
            var tasks = _hosts.Select(async h =>
            {
                try
                {
                    return (h, await body(h).ConfigureAwait(false), (HostError?)null);
                }
                catch (DockerUnavailableException ex)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    return (h, (T?)null, new HostError { Host = h.Host, Error = ex.Message, ErrorId = ex.ErrorId });
                }
            });
            return await Task.WhenAll(tasks).ConfigureAwait(false);
        }
    }
}
