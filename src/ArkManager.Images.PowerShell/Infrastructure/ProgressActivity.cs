using System;
using System.Management.Automation;
using System.Threading;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>
    /// One progress activity: remembers what it last wrote so that unchanged records are skipped and changes are
    /// throttled to <see cref="Interval"/>, and is completed exactly once. Used on the pipeline thread only.
    /// </summary>
    internal sealed class ProgressActivity
    {
        /// <summary>The shortest interval between two records of the same activity (unless forced).</summary>
        public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

        private static int s_nextId = 0x4152; // "AR"; each writer takes a block of ids

        private readonly int _id;
        private TimeSpan? _lastWrite;
        private string? _lastStatus;
        private int _lastPercent = -2;

        public ProgressActivity(int id, string name)
        {
            _id = id;
            Name = name;
        }

        /// <summary>The activity id.</summary>
        public int Id => _id;

        /// <summary>The activity text.</summary>
        public string Name { get; }

        /// <summary>True once a record was written.</summary>
        public bool Written => _lastWrite.HasValue;

        /// <summary>True once the completion record was written.</summary>
        public bool Completed { get; private set; }

        /// <summary>Reserves <paramref name="count"/> consecutive activity ids and returns the first.</summary>
        public static int ReserveIds(int count) => Interlocked.Add(ref s_nextId, count) - count + 1;

        /// <summary>True when a record with this status and percentage is worth writing now.</summary>
        public bool ShouldWrite(TimeSpan now, string status, int percent, bool force = false)
        {
            if (Completed)
            {
                return false;
            }

            if (_lastWrite is null)
            {
                return true;
            }

            if (status == _lastStatus && percent == _lastPercent)
            {
                return false;
            }

            return force || now - _lastWrite.Value >= Interval;
        }

        /// <summary>Writes a record (<paramref name="percent"/> -1: no percentage).</summary>
        public void Write(Action<ProgressRecord> write, int? parentId, string status, int percent, TimeSpan now)
        {
            var record = new ProgressRecord(_id, Name, string.IsNullOrEmpty(status) ? " " : status) { PercentComplete = percent };
            if (parentId is int parent)
            {
                record.ParentActivityId = parent;
            }

            write(record);
            _lastWrite = now;
            _lastStatus = status;
            _lastPercent = percent;
        }

        /// <summary>Writes the completion record, once.</summary>
        public void Complete(Action<ProgressRecord> write, int? parentId)
        {
            if (Completed)
            {
                return;
            }

            Completed = true;
            var record = new ProgressRecord(_id, Name, "Completed") { RecordType = ProgressRecordType.Completed, PercentComplete = 100 };
            if (parentId is int parent)
            {
                record.ParentActivityId = parent;
            }

            write(record);
        }
    }
}
