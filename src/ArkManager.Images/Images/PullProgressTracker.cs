using System;
using System.Collections.Generic;
using System.Linq;

namespace ArkManager.Images.Images
{
    /// <summary>
    /// Folds the daemon's pull messages into per-layer state and an overall fraction. Pure: no I/O, so it is unit tested.
    /// Download counts for 80 % of a layer and extraction for the rest; layers of unknown size weigh as much as the
    /// average known layer.
    /// </summary>
    internal sealed class PullProgressTracker
    {
        private const double DownloadShare = 0.8;

        private readonly string _image;
        private readonly Dictionary<string, LayerState> _layers = new Dictionary<string, LayerState>(StringComparer.Ordinal);
        private readonly List<string> _order = new List<string>();

        public PullProgressTracker(string image)
        {
            _image = image;
        }

        public string? Digest { get; private set; }

        public PullProgress Update(string? layerId, string? status, long? current, long? total)
        {
            var text = status ?? string.Empty;
            if (text.StartsWith("Digest: ", StringComparison.Ordinal))
            {
                Digest = text.Substring("Digest: ".Length).Trim();
            }

            if (!string.IsNullOrEmpty(layerId) && IsLayerStatus(text))
            {
                if (!_layers.TryGetValue(layerId!, out var layer))
                {
                    layer = new LayerState();
                    _layers[layerId!] = layer;
                    _order.Add(layerId!);
                }

                layer.Status = text;
                layer.Current = current;
                layer.Total = total;
                if (text == "Downloading" && total is long t && t > 0)
                {
                    layer.Size = t;
                }

                layer.Fraction = Math.Max(layer.Fraction, FractionOf(text, current, total));
            }

            return Snapshot(layerId, text, current, total, completed: false);
        }

        public PullProgress Complete() => Snapshot(null, "Pull complete", null, null, completed: true);

        public double OverallFraction
        {
            get
            {
                if (_layers.Count == 0)
                {
                    return 0;
                }

                var known = _layers.Values.Where(l => l.Size > 0).Select(l => (double)l.Size).ToList();
                var defaultWeight = known.Count > 0 ? known.Average() : 1.0;
                double weighted = 0, weights = 0;
                foreach (var layer in _layers.Values)
                {
                    var weight = layer.Size > 0 ? layer.Size : defaultWeight;
                    weighted += weight * layer.Fraction;
                    weights += weight;
                }

                return weights <= 0 ? 0 : Math.Min(1.0, weighted / weights);
            }
        }

        private PullProgress Snapshot(string? layerId, string status, long? current, long? total, bool completed) => new PullProgress
        {
            Image = _image,
            LayerId = layerId,
            Status = status,
            Current = current,
            Total = total,
            OverallFraction = completed ? 1.0 : OverallFraction,
            Completed = completed,
            Layers = _order.Select(id => new LayerProgress
            {
                Id = id,
                Status = _layers[id].Status,
                Current = _layers[id].Current,
                Total = _layers[id].Total,
                Fraction = _layers[id].Fraction,
            }).ToList(),
        };

        private static bool IsLayerStatus(string status) =>
            status == "Pulling fs layer" || status == "Waiting" || status == "Downloading" || status == "Verifying Checksum" ||
            status == "Download complete" || status == "Extracting" || status == "Pull complete" || status == "Already exists" ||
            status.StartsWith("Retrying", StringComparison.Ordinal);

        internal static double FractionOf(string status, long? current, long? total)
        {
            var ratio = current is long c && total is long t && t > 0 ? Math.Max(0, Math.Min(1.0, (double)c / t)) : 0;
            switch (status)
            {
                case "Downloading":
                    return DownloadShare * ratio;
                case "Verifying Checksum":
                case "Download complete":
                    return DownloadShare;
                case "Extracting":
                    return DownloadShare + ((1 - DownloadShare) * ratio);
                case "Pull complete":
                case "Already exists":
                    return 1.0;
                default:
                    return 0;
            }
        }

        private sealed class LayerState
        {
            public string Status { get; set; } = string.Empty;
            public long? Current { get; set; }
            public long? Total { get; set; }
            public long Size { get; set; }
            public double Fraction { get; set; }
        }
    }
}
