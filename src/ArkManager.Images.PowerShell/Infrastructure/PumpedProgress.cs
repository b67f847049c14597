using System;
using System.Threading;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>
    /// An <see cref="IProgress{T}"/> for the library that hands reports to the pipeline thread. Reports are coalesced:
    /// while one is waiting to be handled only the newest is kept (each report carries the whole state, so nothing is
    /// lost). Unlike <see cref="Progress{T}"/> it needs no synchronization context.
    /// </summary>
    internal sealed class PumpedProgress<T> : IProgress<T>
        where T : class
    {
        private readonly Action<Action> _post;
        private readonly Action<T> _handler;
        private T? _latest;
        private int _pending;
        private volatile bool _closed;

        public PumpedProgress(Action<Action> post, Action<T> handler)
        {
            _post = post;
            _handler = handler;
        }

        public void Report(T value)
        {
            if (_closed || value is null)
            {
                return;
            }

            Interlocked.Exchange(ref _latest, value);
            if (Interlocked.CompareExchange(ref _pending, 1, 0) == 0)
            {
                _post(Flush);
            }
        }

        /// <summary>Stops handling reports (late ones are dropped).</summary>
        public void Close() => _closed = true;

        private void Flush()
        {
            Interlocked.Exchange(ref _pending, 0);
            var value = Interlocked.Exchange(ref _latest, null);
            if (value != null && !_closed)
            {
                _handler(value);
            }
        }
    }
}
