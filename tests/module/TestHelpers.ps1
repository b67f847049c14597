# Helpers shared by the module's Pester tests (dot-source in BeforeDiscovery/BeforeAll).

# The sandbox engine started by tests/sandbox/sandbox.sh (real dockerd + registries on loopback), or $null when it is
# not running. Endpoints come from sandbox.json; nothing here hard-codes a socket or a port.
function Get-TestSandbox {
    $dir = if ($env:ARKMANAGER_SANDBOX_DIR) { $env:ARKMANAGER_SANDBOX_DIR } else { '/tmp/arkmgr-sandbox' }
    $file = Join-Path $dir 'sandbox.json'
    if (-not (Test-Path -LiteralPath $file)) { return $null }
    $json = Get-Content -LiteralPath $file -Raw | ConvertFrom-Json
    if (-not (Get-Command docker -ErrorAction SilentlyContinue)) { return $null }
    $null = & docker -H $json.dockerHost version --format '{{.Server.Version}}' 2>&1
    if ($LASTEXITCODE -ne 0) { return $null }
    [pscustomobject]@{
        Directory   = $dir
        DockerHost  = [string]$json.dockerHost
        Registry    = [string]$json.registry
        RegistryLog = [string]$json.registryLog
        ImageV1     = [string]$json.images.v1
        ImageV2     = [string]$json.images.v2
        ImageBroken = [string]$json.images.broken
        ImageLatest = [string]$json.images.latest
    }
}

# True when integration tests must run (and fail) even without a sandbox: ARKMANAGER_REQUIRE_SANDBOX=1, or on CI
# (CI=true) unless ARKMANAGER_REQUIRE_SANDBOX=0.
function Test-SandboxRequired {
    ($env:ARKMANAGER_REQUIRE_SANDBOX -eq '1') -or ($env:CI -eq 'true' -and $env:ARKMANAGER_REQUIRE_SANDBOX -ne '0')
}

# Runs the docker CLI against the sandbox daemon; throws with its output when it fails.
function Invoke-SandboxDocker {
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory, ValueFromRemainingArguments)] [string[]] $Arguments
    )
    $env:DOCKER_BUILDKIT = '0'
    $env:DOCKER_CLI_HINTS = 'false'
    $output = & docker -H $Sandbox.DockerHost @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw "docker $($Arguments -join ' ') exited $LASTEXITCODE`: $($output -join [Environment]::NewLine)"
    }
    ($output | ForEach-Object { "$_" }) -join [Environment]::NewLine
}

# Like Invoke-SandboxDocker, ignoring failures (clean-up).
function Invoke-SandboxDockerQuietly {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $null = & docker -H $Sandbox.DockerHost @Arguments 2>&1
}

# Removes every local reference (tags and digests) of a repository, and with them the images only it held.
function Remove-SandboxRepository {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Repository)
    $lines = & docker -H $Sandbox.DockerHost images --digests --format '{{.Repository}}|{{.Tag}}|{{.Digest}}' $Repository 2>$null
    foreach ($line in @($lines)) {
        $parts = "$line" -split '\|'
        if ($parts.Count -ne 3) { continue }
        if ($parts[1] -and $parts[1] -ne '<none>') { Invoke-SandboxDockerQuietly $Sandbox rmi ('{0}:{1}' -f $parts[0], $parts[1]) }
        if ($parts[2] -and $parts[2] -ne '<none>') { Invoke-SandboxDockerQuietly $Sandbox rmi ('{0}@{1}' -f $parts[0], $parts[2]) }
    }
}

function Test-SandboxImage {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Reference)
    $null = & docker -H $Sandbox.DockerHost image inspect --format '{{.Id}}' $Reference 2>&1
    $LASTEXITCODE -eq 0
}

function Test-SandboxContainer {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Name)
    $null = & docker -H $Sandbox.DockerHost container inspect --format '{{.Id}}' $Name 2>&1
    $LASTEXITCODE -eq 0
}

# A name no other test run uses.
function New-UniqueName([string] $Prefix = 'pester') {
    '{0}-{1}' -f $Prefix, ([guid]::NewGuid().ToString('N').Substring(0, 10))
}

# Writes a configuration file whose required images are $Images and whose dockerHost is the sandbox's.
function New-TestConfig {
    param([Parameter(Mandatory)] [string] $Path, [string] $DockerHost, [string[]] $Images)
    $config = [ordered]@{}
    if ($DockerHost) { $config.dockerHost = $DockerHost }
    if ($Images) { $config.requiredImages = @($Images) }
    $config.stateDirectory = Join-Path (Split-Path -Parent $Path) 'state'
    $config | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $Path -Encoding utf8
    $Path
}

