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
var webTestProject = root.CombineWithFilePath("tests/ArkManager.Images.AspNetCore.Tests/ArkManager.Images.AspNetCore.Tests.csproj");
var webSampleProject = root.CombineWithFilePath("tests/ArkManager.Images.WebSample/ArkManager.Images.WebSample.csproj");
var pesterRestore = root.CombineWithFilePath("tests/module/PesterRestore.proj");
var sandboxScript = root.CombineWithFilePath("tests/sandbox/sandbox.sh");
var cmdletFrameworks = new[] { "net8.0", "netstandard2.0" };
var benchProject = root.CombineWithFilePath("tests/ArkManager.Images.Benchmarks/ArkManager.Images.Benchmarks.csproj");

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
        // The cmdlet assembly at the top, the library and every dependency in dependencies/ (the module's resolver loads
        // them from there). PowerShellStandard's reference assembly must never ship: the host provides the real one.
        foreach (var file in GetFiles(output.FullPath + "/**/System.Management.Automation.dll").Concat(GetFiles(output.FullPath + "/**/*.pdb")).Concat(GetFiles(output.FullPath + "/**/*.deps.json")))
        {
            DeleteFile(file);
        }
    }

    // The cmdlet help (en-US/ArkManager.Images.PowerShell.dll-Help.xml), generated from the cmdlets' metadata and XML
    // doc comments in a fresh pwsh; a cmdlet or parameter without help fails the build.
    Exec("dotnet", $"pwsh -NoProfile -NonInteractive -File \"{root}/module/build/New-ArkModuleHelp.ps1\" -ModulePath \"{moduleOut}\"");
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
    // Package-content tests need the packages: the Pack target runs them.
    var filter = $" --filter \"Category!=PackageContent{(string.IsNullOrEmpty(testFilter) ? string.Empty : "&" + testFilter)}\"";
    var xunitCode = Exec("dotnet",
        $"test \"{testProject}\" -c {configuration} --no-build --nologo --logger \"trx;LogFileName=xunit.trx\" --logger \"console;verbosity=normal\" --results-directory \"{resultsDir}\"{filter}",
        throwOnError: false);
    // The Test target started the sandbox: a test that cannot reach it fails instead of skipping.
    var pesterCode = PackExec("dotnet",
        $"pwsh -NoProfile -NonInteractive -File \"{root}/tests/module/Invoke-ModuleTests.ps1\" -ModulePath \"{moduleOut}\" -ResultPath \"{resultsDir}/pester.xml\"",
        new Dictionary<string, string> { ["ARKMANAGER_REQUIRE_SANDBOX"] = "1" });
    // The Bench smoke (tiny sizes) counts as one test: it passes when the harness ran and produced every row, whatever the figures.
    var benchFailed = Exec("dotnet", $"run --project \"{benchProject}\" -c {configuration} --no-build -- --size smoke --module \"{moduleOut}\" --out \"{resultsDir}/bench-smoke\"", throwOnError: false) == 0 ? 0 : 1;

    // The web package: endpoints, health checks and the dashboard in Chromium (its trx counts with xunit's).
    var webCode = Exec("dotnet",
        $"test \"{webTestProject}\" -c {configuration} --no-build --nologo --logger \"trx;LogFileName=web.trx\" --logger \"console;verbosity=normal\" --results-directory \"{resultsDir}\"{(string.IsNullOrEmpty(testFilter) ? string.Empty : $" --filter \"{testFilter}\"")}",
        throwOnError: false);
    var (wPassed, wFailed, wSkipped) = CountTrx(resultsDir.CombineWithFilePath("web.trx").FullPath);
    if (webCode != 0 && wFailed == 0) { wFailed = 1; }

    var (xPassed, xFailed, xSkipped) = CountTrx(resultsDir.CombineWithFilePath("xunit.trx").FullPath);
    (xPassed, xFailed, xSkipped) = (xPassed + wPassed, xFailed + wFailed, xSkipped + wSkipped);
    var (pPassed, pFailed, pSkipped) = CountNUnit(resultsDir.CombineWithFilePath("pester.xml").FullPath);
    if (xunitCode != 0 && xFailed == 0) { xFailed = 1; }
    if (pesterCode != 0 && pFailed == 0) { pFailed = 1; }
    // A runner that ran nothing is a failure, not a pass: a missing engine or a broken discovery must not look green.
    if (xPassed == 0) { Warning("xunit reported 0 passed"); xFailed += 1; }
    if (pPassed == 0) { Warning("Pester reported 0 passed"); pFailed += 1; }
    var summary = $"tests: {xPassed + pPassed + 1 - benchFailed} passed, {xFailed + pFailed + benchFailed} failed, {xSkipped + pSkipped} skipped";
    System.IO.File.WriteAllText(resultsDir.CombineWithFilePath("summary.txt").FullPath, summary + "\n");
    Information("xunit: {0} passed, {1} failed, {2} skipped; pester: {3} passed, {4} failed, {5} skipped", xPassed, xFailed, xSkipped, pPassed, pFailed, pSkipped);
    Information("bench smoke: {0}", benchFailed == 0 ? "passed" : "failed");
    Information(summary);
    if (xFailed + pFailed + benchFailed > 0)
    {
        throw new Exception(summary);
    }
});

