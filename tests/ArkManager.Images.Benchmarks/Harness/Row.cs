namespace ArkManager.Images.Benchmarks.Harness;

/// <summary>
/// One figure of the report: ours and the anchor measured in the same run (medians of paired runs), their ratio and the
/// goal. <see cref="Pass"/> is null when the row could not be measured (then <see cref="Note"/> says why).
/// </summary>
internal sealed class Row
{
    public required string Id { get; init; }
    public required string Figure { get; init; }
    public string Ours { get; set; } = "—";
    public string Anchor { get; set; } = "—";
    public double? Ratio { get; set; }
    public string RatioText { get; set; } = "—";
    public required string Goal { get; init; }
    public bool? Pass { get; set; }
    public string Note { get; set; } = string.Empty;
    public int Pairs { get; set; }
    public Dictionary<string, double[]> Samples { get; } = new();

    /// <summary>Sets ours/anchor/ratio from paired samples (seconds) and passes when ratio ≤ <paramref name="maxRatio"/>.</summary>
    public void FromPairs(IReadOnlyCollection<double> ours, IReadOnlyCollection<double> anchor, double maxRatio, string unit = "s")
    {
        var o = Stats.Median(ours);
        var a = Stats.Median(anchor);
        Samples["ours"] = ours.ToArray();
        Samples["anchor"] = anchor.ToArray();
        Pairs = Math.Min(ours.Count, anchor.Count);
        Ours = Format(o, unit);
        Anchor = Format(a, unit);
        Ratio = a > 0 ? o / a : null;
        RatioText = Ratio is double r ? $"{r:0.00}×" : "—";
        Pass = Ratio is double rr && rr <= maxRatio;
    }

    public static string Format(double value, string unit) => unit switch
    {
        "s" => value < 1 ? $"{value * 1000:0} ms" : $"{value:0.00} s",
        "MiB" => $"{value:0.0} MiB",
        _ => $"{value:0.##} {unit}",
    };
}
