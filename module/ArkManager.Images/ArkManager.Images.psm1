# Loads the binary cmdlets built for this PowerShell edition: net8.0 on PowerShell 7 (Core),
# netstandard2.0 on Windows PowerShell 5.1 (Desktop). The build copies each into its subfolder.
Set-StrictMode -Version 3.0

$framework = if ($PSVersionTable.PSEdition -eq 'Core') { 'net8.0' } else { 'netstandard2.0' }
$assemblyPath = Join-Path -Path (Join-Path -Path $PSScriptRoot -ChildPath $framework) -ChildPath 'ArkManager.Images.PowerShell.dll'
if (-not (Test-Path -LiteralPath $assemblyPath -PathType Leaf)) {
    throw "ArkManager.Images: '$assemblyPath' is missing. This is the source folder of the module or an incomplete build: import the assembled module (artifacts/module/ArkManager.Images, made by tests/module/Assemble-Module.ps1) instead."
}

$binaryModule = Import-Module -Name $assemblyPath -PassThru -ErrorAction Stop

# Load the library too, so that its types ([ArkManager.Images.ServerSpec], ...) resolve before a cmdlet first runs.
Add-Type -LiteralPath (Join-Path -Path (Split-Path -Parent $assemblyPath) -ChildPath 'ArkManager.Images.dll') -ErrorAction Stop

# The manifest's CmdletsToExport is the list that counts; export what the assembly defines.
Export-ModuleMember -Cmdlet @($binaryModule.ExportedCmdlets.Keys) -Function @() -Alias @() -Variable @()