Task("Web")
    .Description("Starts the sample web host (tests/ArkManager.Images.WebSample) on the sandbox engine as demo user 'demo' and prints its URL.")
    .IsDependentOn("Sandbox")
    .Does(() =>
{
    var sandboxDir = EnvironmentVariable("ARKMANAGER_SANDBOX_DIR") ?? "/tmp/arkmgr-sandbox";
    using var sandbox = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(System.IO.Path.Combine(sandboxDir, "sandbox.json")));
    var port = Argument("port", 5080);
    var url = $"http://127.0.0.1:{port}";
    var environment = new Dictionary<string, string>
    {
        ["ArkManager__dockerHost"] = sandbox.RootElement.GetProperty("dockerHost").GetString(),
        ["ArkManager__requiredImages__0"] = sandbox.RootElement.GetProperty("images").GetProperty("latest").GetString(),
        ["ArkManager__stateDirectory"] = System.IO.Path.Combine(sandboxDir, "web-state"),
        ["Sample__DemoUser"] = "demo",
        ["Sample__DemoRoles"] = "ark-admin",
        ["ASPNETCORE_URLS"] = url,
    };
    Information("Dashboard: {0}/ark/   API: {0}/api/servers/images/status   OpenAPI: {0}/openapi/v1.json   Health: {0}/health", url);
    Information("Signed in as demo user 'demo' (role ark-admin); another user: {0}/login?user=alice. Ctrl+C stops it.", url);
    PackExec("dotnet", $"run --project \"{webSampleProject}\" -c {configuration} --no-launch-profile", environment);
});

Task("Bench")
    .Description("Runs the benchmark suite against the sandbox: artifacts/bench/report.md + report.json (--bench-args: e.g. \"--pull-mib 128 --volume-mib 512\", \"--rows pull\", \"--size smoke\").")
    .IsDependentOn("Build")
    .IsDependentOn("Sandbox")
    .Does(() =>
{
    var benchArgs = Argument("bench-args", string.Empty);
    var size = benchArgs.Contains("--size") ? string.Empty : "--size full ";
    Exec("dotnet", $"run --project \"{benchProject}\" -c {configuration} --no-build -- {size}--module \"{moduleOut}\" --out \"{artifacts}/bench\" {benchArgs}");
});

Task("Demo")
    .IsDependentOn("Build")
    .IsDependentOn("Sandbox")
    .Does(() =>
{
    Exec("dotnet", $"pwsh -NoProfile -NonInteractive -File \"{root}/tests/demo/Demo.ps1\" -ModulePath \"{moduleOut}\"");
});

Task("DemoHosts")
    .Description("The multi-host part of the demo: a second dockerd beside the sandbox engine, one server on each, one update over both.")
    .IsDependentOn("Build")
    .IsDependentOn("Sandbox")
    .Does(() =>
{
    Exec("dotnet", $"pwsh -NoProfile -NonInteractive -File \"{root}/tests/demo/DemoHosts.ps1\" -ModulePath \"{moduleOut}\"");
});

