using System;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// How many manifest checks may be in flight at one registry, adapted during a run: it starts at the configured
    /// number, grows by one for each check whose round trip was dominated by latency (a registry far away: more in flight
    /// costs it nothing), up to <see cref="MaxLimit"/>, and halves when the registry answers 429 (too many requests).
    /// </summary>
    internal sealed class RegistryConcurrency : IDisposable
    {
        /// <summary>A round trip at least this long is latency, not work: the registry can take more at once.</summary>
        internal static readonly TimeSpan LatencyDominates = TimeSpan.FromMilliseconds(20);

        private readonly SemaphoreSlim _slots;
        private readonly object _gate = new object();
        private int _limit;
        private int _debt;

        public RegistryConcurrency(int initial, int maxLimit)
        {
            _limit = Math.Max(1, initial);
            MaxLimit = Math.Max(_limit, maxLimit);
            _slots = new SemaphoreSlim(_limit, int.MaxValue);
        }

        public int MaxLimit { get; }

        /// <summary>The current limit.</summary>
        public int Limit
        {
            get
            {
                lock (_gate)
                {
                    return _limit;
                }
            }
        }

        public Task WaitAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

        /// <summary>Returns a slot after a check that took <paramref name="roundTrip"/>; grows the limit when latency dominated.</summary>
        public void Release(TimeSpan roundTrip)
        {
            lock (_gate)
            {
                if (_debt > 0)
                {
                    // The limit was lowered: this slot is retired instead of returned.
                    _debt--;
                    return;
                }

                var grow = roundTrip >= LatencyDominates && _limit < MaxLimit ? 1 : 0;
                _limit += grow;
                _slots.Release(1 + grow);
            }
        }

        /// <summary>The registry said 429: halve the limit (the slots in use are retired as they come back).</summary>
        public void BackOff()
        {
            lock (_gate)
            {
                var lower = Math.Max(1, _limit / 2);
                _debt += _limit - lower;
                _limit = lower;
            }
        }

        public void Dispose() => _slots.Dispose();
    }
}
