using PublicApiGenerator;

namespace ArkManager.Images.Tests.Api;

/// <summary>
/// The public API baseline: the library's public surface, as PublicApiGenerator renders it from the metadata (C# syntax,
/// with nullable annotations: a <c>string?</c> is not a <c>string</c>), must equal src/ArkManager.Images/PublicAPI.txt.
/// An accidental change (a removed or altered member, a changed nullability) fails the build; an intended one is accepted by
/// regenerating the file: ARKMANAGER_UPDATE_PUBLIC_API=1 dotnet test --filter PublicApi.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PublicApiTests
{
    private static readonly string BaselinePath = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/ArkManager.Images/PublicAPI.txt"));

    [Fact]
    public void The_public_api_matches_the_baseline()
    {
        var current = Describe();
        if (Environment.GetEnvironmentVariable("ARKMANAGER_UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(BaselinePath, current);
        }

        Assert.True(File.Exists(BaselinePath), "The baseline " + BaselinePath + " is missing: generate it with ARKMANAGER_UPDATE_PUBLIC_API=1.");
        var baseline = File.ReadAllText(BaselinePath).Replace("\r\n", "\n");
        Assert.True(baseline == current,
            "The public API changed. If intended, regenerate the baseline (ARKMANAGER_UPDATE_PUBLIC_API=1 dotnet test --filter PublicApi) and review the diff.\n" +
            Diff(baseline, current));
    }

    [Fact]
    public void No_Docker_DotNet_type_appears_in_the_public_api()
    {
        var lines = Describe().Split('\n');
        Assert.DoesNotContain(lines, l => l.Contains("Docker.DotNet", StringComparison.Ordinal));
    }

    [Fact]
    public void The_rendering_shows_nullability()
    {
        var lines = Describe().Split('\n');
        Assert.Contains(lines, l => l.Contains("string? Owner {", StringComparison.Ordinal));
    }

    /// <summary>
    /// The public API as C# declarations. Assembly attributes are left out (they carry versions and the commit); the
    /// Microsoft.Extensions.DependencyInjection namespace is let in (AddArkImageManagement lives there, and PublicApiGenerator
    /// skips Microsoft.* and System.* by default).
    /// </summary>
    internal static string Describe() =>
        typeof(ArkImageManager).Assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            IncludeAssemblyAttributes = false,
            TreatRecordsAsClasses = false,
            AllowNamespacePrefixes = new[] { "Microsoft.Extensions.DependencyInjection" },
        }).Replace("\r\n", "\n").TrimEnd('\n') + "\n";

    /// <summary>
    /// The lines removed from the baseline ("- ") and added by the current API ("+ "), each with the type it belongs to, in
    /// the order of the files (a longest-common-subsequence diff, so a moved or repeated line such as "}" does not hide a change).
    /// </summary>
    private static string Diff(string baseline, string current)
    {
        var a = baseline.Split('\n');
        var b = current.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<string>();
        string? typeA = null, typeB = null, shown = null;
        void Add(string prefix, string line, string? type)
        {
            if (type != null && type != shown && line.Trim() != type.Trim())
            {
                lines.Add("  in " + type.Trim());
                shown = type;
            }

            lines.Add(prefix + line.Trim());
        }

        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                typeA = TypeOf(a[x]) ?? typeA;
                typeB = TypeOf(b[y]) ?? typeB;
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                typeA = TypeOf(a[x]) ?? typeA;
                Add("- ", a[x++], typeA);
            }
            else
            {
                typeB = TypeOf(b[y]) ?? typeB;
                Add("+ ", b[y++], typeB);
            }
        }

        return string.Join("\n", lines);
    }

    /// <summary>A type's declaration line ("    public sealed class ServerInfo : ..."), or null.</summary>
    private static string? TypeOf(string line)
    {
        var t = line.Trim();
        if (!t.StartsWith("public ", StringComparison.Ordinal))
        {
            return null;
        }

        var paren = t.IndexOf('(', StringComparison.Ordinal);
        foreach (var keyword in new[] { " class ", " record ", " struct ", " interface ", " enum ", " delegate " })
        {
            var at = t.IndexOf(keyword, StringComparison.Ordinal);
            if (at >= 0 && (paren < 0 || at < paren))
            {
                return line;
            }
        }

        return null;
    }
}
