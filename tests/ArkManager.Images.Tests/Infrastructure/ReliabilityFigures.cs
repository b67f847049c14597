using System.Text.Json;
using System.Text.Json.Nodes;

namespace ArkManager.Images.Tests.Infrastructure;

/// <summary>
/// Records the counts a reliability test measured (faults injected, inputs generated, refusals, servers left running,
/// containers lost, secrets found) into artifacts/reliability/registry-input-secrets.json at the repository root,
/// one entry per test, merged across tests and runs (the latest run of a test replaces its entry).
/// </summary>
public static class ReliabilityFigures
{
    private static readonly object Gate = new();

    public static string FilePath
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ArkManager.Images.sln")))
            {
                dir = dir.Parent;
            }

            var root = dir?.FullName ?? throw new InvalidOperationException("The repository root (ArkManager.Images.sln) was not found above " + AppContext.BaseDirectory);
            return Path.Combine(root, "artifacts", "reliability", "registry-input-secrets.json");
        }
    }

    public static void Record(string group, string test, IReadOnlyDictionary<string, object> figures)
    {
        lock (Gate)
        {
            var path = FilePath;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var mutex = new Mutex(false, "Global\\arkmanager-reliability-figures");
            mutex.WaitOne(TimeSpan.FromSeconds(30));
            try
            {
                var root = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? new JsonObject() : new JsonObject();
                var groupNode = root[group] as JsonObject ?? new JsonObject();
                root[group] = groupNode;
                var entry = new JsonObject { ["recordedAt"] = DateTimeOffset.UtcNow.ToString("O") };
                foreach (var (key, value) in figures)
                {
                    entry[key] = JsonSerializer.SerializeToNode(value);
                }

                groupNode[test] = entry;
                File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            finally
            {
                mutex.ReleaseMutex();
            }
        }
    }
}
