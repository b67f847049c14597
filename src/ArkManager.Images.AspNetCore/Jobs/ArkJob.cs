using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.AspNetCore.Jobs
{
    /// <summary>
    /// One long operation (pull, update, recreate, rollback) started by a request and run to its end whatever happens to
    /// that request. Its events are kept so a client can re-attach (GET /jobs/{id}/events) and replay them.
    /// </summary>
    public sealed class ArkJob
    {
        private const int MaxProgressEvents = 5000;
        private readonly object _gate = new object();
        private readonly List<ArkJobEvent> _events = new List<ArkJobEvent>();
        private TaskCompletionSource<bool> _changed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _progressEvents;

        internal ArkJob(string id, string kind, string target, string? owner)
        {
            Id = id;
            Kind = kind;
            Target = target;
            Owner = owner;
            StartedAt = DateTimeOffset.UtcNow;
        }

        /// <summary>The job's id (used in /jobs/{id}).</summary>
        public string Id { get; }

        /// <summary>pull, update, recreate or rollback.</summary>
        public string Kind { get; }

        /// <summary>The image or server the job works on.</summary>
        public string Target { get; }

        /// <summary>The owner who started it (null: an administrator).</summary>
        public string? Owner { get; }

        /// <summary>When it started.</summary>
        public DateTimeOffset StartedAt { get; }

        /// <summary>When it finished; null while it runs.</summary>
        public DateTimeOffset? FinishedAt { get; private set; }

        /// <summary>running, succeeded or failed.</summary>
        public string State { get; private set; } = "running";

        /// <summary>The library's result when it finished (ImageInfo, ImageUpdateResult, ServerUpdateResult).</summary>
        public object? Result { get; private set; }

        /// <summary>The library's ErrorId when it failed.</summary>
        public string? ErrorId { get; private set; }

        /// <summary>The error message when it failed.</summary>
        public string? Error { get; private set; }

        /// <summary>Whether it finished.</summary>
        public bool IsFinished => FinishedAt is not null;

        internal void Append(string type, object? data)
        {
            lock (_gate)
            {
                if (type == "progress" && ++_progressEvents > MaxProgressEvents)
                {
                    return;
                }

                _events.Add(new ArkJobEvent(_events.Count, type, data));
                Signal();
            }
        }

        internal void Finish(bool succeeded, object? result, string? errorId, string? error)
        {
            lock (_gate)
            {
                Result = result;
                ErrorId = errorId;
                Error = error;
                State = succeeded ? "succeeded" : "failed";
                FinishedAt = DateTimeOffset.UtcNow;
                _events.Add(new ArkJobEvent(_events.Count, "done", Describe()));
                Signal();
            }
        }

        /// <summary>The events from <paramref name="from"/> on, and a task that completes when more arrive.</summary>
        internal (IReadOnlyList<ArkJobEvent> Events, Task Changed, bool Finished) Read(int from)
        {
            lock (_gate)
            {
                var count = Math.Max(0, _events.Count - from);
                var slice = count == 0 ? Array.Empty<ArkJobEvent>() : _events.GetRange(from, count).ToArray();
                return (slice, _changed.Task, IsFinished);
            }
        }

        /// <summary>The job as JSON-friendly data.</summary>
        public ArkJobStatus Describe() => new ArkJobStatus(Id, Kind, Target, State, StartedAt, FinishedAt, Result, ErrorId, Error);

        private void Signal()
        {
            var previous = _changed;
            _changed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            previous.TrySetResult(true);
        }
    }

    /// <summary>One event of a job: its sequence number, type (progress, step, done) and data.</summary>
    public sealed record ArkJobEvent(int Sequence, string Type, object? Data);

    /// <summary>The status of a job as the API returns it.</summary>
    public sealed record ArkJobStatus(string Id, string Kind, string Target, string State, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, object? Result, string? ErrorId, string? Error);
}