Task("Pack")
    .Description("Packs the library (nupkg + snupkg) and the module (folder + PowerShell Gallery nupkg) at the version of Directory.Build.props, then tests the packages and runs tests/sample against the sandbox.")
    .IsDependentOn("Build")
    .IsDependentOn("Sandbox")
    .Does(() =>
{
    // One version source: <Version> in Directory.Build.props, as MSBuild evaluates it for the library.
    var (version, repositoryUrl) = PackReadLibraryVersion();
    Information("Packing version {0}", version);

    // The library: ArkManager.Images.<version>.nupkg + .snupkg (README, licence, repository, SourceLink, XML docs).
    EnsureDirectoryExists(packagesOut);
    CleanDirectory(packagesOut);
    Exec("dotnet", $"pack \"{libraryProject}\" -c {configuration} --no-build -o \"{packagesOut}\" -nologo");

    // The module: the folder assembled by Build, stamped with the same version, and a PowerShell-Gallery-style nupkg of it.
    // Its package has the library's id, so it gets a folder of its own (artifacts/psgallery).
    var galleryOut = artifacts.Combine("psgallery");
    PackStampModuleManifest(moduleOut.CombineWithFilePath("ArkManager.Images.psd1").FullPath, version, repositoryUrl);
    EnsureDirectoryExists(galleryOut);
    CleanDirectory(galleryOut);
    PackPublishModule(moduleOut, galleryOut);

    // The packages as a user gets them: PSResourceGet install + import by name (Pester), package contents (xunit),
    // and the C# sample restored from the nupkg.
    EnsureDirectoryExists(resultsDir);
    var required = new Dictionary<string, string> { ["ARKMANAGER_REQUIRE_PACKAGES"] = "1" };
    var failures = new List<string>();
    if (PackExec("dotnet", $"pwsh -NoProfile -NonInteractive -File \"{root}/tests/module/Invoke-ModuleTests.ps1\" -ModulePath \"{moduleOut}\" -Filter \"*.Package.Tests.ps1\" -ResultPath \"{resultsDir}/pester-package.xml\"", required) != 0)
    {
        failures.Add("module package tests (Pester)");
    }
    if (PackExec("dotnet", $"test \"{testProject}\" -c {configuration} --no-build --nologo --filter \"FullyQualifiedName~ArkManager.Images.Tests.Packaging\" --logger \"trx;LogFileName=packaging.trx\" --logger \"console;verbosity=normal\" --results-directory \"{resultsDir}\"", required) != 0)
    {
        failures.Add("package tests (xunit)");
    }
    if (!PackRunSample(version))
    {
        failures.Add("tests/sample");
    }

    Information("Pack produced:");
    foreach (var file in GetFiles(packagesOut.FullPath + "/*").Concat(GetFiles(galleryOut.FullPath + "/*")).OrderBy(f => f.FullPath))
    {
        Information("  {0} ({1:N0} bytes)", root.GetRelativePath(file), new System.IO.FileInfo(file.FullPath).Length);
    }
    Information("  {0}/ (module folder, ModuleVersion {1})", root.GetRelativePath(moduleOut), version);
    if (failures.Count > 0)
    {
        throw new Exception("Pack: failed: " + string.Join(", ", failures));
    }
});

// Runs a program with extra environment variables, streaming its output; returns the exit code.
int PackExec(string file, string args, IDictionary<string, string> environment)
{
    Information("> {0} {1}", file, args);
    return StartProcess(file, new ProcessSettings { Arguments = args, WorkingDirectory = root, EnvironmentVariables = environment });
}

// The library's Version and RepositoryUrl as MSBuild evaluates them (Directory.Build.props).
(string Version, string RepositoryUrl) PackReadLibraryVersion()
{
    var code = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = $"msbuild \"{libraryProject}\" -nologo -getProperty:Version -getProperty:RepositoryUrl -p:Configuration={configuration}",
        WorkingDirectory = root,
        RedirectStandardOutput = true,
    }, out var lines);
    var text = string.Join("\n", lines);
    if (code != 0)
    {
        throw new Exception($"dotnet msbuild -getProperty failed ({code}): {text}");
    }
    using var json = System.Text.Json.JsonDocument.Parse(text);
    var properties = json.RootElement.GetProperty("Properties");
    var version = properties.GetProperty("Version").GetString();
    if (string.IsNullOrWhiteSpace(version))
    {
        throw new Exception("The library has no Version (Directory.Build.props).");
    }
    return (version.Trim(), properties.GetProperty("RepositoryUrl").GetString() ?? string.Empty);
}

