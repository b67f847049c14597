using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>
    /// Writes the progress of an update, recreate or rollback: a top record whose status is the current phase, one
    /// child record per server (its status the current transaction step, its percentage the transaction's), and during
    /// the pull a child image record with one grandchild per layer (as Install-ArkImage shows them). Phase and step
    /// changes are always written; other changes are throttled. Every record is completed at the end. Pipeline thread only.
    /// </summary>
    internal sealed class UpdateProgressWriter
    {
        private readonly Action<ProgressRecord> _write;
        private readonly string _image;
        private readonly ProgressActivity _top;
        private readonly int _firstServerId;
        private readonly Dictionary<string, ProgressActivity> _servers = new Dictionary<string, ProgressActivity>(StringComparer.OrdinalIgnoreCase);
        private readonly List<ProgressActivity> _order = new List<ProgressActivity>();
        private readonly Dictionary<ProgressActivity, string> _lastStep = new Dictionary<ProgressActivity, string>();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private PullProgressWriter? _pull;
        private ProgressActivity? _current;
        private string? _lastPhase;
        private bool _completed;

        /// <summary>Creates the writer.</summary>
        /// <param name="activity">The text of the top record ("Updating image ...", "Rolling back server ...").</param>
        /// <param name="image">The image reference (for the pull record), when known.</param>
        /// <param name="write">WriteProgress.</param>
        public UpdateProgressWriter(string activity, string? image, Action<ProgressRecord> write)
        {
            _write = write;
            _image = image ?? string.Empty;
            var first = ProgressActivity.ReserveIds(1000);
            _top = new ProgressActivity(first, activity);
            _firstServerId = first + 1;
        }

        /// <summary>The activity id of the top record.</summary>
        public int ActivityId => _top.Id;

        /// <summary>Writes what <paramref name="progress"/> changed.</summary>
        public void Report(UpdateProgress progress)
        {
            if (_completed || progress is null)
            {
                return;
            }

            var now = _clock.Elapsed;
            var phase = string.IsNullOrEmpty(progress.Phase) ? "Update" : progress.Phase;
            var phaseChanged = !string.Equals(phase, _lastPhase, StringComparison.Ordinal);
            _lastPhase = phase;

            var topStatus = string.IsNullOrEmpty(progress.Message) ? phase : phase + ": " + progress.Message;
            if (!string.IsNullOrEmpty(progress.Server) && progress.Step is UpdateStep step)
            {
                topStatus = string.Format(CultureInfo.InvariantCulture, "{0}: server {1}, {2}", phase, progress.Server, step);
            }

            if (_top.ShouldWrite(now, topStatus, -1, force: phaseChanged))
            {
                _top.Write(_write, null, topStatus, -1, now);
            }

            // The pull: its own record (child of the top one) with the layers under it.
            if (progress.Pull != null)
            {
                _pull ??= new PullProgressWriter(_image, _write, _top.Id, "Pulling image " + (string.IsNullOrEmpty(_image) ? progress.Pull.Image : _image));
                _pull.Report(progress.Pull);
            }
            else if (_pull != null && phaseChanged)
            {
                _pull.Complete();
            }

            if (string.IsNullOrEmpty(progress.Server))
            {
                return;
            }

            if (!_servers.TryGetValue(progress.Server!, out var server))
            {
                server = new ProgressActivity(_firstServerId + (_order.Count % 998), "Server " + progress.Server);
                _servers.Add(progress.Server!, server);
                _order.Add(server);
            }

            // One server at a time: the one before is done.
            if (_current != null && !ReferenceEquals(_current, server))
            {
                _current.Complete(_write, _top.Id);
            }

            _current = server;
            var stepText = progress.Step?.ToString() ?? phase;
            var status = string.IsNullOrEmpty(progress.Message) ? stepText : stepText + ": " + progress.Message;
            var percent = Percent(progress.Fraction);
            var stepChanged = !_lastStep.TryGetValue(server, out var lastStep) || !string.Equals(lastStep, stepText, StringComparison.Ordinal);
            _lastStep[server] = stepText;
            if (server.ShouldWrite(now, status, percent, force: stepChanged))
            {
                server.Write(_write, _top.Id, status, percent, now);
            }
        }

        /// <summary>Completes every record (call once, also on failure).</summary>
        public void Complete()
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _pull?.Complete();
            foreach (var server in _order)
            {
                server.Complete(_write, _top.Id);
            }

            _top.Complete(_write, null);
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
