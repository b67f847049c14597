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
if ([Console]::IsOutputRedirected -and $PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
$ModulePath = (Resolve-Path $ModulePath).Path

$step = 0
function Step([string] $title, [string] $explain) {
    $script:step++
    Write-Host ''
    Write-Host ("=== Step {0}: {1}" -f $script:step, $title) -ForegroundColor Cyan
    if ($explain) { Write-Host $explain }
}
function Show([string] $command) { Write-Host "PS> $command" -ForegroundColor Yellow }
$dockerCli = (Get-Command docker -CommandType Application | Select-Object -First 1).Source
function Invoke-SandboxDocker { & $dockerCli -H $sandbox.dockerHost @args 2>&1 | Out-Null; if ($LASTEXITCODE -ne 0) { throw "docker $args failed" } }

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
& $dockerCli -H $sandbox.dockerHost rm -f $server 2>&1 | Out-Null
& $dockerCli -H $sandbox.dockerHost rmi -f $image 2>&1 | Out-Null
Invoke-SandboxDocker pull -q $sandbox.images.v1; Invoke-SandboxDocker tag $sandbox.images.v1 $image; Invoke-SandboxDocker push $image; Invoke-SandboxDocker rmi $image $sandbox.images.v1

Step 'Import the module' "The build left a ready-to-import module in artifacts/module. The configuration file names the Docker endpoint and the required image ($image)."
Show "Import-Module $ModulePath"
Import-Module $ModulePath -Force
Show "Get-Content $config"
Get-Content $config | Write-Host
$PSDefaultParameterValues['*-Ark*:ConfigPath'] = $config

Step 'Image status: the required image is missing' 'Nothing has been pulled, and nothing will be until we ask.'
Show 'Get-ArkImageStatus'
Get-ArkImageStatus | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
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
$pulled | Format-List Reference, Id, Digest, Created, Size, Os, Architecture | Out-String -Width 200 | Write-Host

Step 'Create and start the server' 'The stop timeout defaults to 300 s so ARK can finish its world save; this demo shortens the stand-in''s save to 2 s.'
Show "New-ArkServer -Name $server -Image $image -Network none -Volume ...:/ark/ShooterGame/Saved/SavedArks"
New-ArkServer -Name $server -Image $image -Network none -Volume "${saved}:/ark/ShooterGame/Saved/SavedArks" `
    -Environment @{ ARK_STARTUP_DELAY = '1'; ARK_SHUTDOWN_SAVE_SECONDS = '2' } -Confirm:$false | Out-Null
Show "Start-ArkServer -Name $server"
Start-ArkServer -Name $server -Confirm:$false | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
Start-Sleep -Seconds 2
Write-Host (& $dockerCli -H $sandbox.dockerHost logs $server 2>&1 | Out-String)

Step 'A new image is pushed to the registry' "Someone publishes a new build under the same tag ($image): its digest changes."
$localId = (& $dockerCli -H $sandbox.dockerHost image inspect --format '{{.Id}}' $image)
Invoke-SandboxDocker pull -q $sandbox.images.v2; Invoke-SandboxDocker tag $sandbox.images.v2 $image; Invoke-SandboxDocker push $image
Invoke-SandboxDocker tag $localId $image   # only the registry moved: our local tag stays where it was
Invoke-SandboxDocker rmi $sandbox.images.v2
Write-Host "pushed v2 as $image"

Step 'Check for updates, without pulling' 'One manifest HEAD request per image; the local image is untouched.'
Show 'Test-ArkImageUpdate'
$check = Test-ArkImageUpdate
$check | Format-List Image, State, UpdateAvailable, LocalDigest, RemoteDigest | Out-String -Width 200 | Write-Host
if (-not $check.UpdateAvailable) { throw 'The update was not detected.' }
Show 'Get-ArkImageStatus -CheckForUpdates'
Get-ArkImageStatus -CheckForUpdates | Format-Table -AutoSize | Out-String -Width 200 | Write-Host

Step 'Plan the update (-WhatIf)' 'Update-ArkImage -WhatIf asks the registry and lists what would happen to each server; nothing changes.'
Show 'Update-ArkImage -WhatIf'
Update-ArkImage -WhatIf | Format-Table Server, CurrentDigest, TargetDigest, Steps -AutoSize -Wrap | Out-String -Width 200 | Write-Host

Step 'Update the image and the server' 'Pull first, create the replacement, stop the old server with its stop timeout (the world save completes), swap, start, health gate, commit.'
$before = (& $dockerCli -H $sandbox.dockerHost inspect --format '{{.Id}} {{.Image}}' $server)
Show 'Update-ArkImage -Confirm:$false -HealthTimeout 00:01:00'
$result = Update-ArkImage -Confirm:$false -HealthTimeout 00:01:00
$result.Servers | Format-Table Server, Outcome, OldDigest, NewDigest -AutoSize | Out-String -Width 200 | Write-Host
$result.Servers[0].Steps | Format-Table Step, Status, Duration, Detail -AutoSize -Wrap | Out-String -Width 200 | Write-Host
Write-Host ("before: $before")
Write-Host ("after:  " + (& $dockerCli -H $sandbox.dockerHost inspect --format '{{.Id}} {{.Image}}' $server))
Write-Host ("Save file (written by the old server on stop): " + (Get-Content -Raw (Join-Path $saved 'TheIsland.ark')).Trim())

Step 'The update history' 'One record per server per update, rollback or recovery, with every step and its timing.'
Show "Get-ArkUpdateHistory -Name $server"
Get-ArkUpdateHistory -Name $server | Format-Table Kind, Server, Outcome, OldDigest, NewDigest, StartedAt -AutoSize | Out-String -Width 200 | Write-Host

Step 'Roll back by hand' 'Undo-ArkImageUpdate recreates the server on the image it ran before (kept on disk as its rollback target).'
Show "Undo-ArkImageUpdate -Name $server -Confirm:`$false -HealthTimeout 00:01:00"
Undo-ArkImageUpdate -Name $server -Confirm:$false -HealthTimeout 00:01:00 | Format-Table Server, Outcome, OldDigest, NewDigest -AutoSize | Out-String -Width 200 | Write-Host
Write-Host ("now:    " + (& $dockerCli -H $sandbox.dockerHost inspect --format '{{.Id}} {{.Image}}' $server))

Step 'Stop the server' 'Stop-ArkServer waits for the save (up to the container''s stop timeout).'
Show "Stop-ArkServer -Name $server"
Stop-ArkServer -Name $server -Confirm:$false | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
Write-Host ("Save file: " + (Get-Content -Raw (Join-Path $saved 'TheIsland.ark')).Trim())

# Leave the sandbox as we found it.
& $dockerCli -H $sandbox.dockerHost rm -f $server 2>&1 | Out-Null
& $dockerCli -H $sandbox.dockerHost rmi -f ($image -replace ':latest$', ":ark-rollback-$server") 2>&1 | Out-Null
Invoke-SandboxDocker pull -q $sandbox.images.v1; Invoke-SandboxDocker tag $sandbox.images.v1 $image; Invoke-SandboxDocker push $image; Invoke-SandboxDocker rmi $sandbox.images.v1
& $dockerCli -H $sandbox.dockerHost rmi -f $image 2>&1 | Out-Null
Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
Write-Host ''
Write-Host 'Demo complete.' -ForegroundColor Green
