using System.Text;
using System.Text.Json;

namespace ArkManager.Images.Benchmarks.Harness;

/// <summary>Writes report.md (one table row per figure) and report.json.</summary>
internal static class Report
{
    public static void Write(string directory, IReadOnlyList<Row> rows, IReadOnlyList<string> micro, string size, string header)
    {
        Directory.CreateDirectory(directory);
        var md = new StringBuilder();
        md.AppendLine("# ArkManager.Images benchmarks");
        md.AppendLine();
        md.AppendLine(header);
        md.AppendLine();
        md.AppendLine("Each figure: ours and the anchor measured in the same run, A and B in turn, medians of the pairs; ratio = ours / anchor.");
        md.AppendLine();
        md.AppendLine("| figure | ours | anchor, same run | ratio | goal | pass | pairs | note |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            var pass = r.Pass switch { true => "pass", false => "**fail**", null => "not measured" };
            md.AppendLine($"| {Esc(r.Figure)} | {Esc(r.Ours)} | {Esc(r.Anchor)} | {r.RatioText} | {Esc(r.Goal)} | {pass} | {r.Pairs} | {Esc(r.Note)} |");
        }

        if (micro.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Micro-benchmarks (BenchmarkDotNet)");
            md.AppendLine();
            foreach (var line in micro)
            {
                md.AppendLine(line);
            }
        }

        File.WriteAllText(Path.Combine(directory, "report.md"), md.ToString());
        var json = JsonSerializer.Serialize(new
        {
            size,
            header,
            rows = rows.Select(r => new { r.Id, r.Figure, r.Ours, r.Anchor, r.Ratio, r.Goal, r.Pass, r.Pairs, r.Note, r.Samples }),
            micro,
        }, new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(directory, "report.json"), json);
    }

    private static string Esc(string s) => s.Replace("|", "\\|").Replace("\n", " ");
}
