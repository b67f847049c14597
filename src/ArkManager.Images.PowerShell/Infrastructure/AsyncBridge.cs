using System;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>
    /// Runs a cmdlet's library calls on the thread pool while the pipeline thread pumps what they post (output,
    /// progress, log messages); owns the cancellation of those calls (Ctrl+C) and knows whether one is in flight.
    /// </summary>
    internal sealed class AsyncBridge : IDisposable
    {
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private PipelineDispatcher? _dispatcher;
        private int _running;

        /// <summary>Cancelled by <see cref="Cancel"/>.</summary>
        public CancellationToken Token => _cancellation.Token;

        /// <summary>True while a call started by <see cref="Start{T}"/> is being pumped.</summary>
        public bool IsRunning => Volatile.Read(ref _running) != 0;

        private PipelineDispatcher Dispatcher => _dispatcher ??= new PipelineDispatcher();

        /// <summary>Makes the calling thread the pipeline thread, unless a thread already is.</summary>
        public void Attach() => _dispatcher ??= new PipelineDispatcher();

        /// <summary>Queues an action for the pipeline thread (runs at once when already on it).</summary>
        public void Post(Action action) => Dispatcher.Post(action);

        /// <summary>Runs what is still queued.</summary>
        public void Drain() => _dispatcher?.Drain();

        /// <summary>Cancels the running call (nothing happens after disposal).</summary>
        public void Cancel()
        {
            try
            {
                _cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>Starts <paramref name="operation"/> on the thread pool and pumps posted actions until it ends.</summary>
        public Task<T> Start<T>(IArkImageManager manager, Func<IArkImageManager, CancellationToken, Task<T>> operation)
        {
            var token = _cancellation.Token;
            Interlocked.Increment(ref _running);
            Task<T> task;
            try
            {
                task = Task.Run(() => operation(manager, token), token);
                Dispatcher.Pump(task, Cancel);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }

            return task;
        }

        /// <summary>Disposes the dispatcher, then the cancellation source.</summary>
        public void Dispose()
        {
            _dispatcher?.Dispose();
            _cancellation.Dispose();
        }
    }
}
