<#
.SYNOPSIS
    Assembles the ArkManager.Images module from module/ArkManager.Images and the build output of the cmdlets.

.DESCRIPTION
    1. Empties -Destination and copies module/ArkManager.Images/* (psd1, psm1, format.ps1xml, about topic) into it.
    2. For each target framework (net8.0 for PowerShell 7, netstandard2.0 for Windows PowerShell 5.1) copies
       src/ArkManager.Images.PowerShell/bin/<Configuration>/<tfm>/ (recursively: the cmdlet assembly, the library and
       their dependencies, thanks to CopyLocalLockFileAssemblies) into <Destination>/<tfm>/, leaving out
       System.Management.Automation.dll (PowerShellStandard's reference assembly: PowerShell brings the real one).
    3. Generates the cmdlet help (en-US/ArkManager.Images.PowerShell.dll-Help.xml) from the cmdlets' metadata and XML
       doc comments with module/build/New-ArkModuleHelp.ps1; a cmdlet or parameter without help fails the assembly.
    Build first:  dotnet build src/ArkManager.Images.PowerShell -c <Configuration>
    Pass -Build to let this script run that build.

.EXAMPLE
    dotnet pwsh -NoProfile -File tests/module/Assemble-Module.ps1 -Configuration Release -Destination artifacts/module/ArkManager.Images
#>
[CmdletBinding()]
param(
    [string] $Configuration = 'Debug',

    # Relative paths are relative to the repository root.
    [string] $Destination = 'artifacts/module/ArkManager.Images',

    # Runs 'dotnet build' of the cmdlet project first.
    [switch] $Build
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$repoRoot = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../..')).Path
$sourceModule = Join-Path $repoRoot 'module/ArkManager.Images'
$project = Join-Path $repoRoot 'src/ArkManager.Images.PowerShell'
$frameworks = @('net8.0', 'netstandard2.0')
$excluded = @('System.Management.Automation.dll')

if (-not [System.IO.Path]::IsPathRooted($Destination)) {
    $Destination = Join-Path $repoRoot $Destination
}
$Destination = [System.IO.Path]::GetFullPath($Destination)

if ($Build) {
    & dotnet build $project -c $Configuration --nologo
    if ($LASTEXITCODE -ne 0) { throw "dotnet build of $project failed (exit $LASTEXITCODE)." }
}

foreach ($tfm in $frameworks) {
    $dll = Join-Path $project "bin/$Configuration/$tfm/ArkManager.Images.PowerShell.dll"
    if (-not (Test-Path -LiteralPath $dll)) {
        throw "'$dll' is missing: build first with: dotnet build src/ArkManager.Images.PowerShell -c $Configuration"
    }
}

if (Test-Path -LiteralPath $Destination) {
    Remove-Item -LiteralPath $Destination -Recurse -Force
}
$null = New-Item -ItemType Directory -Path $Destination -Force

Copy-Item -Path (Join-Path $sourceModule '*') -Destination $Destination -Recurse -Force

foreach ($tfm in $frameworks) {
    $from = (Resolve-Path -LiteralPath (Join-Path $project "bin/$Configuration/$tfm")).Path
    $to = Join-Path $Destination $tfm
    $null = New-Item -ItemType Directory -Path $to -Force
    Get-ChildItem -LiteralPath $from -Recurse -File | Where-Object { $excluded -notcontains $_.Name } | ForEach-Object {
        $relative = $_.FullName.Substring($from.Length).TrimStart([char[]]@('/', '\'))
        $target = Join-Path $to $relative
        $targetDir = Split-Path -Parent $target
        if (-not (Test-Path -LiteralPath $targetDir)) { $null = New-Item -ItemType Directory -Path $targetDir -Force }
        Copy-Item -LiteralPath $_.FullName -Destination $target -Force
    }
}

# The cmdlet help (en-US/ArkManager.Images.PowerShell.dll-Help.xml), generated from the cmdlets' metadata and XML doc
# comments by module/build/New-ArkModuleHelp.ps1, in a fresh pwsh (it imports the module it documents).
$processPath = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
$pwsh = if ((Split-Path -Leaf $processPath) -match '^dotnet(\.exe)?$') { @($processPath, (Join-Path $PSHOME 'pwsh.dll')) } else { @($processPath) }
$pwshArguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $repoRoot 'module/build/New-ArkModuleHelp.ps1'), '-ModulePath', $Destination)
& $pwsh[0] @pwshArguments
if ($LASTEXITCODE -ne 0) { throw "The help generation failed (exit $LASTEXITCODE): see the missing help named above." }

$leaked = @(Get-ChildItem -LiteralPath $Destination -Recurse -File -Filter 'System.Management.Automation.dll')
if ($leaked.Count -gt 0) {
    throw "System.Management.Automation.dll must not be in the module: $($leaked.FullName -join ', ')"
}

Write-Host "module assembled: $Destination ($Configuration; $($frameworks -join ', '))"
