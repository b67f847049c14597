using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// The one way into a server for anything that changes it: take the server's lock, finish or undo an unfinished
    /// transaction a killed run left behind, then run the operation. Start, stop, backup, restore, recreate, update and
    /// rollback all go through <see cref="RunExclusiveAsync{T}"/>.
    /// </summary>
    internal sealed class ServerGate
    {
        private readonly ServerLock _lock;
        private readonly UpdateJournal _journal;
        private readonly TransactionRecovery _recovery;

        public ServerGate(ServerLock serverLock, UpdateJournal journal, TransactionRecovery recovery)
        {
            _lock = serverLock;
            _journal = journal;
            _recovery = recovery;
        }

        /// <summary>Runs <paramref name="body"/> holding the server's lock, after recovering its unfinished transaction.</summary>
        public async Task<T> RunExclusiveAsync<T>(string server, string operation, TimeSpan lockTimeout, Func<Task<T>> body, CancellationToken cancellationToken)
        {
            using (await _lock.AcquireAsync(server, operation, lockTimeout, cancellationToken).ConfigureAwait(false))
            {
                await _recovery.RecoverAsync(server, cancellationToken).ConfigureAwait(false);
                return await body().ConfigureAwait(false);
            }
        }

        /// <summary>Finishes or undoes every unfinished transaction whose lock is free (a held lock means a live run).</summary>
        public async Task<IReadOnlyList<ServerUpdateResult>> RecoverAllAsync(CancellationToken cancellationToken)
        {
            var results = new List<ServerUpdateResult>();
            foreach (var server in _journal.ServersWithJournals())
            {
                if (!ServerSpecParser.IsValidName(server))
                {
                    continue; // not a journal this library wrote
                }

                var held = _lock.TryAcquire(server, "recovery of");
                if (held is null)
                {
                    continue;
                }

                using (held)
                {
                    var recovered = await _recovery.RecoverAsync(server, cancellationToken).ConfigureAwait(false);
                    if (recovered != null)
                    {
                        results.Add(recovered);
                    }
                }
            }

            return results;
        }
    }
}