// Writes the package version into the assembled module's manifest (never the one under module/): ModuleVersion gets
// the numeric part, PrivateData.PSData.Prerelease the label (letters and digits only, as the Gallery requires);
// ProjectUri is the repository.
static void PackStampModuleManifest(string psd1, string version, string projectUri)
{
    var withoutMetadata = version.Split('+')[0];
    var dash = withoutMetadata.IndexOf('-');
    var numeric = dash < 0 ? withoutMetadata : withoutMetadata.Substring(0, dash);
    var prerelease = dash < 0 ? string.Empty : withoutMetadata.Substring(dash + 1);
    if (!System.Version.TryParse(numeric, out _))
    {
        throw new Exception($"Version '{version}' has no numeric part a module manifest accepts.");
    }
    if (prerelease.Length > 0 && !Regex.IsMatch(prerelease, "^[A-Za-z0-9]+$"))
    {
        throw new Exception($"The prerelease label '{prerelease}' of version '{version}' must be letters and digits only (PowerShell Gallery rule).");
    }

    var text = System.IO.File.ReadAllText(psd1);
    var newline = text.Contains("\r\n") ? "\r\n" : "\n";
    var moduleVersion = new Regex(@"(?m)^([ \t]*ModuleVersion[ \t]*=[ \t]*)'[^']*'");
    if (!moduleVersion.IsMatch(text))
    {
        throw new Exception($"{psd1} has no ModuleVersion = '…' line.");
    }
    text = moduleVersion.Replace(text, m => m.Groups[1].Value + "'" + numeric + "'", 1);

    // Drop earlier stamps, then add ours as the first entries of PSData.
    text = Regex.Replace(text, @"(?m)^[ \t]*(Prerelease|ProjectUri)[ \t]*=[ \t]*'[^']*'[ \t]*\r?\n", string.Empty);
    var psData = new Regex(@"(?m)^([ \t]*)PSData[ \t]*=[ \t]*@\{[ \t]*\r?\n").Match(text);
    if (!psData.Success)
    {
        throw new Exception($"{psd1} has no PrivateData.PSData = @{{ … }} block.");
    }
    var indent = psData.Groups[1].Value + "    ";
    var entries = string.Empty;
    if (!string.IsNullOrEmpty(projectUri))
    {
        entries += $"{indent}ProjectUri = '{projectUri}'{newline}";
    }
    if (prerelease.Length > 0)
    {
        entries += $"{indent}Prerelease = '{prerelease}'{newline}";
    }
    text = text.Insert(psData.Index + psData.Length, entries);
    System.IO.File.WriteAllText(psd1, text, new System.Text.UTF8Encoding(false));
}

// Publishes the module folder to a local PSResourceGet repository (a folder): the result is the .nupkg that
// Publish-PSResource would upload to the PowerShell Gallery. The repository is registered in a throw-away
// PSResourceGet store (XDG_DATA_HOME of the child process), so the user's repositories are untouched; on Windows,
// where that store cannot be moved, under a unique name that is unregistered afterwards.
void PackPublishModule(DirectoryPath moduleDir, DirectoryPath destination)
{
    var work = System.IO.Directory.CreateTempSubdirectory("ark-pack-").FullName;
    try
    {
        var script = System.IO.Path.Combine(work, "Publish-Module.ps1");
        System.IO.File.WriteAllText(script, """
            param([Parameter(Mandatory)] [string] $ModulePath, [Parameter(Mandatory)] [string] $Destination)
            $ErrorActionPreference = 'Stop'
            $manifest = Test-ModuleManifest -Path (Join-Path $ModulePath 'ArkManager.Images.psd1')
            if (-not $IsWindows -and [Environment]::GetFolderPath('LocalApplicationData') -ne $env:XDG_DATA_HOME) {
                throw "PSResourceGet's repository store would not be the throw-away one (XDG_DATA_HOME='$env:XDG_DATA_HOME')."
            }
            $name = if ($IsWindows) { "ArkLocal-$PID" } else { 'ArkLocal' }
            Register-PSResourceRepository -Name $name -Uri $Destination -Trusted
            try {
                Publish-PSResource -Path $ModulePath -Repository $name
            }
            finally {
                Unregister-PSResourceRepository -Name $name
            }
            $package = Join-Path $Destination ('{0}.{1}.nupkg' -f $manifest.Name, $manifest.Version)
            if (-not (Test-Path -LiteralPath $package)) { throw "Publish-PSResource made no $package" }
            Write-Host "module package: $package"
            """);
        var environment = new Dictionary<string, string>();
        if (!IsRunningOnWindows())
        {
            // The folder must exist: .NET ignores an XDG_DATA_HOME that does not, and PSResourceGet then writes its store
            // relative to the current directory.
            environment["XDG_DATA_HOME"] = System.IO.Directory.CreateDirectory(System.IO.Path.Combine(work, "data")).FullName;
        }
        var code = PackExec("dotnet", $"pwsh -NoProfile -NonInteractive -File \"{script}\" -ModulePath \"{moduleDir}\" -Destination \"{destination}\"", environment);
        if (code != 0)
        {
            throw new Exception($"Publishing the module to {destination} failed ({code}).");
        }
    }
    finally
    {
        System.IO.Directory.Delete(work, recursive: true);
    }
}

