# Loads the binary cmdlets built for this PowerShell edition: net8.0 on PowerShell 7 (Core),
# netstandard2.0 on Windows PowerShell 5.1 (Desktop). The build copies each into its subfolder, with the library and
# every dependency in <subfolder>/dependencies, which only the module itself loads from: on PowerShell 7 into an
# AssemblyLoadContext of its own (see ModuleInitializer.cs), so that other modules' versions of the same dependencies
# do not conflict with ours.
Set-StrictMode -Version 3.0

$framework = if ($PSVersionTable.PSEdition -eq 'Core') { 'net8.0' } else { 'netstandard2.0' }
# For the module's tests only: run the Windows PowerShell build on PowerShell 7 (5.1 itself cannot run on the build machines).
if ($env:ARKMANAGER_FORCE_EDITION_BUILD -in 'net8.0', 'netstandard2.0') {
    $framework = $env:ARKMANAGER_FORCE_EDITION_BUILD
}
$assemblyPath = Join-Path -Path (Join-Path -Path $PSScriptRoot -ChildPath $framework) -ChildPath 'ArkManager.Images.PowerShell.dll'
$libraryPath = Join-Path -Path (Split-Path -Parent $assemblyPath) -ChildPath 'dependencies/ArkManager.Images.dll'
if (-not (Test-Path -LiteralPath $assemblyPath -PathType Leaf) -or -not (Test-Path -LiteralPath $libraryPath -PathType Leaf)) {
    throw "ArkManager.Images: '$assemblyPath' or '$libraryPath' is missing. This is the source folder of the module or an incomplete build: import the assembled module (artifacts/module/ArkManager.Images, made by tests/module/Assemble-Module.ps1) instead."
}

# Importing the assembly runs its module initializer, which sets up the dependency resolution and loads the library,
# so that its types ([ArkManager.Images.ServerSpec], ...) resolve before a cmdlet first runs.
$binaryModule = Import-Module -Name $assemblyPath -PassThru -ErrorAction Stop

# The manifest's CmdletsToExport is the list that counts; export what the assembly defines.
Export-ModuleMember -Cmdlet @($binaryModule.ExportedCmdlets.Keys) -Function @() -Alias @() -Variable @()
