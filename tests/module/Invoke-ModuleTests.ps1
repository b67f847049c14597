<#
.SYNOPSIS
    Runs the Pester tests of the ArkManager.Images module (tests/module/*.Tests.ps1) against the assembled module.

.DESCRIPTION
    Imports Pester 6.2.0 from the NuGet cache (restore it with: dotnet restore tests/module/PesterRestore.proj;
    -RestorePester does that), runs every *.Tests.ps1 under tests/module with -ModulePath as the container data,
    writes the results as NUnit 2.5 XML (or JUnit, -ResultFormat JUnitXml) to -ResultPath, prints 'pester: N passed, N failed, N skipped' and exits 1
    when anything failed (a test, a block's setup, or a whole file) or when no test ran.

    Integration tests need the sandbox (tests/sandbox/sandbox.sh start, which writes /tmp/arkmgr-sandbox/sandbox.json;
    ARKMANAGER_SANDBOX_DIR moves it). Without it they are skipped, unless ARKMANAGER_REQUIRE_SANDBOX=1 or CI=true
    (then they fail; ARKMANAGER_REQUIRE_SANDBOX=0 skips them on CI too).

.EXAMPLE
    dotnet pwsh -NoProfile -File tests/module/Invoke-ModuleTests.ps1 -ResultPath artifacts/test-results/pester.xml
#>
[CmdletBinding()]
param(
    # The assembled module folder (made by tests/module/Assemble-Module.ps1). Relative to the repository root.
    [string] $ModulePath = 'artifacts/module/ArkManager.Images',

    # Where the XML results go. Relative to the repository root. Empty: no file.
    [string] $ResultPath = 'artifacts/test-results/pester-module.xml',

    [ValidateSet('JUnitXml', 'NUnitXml', 'NUnit3')]
    [string] $ResultFormat = 'NUnitXml',

    # Only files whose name matches (e.g. '*Surface*').
    [string] $Filter = '*.Tests.ps1',

    # Pester verbosity: None, Normal, Detailed, Diagnostic.
    [string] $Output = 'Detailed',

    [string] $PesterVersion = '6.2.0',

    # Runs 'dotnet restore tests/module/PesterRestore.proj' when Pester is not in the NuGet cache.
    [switch] $RestorePester
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$repoRoot = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../..')).Path
function Resolve-FromRoot([string] $Path) {
    if ([string]::IsNullOrEmpty($Path)) { return $Path }
    if (-not [System.IO.Path]::IsPathRooted($Path)) { $Path = Join-Path $repoRoot $Path }
    return [System.IO.Path]::GetFullPath($Path)
}

$ModulePath = Resolve-FromRoot $ModulePath
$ResultPath = Resolve-FromRoot $ResultPath
if (-not (Test-Path -LiteralPath (Join-Path $ModulePath 'ArkManager.Images.psd1'))) {
    throw "No assembled module at '$ModulePath'. Build and assemble it first: dotnet build src/ArkManager.Images.PowerShell; dotnet pwsh -NoProfile -File tests/module/Assemble-Module.ps1"
}

$nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
$pesterManifest = Join-Path $nugetRoot "pester/$PesterVersion/tools/Pester.psd1"
if (-not (Test-Path -LiteralPath $pesterManifest) -and $RestorePester) {
    & dotnet restore (Join-Path $PSScriptRoot 'PesterRestore.proj') --nologo | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet restore of PesterRestore.proj failed (exit $LASTEXITCODE)." }
}
if (-not (Test-Path -LiteralPath $pesterManifest)) {
    throw "Pester $PesterVersion is not at '$pesterManifest'. Restore it with: dotnet restore tests/module/PesterRestore.proj (or pass -RestorePester)."
}

Remove-Module Pester -ErrorAction SilentlyContinue
Import-Module $pesterManifest -Force

$files = @(Get-ChildItem -LiteralPath $PSScriptRoot -Recurse -File -Filter '*.Tests.ps1' | Where-Object { $_.Name -like $Filter } | Sort-Object FullName)
if ($files.Count -eq 0) { throw "No test files matching '$Filter' under $PSScriptRoot." }
$containers = @($files | ForEach-Object { New-PesterContainer -Path $_.FullName -Data @{ ModulePath = $ModulePath } })

$configuration = New-PesterConfiguration
$configuration.Run.Container = $containers
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = $Output
if ($ResultPath) {
    $resultDir = Split-Path -Parent $ResultPath
    if (-not (Test-Path -LiteralPath $resultDir)) { $null = New-Item -ItemType Directory -Path $resultDir -Force }
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputPath = $ResultPath
    $configuration.TestResult.OutputFormat = $ResultFormat
}

$result = Invoke-Pester -Configuration $configuration

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
Write-Host ("pester: {0} passed, {1} failed, {2} skipped" -f $result.PassedCount, $failed, $result.SkippedCount)
if ($ResultPath) { Write-Host "results: $ResultPath ($ResultFormat)" }

if ($failed -gt 0 -or $result.Result -ne 'Passed') { exit 1 }
if ($result.PassedCount -eq 0) { Write-Host 'pester: no test ran'; exit 1 }
exit 0
