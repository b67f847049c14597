<#
.SYNOPSIS
    A guided walk through ArkManager.Images against the sandbox engine (dotnet cake --target=Demo runs it).
.DESCRIPTION
    Uses the private dockerd and loopback registry started by tests/sandbox/sandbox.sh. Shows that nothing is pulled
    implicitly, that a server start with a missing image is refused with the command that fixes it, how a pull reports
    progress, and how an update in the registry is detected without pulling.
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../artifacts/module/ArkManager.Images'),
    [string] $SandboxDir = $(if ($env:ARKMANAGER_SANDBOX_DIR) { $env:ARKMANAGER_SANDBOX_DIR } else { '/tmp/arkmgr-sandbox' })
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$step = 0
function Step([string] $title, [string] $explain) {
    $script:step++
    Write-Host ''
    Write-Host ("=== Step {0}: {1}" -f $script:step, $title) -ForegroundColor Cyan
    if ($explain) { Write-Host $explain }
}
function Show([string] $command) { Write-Host "PS> $command" -ForegroundColor Yellow }
function Docker { & docker -H $sandbox.dockerHost @args 2>&1 | Out-Null; if ($LASTEXITCODE -ne 0) { throw "docker $args failed" } }

$sandbox = Get-Content -Raw (Join-Path $SandboxDir 'sandbox.json') | ConvertFrom-Json
$image = $sandbox.images.latest
$server = 'demo-island'
$work = Join-Path ([IO.Path]::GetTempPath()) ("ark-demo-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
$saved = Join-Path $work 'SavedArks'
New-Item -ItemType Directory -Path $saved | Out-Null
$config = Join-Path $work 'config.json'
@{ dockerHost = $sandbox.dockerHost; requiredImages = @($image); stateDirectory = (Join-Path $work 'state') } |
    ConvertTo-Json | Set-Content -Path $config

# Start from a clean host: no local copy of the image, no demo server, the registry's tag on v1.
& docker -H $sandbox.dockerHost rm -f $server 2>&1 | Out-Null
& docker -H $sandbox.dockerHost rmi -f $image 2>&1 | Out-Null
Docker pull -q $sandbox.images.v1; Docker tag $sandbox.images.v1 $image; Docker push $image; Docker rmi $image $sandbox.images.v1

Step 'Import the module' "The build left a ready-to-import module in artifacts/module. The configuration file names the Docker endpoint and the required image ($image)."
Show "Import-Module $ModulePath"
Import-Module $ModulePath -Force
Show "Get-Content $config"
Get-Content $config | Write-Host
$PSDefaultParameterValues['*-Ark*:ConfigPath'] = $config

Step 'Image status: the required image is missing' 'Nothing has been pulled, and nothing will be until we ask.'
Show 'Get-ArkImageStatus'
Get-ArkImageStatus | Format-Table -AutoSize | Out-String | Write-Host
Show 'Test-ArkRequiredImage'
Test-ArkRequiredImage | Write-Host

Step 'Starting a server is refused' 'ArkManager never pulls behind your back: it names the missing image and the command that pulls it.'
Show "New-ArkServer -Name $server -Image $image ...; Start-ArkServer -Name $server"
try {
    New-ArkServer -Name $server -Image $image -Network none -Volume "${saved}:/ark/ShooterGame/Saved/SavedArks" -Confirm:$false | Out-Null
    Start-ArkServer -Name $server -Confirm:$false | Out-Null
    throw 'The start should have been refused.'
}
catch {
    Write-Host ("Refused as expected [{0}]:" -f $_.FullyQualifiedErrorId) -ForegroundColor Green
    Write-Host $_.Exception.Message
}

Step 'Pull the image, because we ask' 'Install-ArkImage pulls with per-layer progress (Write-Progress) and returns the image.'
Show "Install-ArkImage -Image $image"
$pulled = Install-ArkImage -Image $image -Confirm:$false
$pulled | Format-List Reference, Id, Digest, Created, Size, Os, Architecture | Out-String | Write-Host

Step 'Create and start the server' 'The stop timeout defaults to 300 s so ARK can finish its world save; this demo shortens the stand-in''s save to 2 s.'
Show "New-ArkServer -Name $server -Image $image -Network none -Volume ...:/ark/ShooterGame/Saved/SavedArks"
New-ArkServer -Name $server -Image $image -Network none -Volume "${saved}:/ark/ShooterGame/Saved/SavedArks" `
    -Environment @{ ARK_STARTUP_DELAY = '1'; ARK_SHUTDOWN_SAVE_SECONDS = '2' } -Confirm:$false | Out-Null
Show "Start-ArkServer -Name $server"
Start-ArkServer -Name $server -Confirm:$false | Format-Table -AutoSize | Out-String | Write-Host
Start-Sleep -Seconds 2
Write-Host (& docker -H $sandbox.dockerHost logs $server 2>&1 | Out-String)

Step 'A new image is pushed to the registry' "Someone publishes a new build under the same tag ($image): its digest changes."
Docker pull -q $sandbox.images.v2; Docker tag $sandbox.images.v2 $image; Docker push $image; Docker rmi $sandbox.images.v2
Write-Host "pushed v2 as $image"

Step 'Check for updates, without pulling' 'One manifest HEAD request per image; the local image is untouched.'
Show 'Test-ArkImageUpdate'
$check = Test-ArkImageUpdate
$check | Format-Table -AutoSize | Out-String | Write-Host
if (-not $check.UpdateAvailable) { throw 'The update was not detected.' }
Show 'Get-ArkImageStatus -CheckForUpdates'
Get-ArkImageStatus -CheckForUpdates | Format-Table -AutoSize | Out-String | Write-Host

Step 'Stop the server' 'Stop-ArkServer waits for the save (up to the container''s stop timeout).'
Show "Stop-ArkServer -Name $server"
Stop-ArkServer -Name $server -Confirm:$false | Format-Table -AutoSize | Out-String | Write-Host
Write-Host ("Save file: " + (Get-Content -Raw (Join-Path $saved 'TheIsland.ark')).Trim())

# Leave the sandbox as we found it.
& docker -H $sandbox.dockerHost rm -f $server 2>&1 | Out-Null
Docker pull -q $sandbox.images.v1; Docker tag $sandbox.images.v1 $image; Docker push $image; Docker rmi $sandbox.images.v1
& docker -H $sandbox.dockerHost rmi -f $image 2>&1 | Out-Null
Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
Write-Host ''
Write-Host 'Demo complete.' -ForegroundColor Green
