using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>
    /// Runs actions on the pipeline thread. Library work runs on the thread pool; everything that must talk to
    /// PowerShell (WriteObject, WriteProgress, WriteVerbose, ...) is posted here and executed by <see cref="Pump"/>
    /// on the thread that created the dispatcher.
    /// </summary>
    internal sealed class PipelineDispatcher : IDisposable
    {
        private static readonly Action Wake = () => { };

        private readonly BlockingCollection<Action> _queue = new BlockingCollection<Action>();
        private readonly int _pipelineThreadId;
        private volatile bool _disposed;

        public PipelineDispatcher()
        {
            _pipelineThreadId = Environment.CurrentManagedThreadId;
        }

        /// <summary>True on the thread that may call PowerShell.</summary>
        public bool IsPipelineThread => Environment.CurrentManagedThreadId == _pipelineThreadId;

        /// <summary>
        /// Runs <paramref name="action"/> at once when called on the pipeline thread, else queues it for the next
        /// <see cref="Pump"/> (or <see cref="Drain"/>). Actions posted after disposal are dropped.
        /// </summary>
        public void Post(Action action)
        {
            if (IsPipelineThread)
            {
                action();
                return;
            }

            if (_disposed)
            {
                return;
            }

            try
            {
                _queue.TryAdd(action);
            }
            catch (ObjectDisposedException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }

        /// <summary>
        /// Executes posted actions on the calling (pipeline) thread until <paramref name="task"/> has finished, then
        /// executes what is left. Does not observe the task's result. An exception thrown by an action (for example
        /// <c>PipelineStoppedException</c> from WriteObject) calls <paramref name="onActionFailed"/> and propagates.
        /// </summary>
        public void Pump(Task task, Action? onActionFailed = null)
        {
            if (!IsPipelineThread)
            {
                throw new InvalidOperationException("Pump must be called on the pipeline thread.");
            }

            // Wake the pump when the task ends (runs on the completing thread, or inline when already complete).
            task.ContinueWith(
                _ =>
                {
                    try
                    {
                        _queue.TryAdd(Wake);
                    }
                    catch (ObjectDisposedException)
                    {
                    }
                    catch (InvalidOperationException)
                    {
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);

            try
            {
                while (true)
                {
                    Drain();
                    if (task.IsCompleted)
                    {
                        Drain();
                        return;
                    }

                    var next = _queue.Take();
                    next();
                }
            }
            catch
            {
                onActionFailed?.Invoke();

                // The task is abandoned: make sure its failure is never reported as unobserved.
                task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                throw;
            }
        }

        /// <summary>Executes every queued action now (pipeline thread only).</summary>
        public void Drain()
        {
            while (_queue.TryTake(out var action))
            {
                action();
            }
        }

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _queue.Dispose();
        }
    }
}
