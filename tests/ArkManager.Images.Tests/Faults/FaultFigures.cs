using System.Text.Json;
using System.Text.Json.Nodes;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// Counts what the fault suite exercised (kill points, daemon restarts, ...) into
/// artifacts/reliability/engine-process-disk-tls.json: one entry per test (a re-run replaces its own entry) plus totals.
/// Only tests that got to their assertions record, so the figures are those of passing runs.
/// </summary>
public static class FaultFigures
{
    private static readonly object Gate = new();

    public static string FilePath
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ArkManager.Images.sln")))
            {
                dir = dir.Parent;
            }

            var root = dir?.FullName ?? throw new InvalidOperationException("repository root (ArkManager.Images.sln) not found above " + AppContext.BaseDirectory);
            return Path.Combine(root, "artifacts", "reliability", "engine-process-disk-tls.json");
        }
    }

    /// <summary>Records the counts of one test (kind to count).</summary>
    public static void Record(string test, IReadOnlyDictionary<string, int> counts)
    {
        lock (Gate)
        {
            var path = FilePath;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            JsonObject root;
            try
            {
                root = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? new JsonObject() : new JsonObject();
            }
            catch (JsonException)
            {
                root = new JsonObject();
            }

            var tests = root["tests"] as JsonObject ?? new JsonObject();
            var entry = new JsonObject { ["recordedAt"] = DateTimeOffset.UtcNow.ToString("O") };
            foreach (var (k, v) in counts)
            {
                entry[k] = v;
            }

            tests[test] = entry;
            var totals = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var (_, node) in tests)
            {
                foreach (var (k, v) in node!.AsObject())
                {
                    if (k != "recordedAt")
                    {
                        totals[k] = totals.GetValueOrDefault(k) + v!.GetValue<int>();
                    }
                }
            }

            var totalsNode = new JsonObject();
            foreach (var (k, v) in totals)
            {
                totalsNode[k] = v;
            }

            var fresh = new JsonObject
            {
                ["suite"] = "tests/ArkManager.Images.Tests/Faults (engine, process, disk, TLS)",
                ["updatedAt"] = DateTimeOffset.UtcNow.ToString("O"),
                ["totals"] = totalsNode,
                ["tests"] = tests.DeepClone(),
            };
            File.WriteAllText(path + ".tmp", fresh.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            File.Move(path + ".tmp", path, true);
        }
    }
}