// Restores tests/sample from the fresh nupkg (a package folder of its own, emptied of ArkManager.Images first) and runs
// it against the sandbox engine. Returns whether it succeeded.
bool PackRunSample(string version)
{
    var sample = root.CombineWithFilePath("tests/sample/ArkManager.Images.Sample/ArkManager.Images.Sample.csproj");
    var packages = artifacts.Combine("sample").Combine("nuget-packages");
    var stale = packages.Combine("arkmanager.images");
    if (DirectoryExists(stale))
    {
        DeleteDirectory(stale, new DeleteDirectorySettings { Recursive = true, Force = true });
    }
    EnsureDirectoryExists(packages);

    var sandboxDir = EnvironmentVariable("ARKMANAGER_SANDBOX_DIR") ?? "/tmp/arkmgr-sandbox";
    var sandboxJson = System.IO.Path.Combine(sandboxDir, "sandbox.json");
    if (!System.IO.File.Exists(sandboxJson))
    {
        Error("tests/sample: no sandbox ({0}); run the Sandbox target.", sandboxJson);
        return false;
    }
    using var sandbox = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(sandboxJson));
    var environment = new Dictionary<string, string>
    {
        ["NUGET_PACKAGES"] = packages.FullPath,
        ["ARKMANAGER_SAMPLE_DOCKER_HOST"] = sandbox.RootElement.GetProperty("dockerHost").GetString() ?? string.Empty,
        ["ARKMANAGER_SAMPLE_IMAGE"] = sandbox.RootElement.GetProperty("images").GetProperty("v1").GetString() ?? string.Empty,
        ["ARKMANAGER_SAMPLE_EXPECTED_VERSION"] = version,
    };
    if (PackExec("dotnet", $"restore \"{sample}\" --force -nologo", environment) != 0)
    {
        return false;
    }
    return PackExec("dotnet", $"run --project \"{sample}\" -c {configuration} --no-restore", environment) == 0;
}

RunTarget(target);

static (int Passed, int Failed, int Skipped) CountTrx(string path)
{
    if (!System.IO.File.Exists(path)) { return (0, 0, 0); }
    var doc = XDocument.Load(path);
    var counters = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters");
    if (counters is null) { return (0, 0, 0); }
    int Get(string name) => int.TryParse(counters.Attribute(name)?.Value, out var v) ? v : 0;
    return (Get("passed"), Get("failed") + Get("error") + Get("timeout") + Get("aborted"), Get("notExecuted") + Get("inconclusive"));
}

static (int Passed, int Failed, int Skipped) CountNUnit(string path)
{
    if (!System.IO.File.Exists(path)) { return (0, 0, 0); }
    var doc = XDocument.Load(path);
    var results = doc.Root;
    if (results is null) { return (0, 0, 0); }
    // NUnit 2.5 format (Pester's NUnitXml): <test-results total= errors= failures= not-run= ...>
    int Get(string name) => int.TryParse(results.Attribute(name)?.Value, out var v) ? v : 0;
    var total = Get("total");
    var failed = Get("failures") + Get("errors");
    var notRun = Get("not-run") + Get("inconclusive") + Get("ignored") + Get("skipped") + Get("invalid");
    return (Math.Max(0, total - failed - notRun), failed, notRun);
}
