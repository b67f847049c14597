using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.AspNetCore.Jobs
{
    /// <summary>
    /// Runs jobs in the background with <see cref="CancellationToken.None"/>: a client that disconnects (or a request that
    /// is aborted) never cancels an update half-way; the transaction finishes or rolls back and the job keeps the outcome.
    /// </summary>
    public sealed class ArkJobRegistry
    {
        private readonly ConcurrentDictionary<string, ArkJob> _jobs = new ConcurrentDictionary<string, ArkJob>(StringComparer.Ordinal);
        private readonly int _finishedKept;
        private readonly ILogger? _logger;

        internal ArkJobRegistry(int finishedKept, ILogger? logger)
        {
            _finishedKept = Math.Max(1, finishedKept);
            _logger = logger;
        }

        /// <summary>The job with this id when <paramref name="owner"/> may see it (null owner: an administrator sees all).</summary>
        public ArkJob? Find(string id, string? owner, bool isAdmin)
        {
            if (!_jobs.TryGetValue(id, out var job))
            {
                return null;
            }

            return isAdmin || string.Equals(job.Owner, owner, StringComparison.Ordinal) ? job : null;
        }

        /// <summary>Starts <paramref name="work"/> as a job; it receives the job (to report progress) and runs to its end.</summary>
        internal ArkJob Start(string kind, string target, string? owner, Func<ArkJob, Task<(bool Succeeded, object? Result, ArkManagerException? Error)>> work)
        {
            var job = new ArkJob(Guid.NewGuid().ToString("N"), kind, target, owner);
            _jobs[job.Id] = job;
            Prune();
            _ = Task.Run(async () =>
            {
                try
                {
                    var (succeeded, result, error) = await work(job).ConfigureAwait(false);
                    job.Finish(succeeded, result, error?.ErrorId, error?.Message);
                }
                catch (ArkManagerException ex)
                {
                    job.Finish(false, null, ex.ErrorId, ex.Message);
                }
                catch (Exception ex)
                {
                    _logger?.LogError(ex, "The {Kind} job {Id} on {Target} failed unexpectedly.", kind, job.Id, target);
                    job.Finish(false, null, "UnexpectedError", "The operation failed unexpectedly; see the server log.");
                }
            }, CancellationToken.None);
            return job;
        }

        private void Prune()
        {
            var finished = _jobs.Values.Where(j => j.IsFinished).OrderBy(j => j.FinishedAt).ToList();
            foreach (var job in finished.Take(Math.Max(0, finished.Count - _finishedKept)))
            {
                _jobs.TryRemove(job.Id, out _);
            }
        }
    }
}