# Runs $Script in a new runspace of this process with the module imported, and returns its output and streams
# (the progress stream cannot be redirected in a script, but a PowerShell instance without a host collects it).
function Invoke-InRunspace {
    param(
        [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [scriptblock] $Script,
        [object[]] $ArgumentList = @(),
        [int] $StopAfterMilliseconds = 0
    )
    $ps = [powershell]::Create()
    try {
        $null = $ps.AddCommand('Import-Module').AddParameter('Name', $ModulePath).AddParameter('Force', $true).AddStatement()
        $null = $ps.AddScript($Script.ToString())
        foreach ($argument in $ArgumentList) { $null = $ps.AddArgument($argument) }
        $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
        $output = $null
        $stoppedAt = $null
        $terminating = $null
        if ($StopAfterMilliseconds -gt 0) {
            $async = $ps.BeginInvoke()
            if (-not $async.AsyncWaitHandle.WaitOne($StopAfterMilliseconds)) {
                $stoppedAt = $stopwatch.Elapsed
                $ps.Stop()
            }
            try { $output = $ps.EndInvoke($async) } catch { $terminating = $_.Exception }
        }
        else {
            try { $output = $ps.Invoke() } catch { $terminating = $_.Exception }
        }
        [pscustomobject]@{
            Output      = @($output)
            Errors      = @($ps.Streams.Error)
            Progress    = @($ps.Streams.Progress)
            Verbose     = @($ps.Streams.Verbose)
            Warning     = @($ps.Streams.Warning)
            Terminating = $terminating
            StoppedAt   = $stoppedAt
            Elapsed     = $stopwatch.Elapsed
            State       = $ps.InvocationStateInfo.State
        }
    }
    finally {
        $ps.Dispose()
    }
}

# How to start a fresh pwsh like this one: the executable, then the arguments that come before the script's
# (pwsh.dll when this pwsh runs as 'dotnet pwsh.dll', e.g. the dotnet tool).
function Get-PwshCommand {
    $processPath = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    if ((Split-Path -Leaf $processPath) -match '^dotnet(\.exe)?$') {
        return [pscustomobject]@{ Path = $processPath; Prefix = @((Join-Path $PSHOME 'pwsh.dll')) }
    }
    [pscustomobject]@{ Path = $processPath; Prefix = @() }
}

# Runs a script in a fresh pwsh process (-NoProfile -NonInteractive, from a temporary file) with extra environment
# variables, and returns its exit code and output (stdout and stderr, as strings).
function Invoke-FreshPwsh {
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $pwsh = Get-PwshCommand
    $saved = @{}
    $file = $null
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $Environment[$name])
    }
    try {
        $file = Join-Path ([System.IO.Path]::GetTempPath()) ('arkmgr-pester-{0}.ps1' -f [guid]::NewGuid().ToString('N'))
        Set-Content -LiteralPath $file -Value $Script -Encoding utf8
        $output = & $pwsh.Path @($pwsh.Prefix) -NoProfile -NonInteractive -File $file 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output | ForEach-Object { "$_" }) }
    }
    finally {
        if ($file) { Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue }
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
}

# The build of the cmdlets this run tests: net8.0 (PowerShell 7) or netstandard2.0 (Windows PowerShell 5.1, forced on
# PowerShell 7 by Invoke-ModuleTests.ps1 through ARKMANAGER_FORCE_EDITION_BUILD, which the module's psm1 honours).
function Get-TestEdition {
    if ($env:ARKMANAGER_FORCE_EDITION_BUILD -in 'net8.0', 'netstandard2.0') { return $env:ARKMANAGER_FORCE_EDITION_BUILD }
    if ($PSVersionTable.PSEdition -eq 'Core') { 'net8.0' } else { 'netstandard2.0' }
}

# Starts the xunit suite's fault-injecting HTTP front (tests/ArkManager.Images.Tests/Infrastructure/FaultFront.cs,
# compiled here with Add-Type, once per process) on a free 127.0.0.1 port before $Upstream (host:port). Set its mode
# with .Set([ArkManager.Images.Tests.Infrastructure.FaultKind]::Http500) etc.; Dispose() it at the end.
function Start-TestFaultFront {
    param([Parameter(Mandatory)] [string] $Upstream)
    if (-not ('ArkManager.Images.Tests.Infrastructure.FaultFront' -as [type])) {
        $file = Join-Path $PSScriptRoot '../ArkManager.Images.Tests/Infrastructure/FaultFront.cs'
        # The test project compiles it with nullable and implicit usings on; say both here.
        $usings = '#nullable enable', 'using System;', 'using System.Collections.Generic;', 'using System.IO;', 'using System.Linq;',
            'using System.Threading;', 'using System.Threading.Tasks;'
        Add-Type -TypeDefinition (($usings -join "`n") + "`n" + (Get-Content -LiteralPath $file -Raw)) -Language CSharp
    }
    [ArkManager.Images.Tests.Infrastructure.FaultFront]::new($Upstream)
}

# A TCP port free on loopback now.
function Get-FreeTestPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

# Waits until the stand-in in container $Name has logged its readiness line (past its startup, so a SIGTERM now makes
# it save); throws after $TimeoutSeconds. A wait on the event instead of a sleep.
function Wait-SandboxServerReady {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Name, [int] $TimeoutSeconds = 30)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $logs = (& docker -H $Sandbox.DockerHost logs $Name 2>&1) -join "`n"
        if ($logs -match 'advertising for join') { return }
        if ([DateTime]::UtcNow -gt $deadline) { throw "The server '$Name' did not log its readiness line within $TimeoutSeconds s: $logs" }
        Start-Sleep -Milliseconds 100
    }
}
