using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>
    /// Writes the progress of one pull: a parent record for the image and a child record per layer, each throttled,
    /// and every record completed at the end. Used on the pipeline thread only.
    /// </summary>
    internal sealed class PullProgressWriter
    {
        /// <summary>The shortest interval between two records of the same activity (a layer's completion is never delayed).</summary>
        public static readonly TimeSpan Interval = ProgressActivity.Interval;

        private readonly Action<ProgressRecord> _write;
        private readonly int _parentId;
        private readonly int? _outerId;
        private readonly Dictionary<string, ProgressActivity> _layers = new Dictionary<string, ProgressActivity>(StringComparer.Ordinal);
        private readonly List<ProgressActivity> _order = new List<ProgressActivity>();
        private readonly ProgressActivity _parent;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private bool _completed;

        /// <summary>Creates the writer of one pull.</summary>
        /// <param name="image">The image reference.</param>
        /// <param name="write">WriteProgress.</param>
        /// <param name="outerActivityId">The activity the image record is a child of (an update), or null.</param>
        /// <param name="activity">The text of the image record; default: "Installing image &lt;image&gt;".</param>
        public PullProgressWriter(string image, Action<ProgressRecord> write, int? outerActivityId = null, string? activity = null)
        {
            _write = write;
            _outerId = outerActivityId;
            _parentId = ProgressActivity.ReserveIds(1000);
            _parent = new ProgressActivity(_parentId, activity ?? "Installing image " + image);
        }

        /// <summary>The activity id of the image record (layers use the ids after it).</summary>
        public int ParentActivityId => _parentId;

        /// <summary>Writes what changed in <paramref name="progress"/>, within the throttle.</summary>
        public void Report(PullProgress progress)
        {
            if (_completed)
            {
                return;
            }

            var now = _clock.Elapsed;
            var percent = Percent(progress.OverallFraction);
            var status = string.IsNullOrEmpty(progress.Status) ? "Pulling" : progress.Status;
            var layerCount = progress.Layers?.Count ?? 0;
            var parentStatus = layerCount > 0
                ? string.Format(CultureInfo.InvariantCulture, "{0} ({1} layer{2})", status, layerCount, layerCount == 1 ? string.Empty : "s")
                : status;
            if (_parent.ShouldWrite(now, parentStatus, percent, force: progress.Completed))
            {
                _parent.Write(_write, _outerId, parentStatus, percent, now);
            }

            if (progress.Layers == null)
            {
                return;
            }

            foreach (var layer in progress.Layers)
            {
                if (layer is null || string.IsNullOrEmpty(layer.Id))
                {
                    continue;
                }

                if (!_layers.TryGetValue(layer.Id, out var activity))
                {
                    activity = new ProgressActivity(_parentId + 1 + (_order.Count % 999), "Layer " + layer.Id);
                    _layers.Add(layer.Id, activity);
                    _order.Add(activity);
                }

                if (activity.Completed)
                {
                    continue;
                }

                var layerPercent = Percent(layer.Fraction);
                var layerStatus = LayerStatus(layer);
                if (IsDone(layer))
                {
                    activity.Write(_write, _parentId, layerStatus, 100, now);
                    activity.Complete(_write, _parentId);
                }
                else if (activity.ShouldWrite(now, layerStatus, layerPercent))
                {
                    activity.Write(_write, _parentId, layerStatus, layerPercent, now);
                }
            }
        }

        /// <summary>Completes every record that was written (call once, also on failure).</summary>
        public void Complete()
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            foreach (var activity in _order)
            {
                if (!activity.Completed)
                {
                    activity.Complete(_write, _parentId);
                }
            }

            _parent.Complete(_write, _outerId);
        }

        private static bool IsDone(LayerProgress layer) =>
            layer.Fraction >= 1.0 ||
            string.Equals(layer.Status, "Pull complete", StringComparison.OrdinalIgnoreCase) ||
            string.Equals(layer.Status, "Already exists", StringComparison.OrdinalIgnoreCase);

        private static string LayerStatus(LayerProgress layer)
        {
            var status = string.IsNullOrEmpty(layer.Status) ? "Waiting" : layer.Status;
            if (layer.Current is long current && layer.Total is long total && total > 0)
            {
                return string.Format(CultureInfo.InvariantCulture, "{0} {1} / {2}", status, Size(current), Size(total));
            }

            return status;
        }

        private static string Size(long bytes)
        {
            if (bytes >= 1024L * 1024 * 1024)
            {
                return (bytes / (1024.0 * 1024 * 1024)).ToString("0.00", CultureInfo.InvariantCulture) + " GB";
            }

            if (bytes >= 1024L * 1024)
            {
                return (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
            }

            return (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB";
        }

        private static int Percent(double fraction)
        {
            if (double.IsNaN(fraction) || fraction <= 0)
            {
                return 0;
            }

            return fraction >= 1 ? 100 : (int)(fraction * 100);
        }
    }
}
