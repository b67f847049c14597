using ArkManager.Images.Benchmarks.Harness;

namespace ArkManager.Images.Benchmarks.Scenarios;

/// <summary>A scheduled task's cold start: a new pwsh that imports the module and runs one cmdlet, against bare pwsh.</summary>
internal static class ColdStartScenario
{
    public static IEnumerable<Row> Run(BenchContext ctx)
    {
        var full = new Row { Id = "cold-start", Figure = "scheduled-task cold start: `pwsh -NoProfile -c \"Import-Module …; Get-ArkImageStatus\"`", Goal = "≤ 1.3× bare pwsh" };
        var import = new Row { Id = "cold-start-import", Figure = "cold start, import alone: `pwsh -NoProfile -c \"Import-Module …\"`", Goal = "≤ 1.3× bare pwsh (part of the row above)" };
        var config = ctx.WriteConfig("coldstart", new[] { ctx.ImageV1 });
        var env = new Dictionary<string, string> { ["ARKMANAGER_CONFIG"] = config };
        var status = $"Import-Module {BenchContext.Quote(ctx.Manifest)}; $null = Get-ArkImageStatus";
        var importOnly = $"Import-Module {BenchContext.Quote(ctx.Manifest)}";
        // One unmeasured round to fill the page cache (the smoke skips it).
        if (ctx.Sizes.Name != "smoke")
        {
            ctx.Pwsh("exit", env);
            ctx.Pwsh(status, env).EnsureSuccess("cold start warm-up");
        }
        var ours = new List<double>();
        var imports = new List<double>();
        var bare = new List<double>();
        for (var i = 0; i < ctx.Sizes.ColdStartPairs; i++)
        {
            // A and B in turn; the order flips every pair.
            if (i % 2 == 0)
            {
                bare.Add(ctx.Pwsh("exit", env).EnsureSuccess("bare pwsh").Elapsed.TotalSeconds);
                ours.Add(ctx.Pwsh(status, env).EnsureSuccess("Get-ArkImageStatus").Elapsed.TotalSeconds);
                imports.Add(ctx.Pwsh(importOnly, env).EnsureSuccess("Import-Module").Elapsed.TotalSeconds);
            }
            else
            {
                imports.Add(ctx.Pwsh(importOnly, env).EnsureSuccess("Import-Module").Elapsed.TotalSeconds);
                ours.Add(ctx.Pwsh(status, env).EnsureSuccess("Get-ArkImageStatus").Elapsed.TotalSeconds);
                bare.Add(ctx.Pwsh("exit", env).EnsureSuccess("bare pwsh").Elapsed.TotalSeconds);
            }
        }

        full.FromPairs(ours, bare, 1.3);
        import.FromPairs(imports, bare, 1.3);
        yield return full;
        yield return import;
    }
}
