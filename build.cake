// ArkManager.Images build script.
//   dotnet tool restore && dotnet cake --target=Test      build, start the sandbox engine, run xunit + Pester
//   dotnet tool restore && dotnet cake --target=Demo      build, start the sandbox engine, walk through the module
// Other targets: Build, Pack, Sandbox, SandboxStop, Clean.

using System.Text.RegularExpressions;
using System.Xml.Linq;

var target = Argument("target", "Build");
var configuration = Argument("configuration", "Release");
var testFilter = Argument("filter", string.Empty);

var root = MakeAbsolute(Directory("."));
var artifacts = root.Combine("artifacts");
var moduleOut = artifacts.Combine("module").Combine("ArkManager.Images");
var packagesOut = artifacts.Combine("packages");
var resultsDir = artifacts.Combine("test-results");
var solution = root.CombineWithFilePath("ArkManager.Images.sln");
var cmdletProject = root.CombineWithFilePath("src/ArkManager.Images.PowerShell/ArkManager.Images.PowerShell.csproj");
var libraryProject = root.CombineWithFilePath("src/ArkManager.Images/ArkManager.Images.csproj");
var testProject = root.CombineWithFilePath("tests/ArkManager.Images.Tests/ArkManager.Images.Tests.csproj");
var pesterRestore = root.CombineWithFilePath("tests/module/PesterRestore.proj");
var sandboxScript = root.CombineWithFilePath("tests/sandbox/sandbox.sh");
var cmdletFrameworks = new[] { "net8.0", "netstandard2.0" };

// Runs a program, streaming its output; returns the exit code.
int Exec(string file, string args, bool throwOnError = true)
{
    Information("> {0} {1}", file, args);
    var code = StartProcess(file, new ProcessSettings { Arguments = args, WorkingDirectory = root });
    if (code != 0 && throwOnError)
    {
        throw new Exception($"'{file} {args}' exited with {code}.");
    }
    return code;
}

Task("Clean")
    .Does(() =>
{
    CleanDirectory(artifacts);
    foreach (var dir in GetDirectories("./src/*/bin").Concat(GetDirectories("./src/*/obj")).Concat(GetDirectories("./tests/*/bin")).Concat(GetDirectories("./tests/*/obj")))
    {
        DeleteDirectory(dir, new DeleteDirectorySettings { Recursive = true, Force = true });
    }
});

Task("Restore")
    .Does(() =>
{
    Exec("dotnet", $"restore \"{solution}\"");
    Exec("dotnet", $"restore \"{pesterRestore}\"");
});

Task("Build")
    .IsDependentOn("Restore")
    .Does(() =>
{
    Exec("dotnet", $"build \"{solution}\" -c {configuration} --no-restore -nologo");

    // Assemble the ready-to-import module: psd1/psm1/formats from module/, one folder of binaries per edition.
    EnsureDirectoryExists(moduleOut);
    CleanDirectory(moduleOut);
    CopyDirectory(root.Combine("module/ArkManager.Images"), moduleOut);
    foreach (var tfm in cmdletFrameworks)
    {
        var output = moduleOut.Combine(tfm);
        Exec("dotnet", $"publish \"{cmdletProject}\" -c {configuration} -f {tfm} --no-restore --no-build -o \"{output}\" -nologo");
        // PowerShellStandard's reference assembly must never ship: the host provides the real one.
        foreach (var file in GetFiles(output.FullPath + "/System.Management.Automation.dll").Concat(GetFiles(output.FullPath + "/*.pdb")).Concat(GetFiles(output.FullPath + "/*.deps.json")))
        {
            DeleteFile(file);
        }
    }
    Information("Module ready: Import-Module {0}", moduleOut.FullPath);
});

Task("Sandbox")
    .Description("Installs (if missing) and starts dockerd + registries on loopback for tests and the demo.")
    .Does(() =>
{
    Exec("bash", $"\"{sandboxScript}\" start");
});

Task("SandboxStop")
    .Does(() =>
{
    Exec("bash", $"\"{sandboxScript}\" stop");
});

Task("Test")
    .IsDependentOn("Build")
    .IsDependentOn("Sandbox")
    .Does(() =>
{
    EnsureDirectoryExists(resultsDir);
    CleanDirectory(resultsDir);
    var filter = string.IsNullOrEmpty(testFilter) ? string.Empty : $" --filter \"{testFilter}\"";
    var xunitCode = Exec("dotnet",
        $"test \"{testProject}\" -c {configuration} --no-build --nologo --logger \"trx;LogFileName=xunit.trx\" --logger \"console;verbosity=normal\" --results-directory \"{resultsDir}\"{filter}",
        throwOnError: false);
    var pesterCode = Exec("dotnet",
        $"pwsh -NoProfile -NonInteractive -File \"{root}/tests/module/Invoke-ModuleTests.ps1\" -ModulePath \"{moduleOut}\" -ResultPath \"{resultsDir}/pester.xml\"",
        throwOnError: false);

    var (xPassed, xFailed) = CountTrx(resultsDir.CombineWithFilePath("xunit.trx").FullPath);
    var (pPassed, pFailed) = CountNUnit(resultsDir.CombineWithFilePath("pester.xml").FullPath);
    if (xunitCode != 0 && xFailed == 0) { xFailed = 1; }
    if (pesterCode != 0 && pFailed == 0) { pFailed = 1; }
    var summary = $"tests: {xPassed + pPassed} passed, {xFailed + pFailed} failed";
    System.IO.File.WriteAllText(resultsDir.CombineWithFilePath("summary.txt").FullPath, summary + "\n");
    Information("xunit: {0} passed, {1} failed; pester: {2} passed, {3} failed", xPassed, xFailed, pPassed, pFailed);
    Information(summary);
    if (xFailed + pFailed > 0)
    {
        throw new Exception(summary);
    }
});

Task("Demo")
    .IsDependentOn("Build")
    .IsDependentOn("Sandbox")
    .Does(() =>
{
    Exec("dotnet", $"pwsh -NoProfile -NonInteractive -File \"{root}/tests/demo/Demo.ps1\" -ModulePath \"{moduleOut}\"");
});

Task("Pack")
    .IsDependentOn("Build")
    .Does(() =>
{
    EnsureDirectoryExists(packagesOut);
    Exec("dotnet", $"pack \"{libraryProject}\" -c {configuration} --no-build -o \"{packagesOut}\" -nologo");
});

RunTarget(target);

static (int Passed, int Failed) CountTrx(string path)
{
    if (!System.IO.File.Exists(path)) { return (0, 0); }
    var doc = XDocument.Load(path);
    var counters = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters");
    if (counters is null) { return (0, 0); }
    int Get(string name) => int.TryParse(counters.Attribute(name)?.Value, out var v) ? v : 0;
    return (Get("passed"), Get("failed") + Get("error") + Get("timeout") + Get("aborted"));
}

static (int Passed, int Failed) CountNUnit(string path)
{
    if (!System.IO.File.Exists(path)) { return (0, 0); }
    var doc = XDocument.Load(path);
    var results = doc.Root;
    if (results is null) { return (0, 0); }
    // NUnit 2.5 format (Pester's NUnitXml): <test-results total= errors= failures= not-run= ...>
    int Get(string name) => int.TryParse(results.Attribute(name)?.Value, out var v) ? v : 0;
    var total = Get("total");
    var failed = Get("failures") + Get("errors");
    var notRun = Get("not-run") + Get("inconclusive") + Get("ignored") + Get("skipped") + Get("invalid");
    return (Math.Max(0, total - failed - notRun), failed);
}
