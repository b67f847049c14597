using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// Replaces servers in a rolling order: at most <c>maxParallel</c> windows at a time, a window being one server or all
    /// servers of one cluster one after another; the next window starts only after the previous one finished. The
    /// first failure stops what has not started (those servers are Skipped), unless <c>continueOnError</c>.
    /// </summary>
    internal static class RollingUpdate
    {
        /// <summary>Groups the work into windows: a cluster's servers together, every other server alone.</summary>
        public static IReadOnlyList<IReadOnlyList<T>> Windows<T>(IEnumerable<T> work, Func<T, string> server, Func<string, string?> clusterOf) =>
            work.GroupBy(w => clusterOf(server(w)) is string c ? "cluster:" + c : "server:" + server(w))
                .Select(g => (IReadOnlyList<T>)g.ToList())
                .ToList();

        /// <summary>Runs <paramref name="update"/> per item; returns each item's result, Skipped ones from <paramref name="skipped"/>.</summary>
        public static async Task<IReadOnlyList<(T Item, ServerUpdateResult Result)>> RunAsync<T>(
            IReadOnlyList<IReadOnlyList<T>> windows, int maxParallel, bool continueOnError,
            Func<T, Task<ServerUpdateResult>> update, Func<T, ServerUpdateResult> skipped, CancellationToken cancellationToken)
        {
            if (maxParallel < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(maxParallel), "MaxParallel must be at least 1.");
            }

            var results = new List<(T, ServerUpdateResult)>();
            var stop = false;
            using var gate = new SemaphoreSlim(maxParallel, maxParallel);
            var running = new List<Task>();
            foreach (var window in windows)
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                running.Add(Task.Run(async () =>
                {
                    try
                    {
                        foreach (var item in window)
                        {
                            var result = Volatile.Read(ref stop) ? skipped(item) : await update(item).ConfigureAwait(false);
                            lock (results)
                            {
                                results.Add((item, result));
                            }

                            if (!result.Succeeded && !continueOnError)
                            {
                                Volatile.Write(ref stop, true);
                            }
                        }
                    }
                    finally
                    {
                        gate.Release();
                    }
                }, CancellationToken.None));
            }

            await Task.WhenAll(running).ConfigureAwait(false);
            return results;
        }
    }
}
