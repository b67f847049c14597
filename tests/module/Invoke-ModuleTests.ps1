<#
.SYNOPSIS
    Runs the Pester tests of the ArkManager.Images module (tests/module/*.Tests.ps1) against the assembled module.

.DESCRIPTION
    Imports Pester 6.2.0 from the NuGet cache (restore it with: dotnet restore tests/module/PesterRestore.proj;
    -RestorePester does that), runs every *.Tests.ps1 under tests/module with -ModulePath as the container data,
    writes the results as NUnit 2.5 XML (or JUnit, -ResultFormat JUnitXml) to -ResultPath, prints 'pester: N passed, N failed, N skipped' and exits 1
    when anything failed (a test, a block's setup, or a whole file) or when no test ran.

    Both builds of the cmdlets are tested (-Edition Both, the default): the suite runs twice, each time in a fresh pwsh
    started by this script with -Edition, once against the PowerShell 7 build (net8.0) and once against the Windows
    PowerShell 5.1 build (netstandard2.0), which the module's psm1 loads on PowerShell 7 when
    ARKMANAGER_FORCE_EDITION_BUILD=netstandard2.0 (for tests only; Windows PowerShell 5.1 itself cannot run on the build
    machines). The two results go into the one -ResultPath file (each test named with its build, e.g.
    '[netstandard2.0] ...'), and the 'pester: N passed, N failed, N skipped' line is their sum, after one line per build.

    Integration tests need the sandbox (tests/sandbox/sandbox.sh start, which writes /tmp/arkmgr-sandbox/sandbox.json;
    ARKMANAGER_SANDBOX_DIR moves it). Without it they are skipped, unless ARKMANAGER_REQUIRE_SANDBOX=1 or CI=true
    (then they fail; ARKMANAGER_REQUIRE_SANDBOX=0 skips them on CI too).

.EXAMPLE
    dotnet pwsh -NoProfile -File tests/module/Invoke-ModuleTests.ps1 -ResultPath artifacts/test-results/pester.xml

.EXAMPLE
    dotnet pwsh -NoProfile -File tests/module/Invoke-ModuleTests.ps1 -Edition netstandard2.0 -Filter '*Surface*'

    Runs one build only, in this process.
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
    [switch] $RestorePester,

    # Which build of the cmdlets to test: Both (each in a fresh pwsh, results summed), or one of them in this process.
    [ValidateSet('Both', 'net8.0', 'netstandard2.0')]
    [string] $Edition = 'Both'
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

if ($Edition -eq 'Both') {
    # Windows PowerShell 5.1 runs only its own build.
    $editions = if ($PSVersionTable.PSEdition -eq 'Core') { @('net8.0', 'netstandard2.0') } else { @('netstandard2.0') }
    $processPath = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    $pwsh = if ((Split-Path -Leaf $processPath) -match '^dotnet(\.exe)?$') { @($processPath, (Join-Path $PSHOME 'pwsh.dll')) } else { @($processPath) }
    $work = Join-Path ([System.IO.Path]::GetTempPath()) ('arkmgr-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $work -Force
    $runs = @(foreach ($edition in $editions) {
        Write-Host ''
        Write-Host "=== Pester: the $edition build of the cmdlets (fresh pwsh) ==="
        $childResult = Join-Path $work "pester-$edition.xml"
        $arguments = @($pwsh | Select-Object -Skip 1) + @(
            '-NoProfile', '-NonInteractive', '-File', $PSCommandPath,
            '-Edition', $edition, '-ModulePath', $ModulePath, '-ResultPath', $childResult, '-ResultFormat', $ResultFormat,
            '-Filter', $Filter, '-Output', $Output, '-PesterVersion', $PesterVersion)
        if ($RestorePester) { $arguments += '-RestorePester' }
        $summary = $null
        & $pwsh[0] @arguments 2>&1 | ForEach-Object {
            $line = "$_"
            Write-Host $line
            if ($line -match 'pester: (\d+) passed, (\d+) failed, (\d+) skipped') { $summary = $Matches }
        }
        $exitCode = $LASTEXITCODE
        [pscustomobject]@{
            Edition  = $edition
            ExitCode = $exitCode
            Passed   = if ($summary) { [int]$summary[1] } else { 0 }
            Failed   = if ($summary) { [int]$summary[2] } elseif ($exitCode -ne 0) { 1 } else { 0 }
            Skipped  = if ($summary) { [int]$summary[3] } else { 0 }
            Result   = if (Test-Path -LiteralPath $childResult) { $childResult } else { $null }
        }
    })

    if ($ResultPath) {
        $resultDir = Split-Path -Parent $ResultPath
        if (-not (Test-Path -LiteralPath $resultDir)) { $null = New-Item -ItemType Directory -Path $resultDir -Force }
        . (Join-Path $PSScriptRoot 'Merge-TestResult.ps1')
        Merge-TestResult -Result @($runs | Where-Object Result | ForEach-Object { [pscustomobject]@{ Label = $_.Edition; Path = $_.Result } }) -Format $ResultFormat -Destination $ResultPath
    }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue

    Write-Host ''
    foreach ($run in $runs) {
        Write-Host ("pester ({0}): {1} passed, {2} failed, {3} skipped{4}" -f $run.Edition, $run.Passed, $run.Failed, $run.Skipped, $(if ($run.ExitCode -ne 0) { " (exit $($run.ExitCode))" } else { '' }))
    }
    $passed = ($runs | Measure-Object -Property Passed -Sum).Sum
    $failed = ($runs | Measure-Object -Property Failed -Sum).Sum
    $skipped = ($runs | Measure-Object -Property Skipped -Sum).Sum
    Write-Host ("pester: {0} passed, {1} failed, {2} skipped" -f $passed, $failed, $skipped)
    if ($ResultPath) { Write-Host "results: $ResultPath ($ResultFormat, $($editions -join ' + '))" }
    if ($failed -gt 0 -or @($runs | Where-Object ExitCode -ne 0).Count -gt 0) { exit 1 }
    exit 0
}

# One build, in this process: the module's psm1 loads the one named here.
$env:ARKMANAGER_FORCE_EDITION_BUILD = $Edition
Write-Host "pester: testing the $Edition build of the cmdlets (PowerShell $($PSVersionTable.PSVersion) $($PSVersionTable.PSEdition))"

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
