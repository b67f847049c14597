using System.Reflection;
using System.Text;
using Mono.Cecil;
using NetArchTest.Rules;

namespace ArkManager.Images.Tests.Architecture;

/// <summary>
/// The library's folders depend downward only, without cycles, and only Docker/ touches Docker.DotNet. A type belongs to the
/// FOLDER of its source file (the namespaces do not follow the folders: the public records stay in ArkManager.Images), read
/// from the built assembly's portable PDB; see <see cref="AssemblyDependencies"/>.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ArchitectureTests
{
    /// <summary>
    /// THE RANK TABLE. A folder (first path segment under src/ArkManager.Images/; the root files are "Facade") may depend only on
    /// folders of a LOWER rank; the same rank is forbidden, except inside one component (Model and Exceptions are one).
    /// A new folder must be added here before its code may build on anything.
    /// </summary>
    private static readonly (int Rank, string[] Folders, bool OneComponent)[] RankTable =
    {
        (0, new[] { "Model", "Exceptions" }, true), // the public contract: records, enums, options and the exceptions that carry them
        (1, new[] { "Internal" }, false),           // atomic files, locks, run log
        (2, new[] { "Configuration" }, false),      // ArkManagerOptions, the config file reader
        (3, new[] { "Registry" }, false),
        (4, new[] { "Docker" }, false),
        (5, new[] { "Images", "Backups", "Rcon", "Notifications" }, false),
        (6, new[] { "Servers" }, false),
        (7, new[] { "Updates" }, false),
        (8, new[] { AssemblyDependencies.FacadeFolder }, false), // ArkImageManager.cs, IArkImageManager.cs at the root
        (9, new[] { "DependencyInjection" }, false),
    };

    private const string DockerFolder = "Docker";
    private const string DockerNamespace = "Docker.DotNet";

    private static readonly Dictionary<string, int> Rank =
        RankTable.SelectMany(r => r.Folders.Select(f => (f, r.Rank))).ToDictionary(x => x.f, x => x.Rank, StringComparer.Ordinal);

    private static readonly Lazy<AssemblyDependencies> Library = new(() =>
        AssemblyDependencies.Load(typeof(ArkImageManager).Assembly.Location, LibrarySourceRoot));

    private static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ArkManager.Images.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("ArkManager.Images.sln not found above " + AppContext.BaseDirectory);
        }
    }

    private static string LibrarySourceRoot => Path.Combine(RepositoryRoot, "src", "ArkManager.Images");

    /// <summary>Model and Exceptions are one node; every other folder is its own.</summary>
    internal static string Component(string folder)
    {
        var row = RankTable.FirstOrDefault(r => r.Folders.Contains(folder, StringComparer.Ordinal));
        return row.Folders != null && row.OneComponent ? string.Join("+", row.Folders) : folder;
    }

    [Fact]
    public void Every_type_of_the_library_maps_to_a_source_folder()
    {
        var library = Library.Value;
        Assert.True(library.Unmapped.Count == 0,
            "No source file found for: " + string.Join(", ", library.Unmapped) + ". The folder map reads the PDB's sequence points and " +
            "falls back to a declaration (class/record/struct/interface/enum <Name>) under src/ArkManager.Images.");
        Assert.NotEmpty(library.Types);
        Assert.Equal("Facade", library.Types[typeof(ArkImageManager).FullName!].Folder);
    }

    [Fact]
    public void Only_Docker_folder_uses_Docker_DotNet()
    {
        var offenders = Library.Value.Types.Values
            .Where(n => n.Folder != DockerFolder && n.DockerTypes.Count > 0)
            .OrderBy(n => n.Folder, StringComparer.Ordinal).ThenBy(n => n.Name, StringComparer.Ordinal)
            .Select(n => $"{n.Folder}/{n.Name} uses {n.DockerTypes.First()}{(n.DockerTypes.Count > 1 ? $" (+{n.DockerTypes.Count - 1} more)" : string.Empty)}")
            .ToList();
        Assert.True(offenders.Count == 0,
            $"Docker.DotNet may be used only by types in src/ArkManager.Images/{DockerFolder}/; {offenders.Count} types elsewhere use it:\n" +
            string.Join("\n", offenders));
    }

    /// <summary>
    /// A second opinion with NetArchTest. It sees namespaces, not folders: it checks the types outside the namespace
    /// ArkManager.Images.Docker, which may miss or wrongly include a type whose namespace differs from its folder. The
    /// Cecil/PDB check above is the authoritative one.
    /// </summary>
    [Fact]
    public void Only_the_Docker_namespace_uses_Docker_DotNet_per_NetArchTest()
    {
        var result = Types.InAssembly(typeof(ArkImageManager).Assembly)
            .That().DoNotResideInNamespace("ArkManager.Images.Docker")
            .ShouldNot().HaveDependencyOn(DockerNamespace)
            .GetResult();
        Assert.True(result.IsSuccessful,
            "Types outside the namespace ArkManager.Images.Docker that depend on Docker.DotNet:\n" +
            string.Join("\n", (result.FailingTypeNames ?? Array.Empty<string>()).OrderBy(n => n, StringComparer.Ordinal)));
    }

    [Fact]
    public void Folders_depend_only_on_folders_of_a_lower_rank()
    {
        var violations = FolderGraph.RankViolations(Library.Value.FolderEdges(), Rank, Component);
        Assert.True(violations.Count == 0,
            $"{violations.Count} folder dependencies run upward or sideways (a folder may use only folders of a lower rank, " +
            "see the table at the top of ArchitectureTests):\n" + string.Join("\n", violations));
    }

    [Fact]
    public void There_is_no_cycle_between_folders()
    {
        var cycles = FolderGraph.Cycles(Library.Value.FolderEdges(), Component);
        Assert.True(cycles.Count == 0, "Cycles between folders:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void Every_folder_with_code_is_in_the_rank_table()
    {
        var onDisk = AssemblyDependencies.SourceFolders(LibrarySourceRoot);
        var inAssembly = Library.Value.Types.Values.Select(n => n.Folder).OfType<string>();
        var missing = onDisk.Concat(inAssembly).Distinct(StringComparer.Ordinal).Where(f => !Rank.ContainsKey(f))
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0,
            "Folders of src/ArkManager.Images without a rank (add them to the table at the top of ArchitectureTests): " + string.Join(", ", missing));
    }

    [Fact]
    public void The_cmdlet_assembly_references_no_Docker_DotNet_type()
    {
        var configuration = typeof(ArchitectureTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var path = Path.Combine(RepositoryRoot, "src", "ArkManager.Images.PowerShell", "bin", configuration, "net8.0", "ArkManager.Images.PowerShell.dll");
        Assert.True(File.Exists(path), path + " is missing: build the solution (dotnet build ArkManager.Images.sln -c " + configuration + ") first.");

        using var module = ModuleDefinition.ReadModule(path, new ReaderParameters { InMemory = true });
        var assemblies = module.AssemblyReferences.Where(a => a.Name.StartsWith(DockerNamespace, StringComparison.Ordinal)).Select(a => "assembly " + a.Name);
        var types = module.GetTypeReferences()
            .Where(t => t.Namespace.StartsWith(DockerNamespace, StringComparison.Ordinal) ||
                        (t.Scope is AssemblyNameReference a && a.Name.StartsWith(DockerNamespace, StringComparison.Ordinal)))
            .Select(t => "type " + t.FullName);
        var found = assemblies.Concat(types).OrderBy(x => x, StringComparer.Ordinal).ToList();
        Assert.True(found.Count == 0, "The cmdlet assembly must reach Docker only through the library/engine; it references:\n" + string.Join("\n", found));
    }

    /// <summary>The checker itself, on a hand-made graph: an upward edge, a sideways edge and a cycle are found.</summary>
    [Fact]
    public void The_graph_logic_finds_upward_edges_sideways_edges_and_cycles()
    {
        var rank = new Dictionary<string, int>(StringComparer.Ordinal) { ["Model"] = 0, ["Exceptions"] = 0, ["Low"] = 1, ["MidA"] = 2, ["MidB"] = 2, ["High"] = 3 };
        static string Component(string f) => f is "Model" or "Exceptions" ? "Model+Exceptions" : f;
        var edges = new[]
        {
            new FolderEdge("High", "Low", "H", "L"),           // downward: fine
            new FolderEdge("Model", "Exceptions", "R", "E"),   // inside one component: fine
            new FolderEdge("Exceptions", "Model", "E", "R"),   // inside one component: fine, and no cycle
            new FolderEdge("Low", "High", "L", "H"),           // upward, and a cycle with High -> Low
            new FolderEdge("MidA", "MidB", "A", "B"),          // sideways
        };

        var violations = FolderGraph.RankViolations(edges, rank, Component);
        Assert.Equal(new[] { "Low -> High (L uses H)", "MidA -> MidB (A uses B)" }, violations.Select(v => v.ToString()));

        var cycles = FolderGraph.Cycles(edges, Component);
        var cycle = Assert.Single(cycles);
        Assert.Equal(new[] { "High", "Low", "High" }, cycle.Path);

        var longer = FolderGraph.Cycles(new[] { new FolderEdge("A", "B", "a", "b"), new FolderEdge("B", "C", "b", "c"), new FolderEdge("C", "A", "c", "a") }, f => f);
        Assert.Equal("A -> B -> C -> A", Assert.Single(longer).ToString());
        Assert.Empty(FolderGraph.Cycles(new[] { new FolderEdge("A", "B", "a", "b"), new FolderEdge("B", "C", "b", "c") }, f => f));
    }

    /// <summary>
    /// Writes every current violation, with all type pairs behind each folder edge, to the file named by ARKMANAGER_ARCH_REPORT
    /// (a to-do list for the restructure); without it the report goes to a temporary file that is checked and deleted.
    /// </summary>
    [Fact]
    public void Writes_the_violation_report_when_asked()
    {
        var asked = Environment.GetEnvironmentVariable("ARKMANAGER_ARCH_REPORT");
        var target = string.IsNullOrEmpty(asked) ? Path.Combine(Path.GetTempPath(), "ark-arch-report-" + Guid.NewGuid().ToString("N") + ".md") : asked!;

        var library = Library.Value;
        var sb = new StringBuilder();
        sb.Append("# Architecture violations\n\n");
        sb.Append("Generated by tests/ArkManager.Images.Tests/Architecture/ArchitectureTests.cs from the built net8.0 assembly and its PDB.\n\n");
        sb.Append("## Rank table\n\n");
        foreach (var row in RankTable)
        {
            sb.Append($"- {row.Rank}: {string.Join(", ", row.Folders)}{(row.OneComponent ? " (one component)" : string.Empty)}\n");
        }

        sb.Append("\n## Type -> folder map\n\n");
        foreach (var group in library.Types.Values.GroupBy(n => n.Folder ?? "(unmapped)").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append($"- {group.Key}: {string.Join(", ", group.Select(n => n.Name).OrderBy(n => n, StringComparer.Ordinal))}\n");
        }

        var missing = AssemblyDependencies.SourceFolders(LibrarySourceRoot).Where(f => !Rank.ContainsKey(f)).ToList();
        sb.Append("\n## Folders not in the rank table\n\n").Append(missing.Count == 0 ? "(none)\n" : string.Join("\n", missing.Select(m => "- " + m)) + "\n");
        if (library.Unmapped.Count > 0)
        {
            sb.Append("\n## Types without a source folder\n\n").Append(string.Join("\n", library.Unmapped.Select(u => "- " + u))).Append('\n');
        }

        var docker = library.Types.Values.Where(n => n.Folder != DockerFolder && n.DockerTypes.Count > 0)
            .OrderBy(n => n.Folder, StringComparer.Ordinal).ThenBy(n => n.Name, StringComparer.Ordinal).ToList();
        sb.Append($"\n## Docker.DotNet outside Docker/ ({docker.Count} types)\n\n");
        foreach (var n in docker)
        {
            sb.Append($"- {n.Folder}/{n.Name} ({n.SourceFile}): {string.Join(", ", n.DockerTypes.Select(t => t.Replace("Docker.DotNet.Models.", string.Empty, StringComparison.Ordinal)))}\n");
        }

        var violations = FolderGraph.RankViolations(library.FolderEdges(), Rank, Component);
        sb.Append($"\n## Upward or sideways folder dependencies ({violations.Count} edges)\n\n");
        foreach (var v in violations)
        {
            sb.Append($"- **{v.From} ({Rank[v.From]}) -> {v.To} ({Rank[v.To]})**: {string.Join("; ", library.TypePairs(v.From, v.To))}\n");
        }

        var cycles = FolderGraph.Cycles(library.FolderEdges(), Component);
        sb.Append($"\n## Cycles between folders ({cycles.Count})\n\n").Append(cycles.Count == 0 ? "(none)\n" : string.Join("\n", cycles.Select(c => "- " + c)) + "\n");

        sb.Append("\n## All folder edges (for reference)\n\n");
        foreach (var e in library.FolderEdges())
        {
            sb.Append($"- {e}\n");
        }

        File.WriteAllText(target, sb.ToString());
        var written = File.ReadAllText(target);
        Assert.Contains("## Cycles between folders", written, StringComparison.Ordinal);
        Assert.Contains("## Rank table", written, StringComparison.Ordinal);
        if (string.IsNullOrEmpty(asked))
        {
            File.Delete(target);
        }
    }
}
