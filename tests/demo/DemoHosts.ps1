<#
.SYNOPSIS
    A short walk through ArkManager.Images over two Docker hosts (dotnet cake --target=DemoHosts runs it).
.DESCRIPTION
    Host "a" is the sandbox engine (tests/sandbox/sandbox.sh); host "b" is a second dockerd this script starts on a
    private socket (no bridge, no iptables) and stops by its pid at the end. One configuration file names both hosts;
    one server runs on each. A new image in the registry is checked once, pulled on each host, and both servers are
    replaced in one rolling run. Then host b goes away: listing and updates name it as an error and carry on with host a.
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
function Invoke-Docker([string] $HostUri) { & $dockerCli -H $HostUri @args 2>&1 | Out-Null; if ($LASTEXITCODE -ne 0) { throw "docker -H $HostUri $args failed" } }

$sandbox = Get-Content -Raw (Join-Path $SandboxDir 'sandbox.json') | ConvertFrom-Json
$run = [guid]::NewGuid().ToString('N').Substring(0, 8)
$image = '{0}/demo/hosts-{1}:latest' -f ($sandbox.images.v1 -replace '/.*$', ''), $run
$work = Join-Path ([IO.Path]::GetTempPath()) "ark-demo-hosts-$run"
New-Item -ItemType Directory -Path $work | Out-Null
$a = $sandbox.dockerHost
$b = "unix://$work/engine-b.sock"

# Host b: a second dockerd of this demo's own.
$dockerd = Start-Process -FilePath dockerd -PassThru -RedirectStandardError (Join-Path $work 'dockerd-b.log') -RedirectStandardOutput (Join-Path $work 'dockerd-b.out') -ArgumentList @(
    '--data-root', "$work/b-data", '--exec-root', "$work/b-exec", '-H', $b, '--pidfile', "$work/b.pid", '--bridge=none', '--iptables=false', '--ip-masq=false')
try {
    $deadline = (Get-Date).AddSeconds(60)
    while (-not (& $dockerCli -H $b version --format '{{.Server.Version}}' 2>$null)) {
        if ((Get-Date) -gt $deadline -or $dockerd.HasExited) { throw "the second dockerd did not start: see $work/dockerd-b.log" }
        Start-Sleep -Milliseconds 200
    }

    Invoke-Docker $a pull -q $sandbox.images.v1; Invoke-Docker $a tag $sandbox.images.v1 $image; Invoke-Docker $a push $image
    $config = Join-Path $work 'config.json'
    [ordered]@{
        hosts          = @([ordered]@{ name = 'a'; dockerHost = $a }, [ordered]@{ name = 'b'; dockerHost = $b })
        requiredImages = @($image)
        stateDirectory = Join-Path $work 'state'
    } | ConvertTo-Json -Depth 4 | Set-Content -Path $config
    $env:ARKMANAGER_CONFIG = $config

    Step 'Two hosts in one configuration file' 'Every cmdlet spans the hosts of "hosts"; -Host keeps to some of them.'
    Get-Content -Raw $config | Write-Host
    Import-Module (Join-Path $ModulePath 'ArkManager.Images.psd1') -Force

    Step 'Pull on both hosts, because we ask' 'Install-ArkImage pulls on every host at once.'
    Show "Install-ArkImage -Image $image"
    Install-ArkImage -Image $image -Confirm:$false | Out-Null
    Get-ArkImageStatus | Format-Table Host, Image, Present -AutoSize | Out-String -Width 200 | Write-Host

    Step 'One server on each host' 'A server is named host/name when it is created; later its name alone finds it.'
    foreach ($h in 'a', 'b') {
        Show "New-ArkServer -Name $h/demo-$h-$run -Image ...; Start-ArkServer -Name $h/demo-$h-$run"
        New-ArkServer -Name "$h/demo-$h-$run" -Image $image -Network none -Environment @{ ARK_STARTUP_DELAY = '0.5'; ARK_SHUTDOWN_SAVE_SECONDS = '1' } -StopTimeout 30 -Confirm:$false | Out-Null
        Start-ArkServer -Name "$h/demo-$h-$run" | Out-Null
    }
    Show 'Get-ArkServer'
    Get-ArkServer | Format-Table -AutoSize | Out-String -Width 200 | Write-Host

    Step 'A new image is pushed; one update rolls over both hosts' 'One registry check for the image, a pull on each host, then each server replaced, one at a time.'
    Invoke-Docker $a pull -q $sandbox.images.v2; Invoke-Docker $a tag $sandbox.images.v2 $image; Invoke-Docker $a push $image; Invoke-Docker $a tag $sandbox.images.v1 $image
    Show 'Update-ArkImage -All -Confirm:$false -HealthTimeout 00:01:00'
    $result = Update-ArkImage -All -Confirm:$false -HealthTimeout 00:01:00
    $result.Servers | Format-Table Host, Server, Outcome, OldDigest, NewDigest -AutoSize | Out-String -Width 200 | Write-Host
    Show 'Get-ArkUpdateHistory'
    Get-ArkUpdateHistory | Format-Table Host, Kind, Server, Outcome, StartedAt -AutoSize | Out-String -Width 200 | Write-Host

    Step 'Host b goes away' 'Its servers cannot be listed: a DockerUnavailable error names host b, and host a''s servers are still shown.'
    & kill -TERM $dockerd.Id   # by its pid; dockerd stops its containers and its containerd
    $dockerd.WaitForExit(60000) | Out-Null
    Show 'Get-ArkServer'
    Get-ArkServer -ErrorVariable hostErrors -ErrorAction SilentlyContinue | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
    $hostErrors | ForEach-Object { Write-Host ("error ({0}, target {1}): {2}" -f $_.FullyQualifiedErrorId, $_.TargetObject, $_.Exception.Message) -ForegroundColor Red }
}
finally {
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
    Remove-Item Env:ARKMANAGER_CONFIG -ErrorAction SilentlyContinue
    & $dockerCli -H $a rm -f "demo-a-$run" "demo-a-$run-ark-old" "demo-a-$run-ark-new" 2>&1 | Out-Null
    & $dockerCli -H $a rmi -f $image 2>&1 | Out-Null
    if (-not $dockerd.HasExited) {
        & $dockerCli -H $b rm -f "demo-b-$run" 2>&1 | Out-Null
        & kill -TERM $dockerd.Id
        $dockerd.WaitForExit(60000) | Out-Null
    }
    Get-Content /proc/mounts | ForEach-Object { ($_ -split ' ')[1] } | Where-Object { $_.StartsWith($work) } | Sort-Object Length -Descending | ForEach-Object { & umount $_ 2>&1 | Out-Null }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
Write-Host ''
Write-Host 'Demo complete.' -ForegroundColor Green
