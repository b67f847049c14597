# Unattended runs and RCON through the cmdlets, against the sandbox engine (tests/sandbox/sandbox.sh): the scheduled
# task recipe of Update-ArkImage -All (its exit code), and Send-ArkRconCommand, Get-ArkPlayer and the safe stop of
# Stop-ArkServer with the stand-in ARK server. Skipped when the sandbox is not running, unless
# ARKMANAGER_REQUIRE_SANDBOX=1 (then they fail).
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../artifacts/module/ArkManager.Images')
)

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:skipIntegration = (-not (Get-TestSandbox)) -and -not (Test-SandboxRequired)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
    Import-Module (Join-Path $script:ModulePath 'ArkManager.Images.psd1') -Force -ErrorAction Stop
    $script:sb = Get-TestSandbox
    if (-not $sb) {
        throw 'The sandbox engine is not running: start it with: bash tests/sandbox/sandbox.sh start'
    }
    $script:run = ([guid]::NewGuid().ToString('N')).Substring(0, 10)
    # The stand-in, quick: ready after 0.5 s, no autosave during the test, a 1 s final save.
    $script:serverEnvironment = @{ ARK_STARTUP_DELAY = '0.5'; ARK_SAVE_INTERVAL = '3600'; ARK_SHUTDOWN_SAVE_SECONDS = '1' }

    function script:Get-ContainerField([string] $Name, [string] $Format) {
        Invoke-SandboxDocker $sb container inspect --format $Format $Name
    }

    function script:Get-ImageId([string] $Reference) {
        Invoke-SandboxDocker $sb image inspect --format '{{.Id}}' $Reference
    }

    # Pushes a sandbox image under $Tag (the local tag then points at it too); returns its id.
    function script:Publish-SandboxImage([string] $From, [string] $Tag) {
        $null = Invoke-SandboxDocker $sb pull -q $From
        $null = Invoke-SandboxDocker $sb tag $From $Tag
        $null = Invoke-SandboxDocker $sb push $Tag
        Get-ImageId $From
    }

    # Pushes a sandbox image under $Tag and points the local tag back at $RestoreLocalTagTo, so that the update pulls.
    function script:Publish-RemoteOnly([string] $From, [string] $Tag, [string] $RestoreLocalTagTo) {
        $id = Publish-SandboxImage -From $From -Tag $Tag
        $null = Invoke-SandboxDocker $sb tag $RestoreLocalTagTo $Tag
        $id
    }

    # Runs a script file in a new pwsh process (pwsh -NoProfile -File), as a scheduled task would, with
    # ARKMANAGER_CONFIG set; returns its exit code and output.
    function script:Invoke-ScheduledScript([string] $Text, [string] $Config) {
        $file = Join-Path $TestDrive ('task-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.ps1')
        Set-Content -LiteralPath $file -Value $Text -Encoding utf8
        $self = Get-Process -Id $PID
        $exe, $prefix = if ($self.ProcessName -eq 'dotnet') { $self.Path, @((Join-Path $PSHOME 'pwsh.dll')) } else { $self.Path, @() }
        $saved = $env:ARKMANAGER_CONFIG
        try {
            $env:ARKMANAGER_CONFIG = $Config
            $output = & $exe @prefix -NoProfile -NonInteractive -File $file 2>&1
            $code = $LASTEXITCODE
        }
        finally {
            $env:ARKMANAGER_CONFIG = $saved
        }
        $text = ($output | ForEach-Object { "$_" }) -join [Environment]::NewLine
        $text = $text -replace '\x1b\[[0-9;?]*[A-Za-z]', '' -replace '[\x00-\x08\x0b\x0c\x0e-\x1f]', ''
        [pscustomobject]@{ ExitCode = $code; Output = $text }
    }

    # A TCP port free on loopback now.
    function script:Get-FreePort {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
    }
}

AfterAll {
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'A scheduled task running Update-ArkImage -All' -Skip:$skipIntegration {
    BeforeAll {
        $script:repo = '{0}/tbro98/pester-schedule-{1}' -f $sb.Registry, $run
        $script:tag = "${repo}:latest"
        $script:server = "pester-sched-$run"
        $script:config = New-TestConfig -Path (Join-Path $TestDrive 'config.json') -DockerHost $sb.DockerHost -Images $tag
        $script:state = (Get-Content -LiteralPath $config -Raw | ConvertFrom-Json).stateDirectory

        $script:v1Id = Publish-SandboxImage -From $sb.ImageV1 -Tag $tag
        $null = New-ArkServer -Name $server -Image $tag -Network none -Environment $serverEnvironment -StopTimeout 30 -RestartPolicy no `
            -ConfigPath $config -Confirm:$false -ErrorAction Stop
        $null = Start-ArkServer -Name $server -ConfigPath $config -Confirm:$false -ErrorAction Stop

        # The recipe of the help of Update-ArkImage: the first line makes a failed update end the script with exit code 1.
        $script:recipe = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$(Join-Path $ModulePath 'ArkManager.Images.psd1')'
Update-ArkImage -All -Confirm:`$false
"@
    }

    AfterAll {
        if ($sb) {
            foreach ($name in $server, "$server-ark-new", "$server-ark-old") { Invoke-SandboxDockerQuietly $sb rm -f $name }
            Remove-SandboxRepository -Sandbox $sb -Repository $repo
        }
    }

    It 'Update-ArkImage -All -WhatIf outputs the plan of every required image and changes nothing' {
        $null = Publish-RemoteOnly -From $sb.ImageV2 -Tag $tag -RestoreLocalTagTo $v1Id
        $plan = @(Update-ArkImage -All -ConfigPath $config -WhatIf)
        ($plan | Where-Object Server -eq $server) | Should -Not -BeNullOrEmpty
        ($plan | Where-Object Server -eq $server).Status | Should -Be 'Recreate'
        $plan | ForEach-Object { $_ | Should -BeOfType ([ArkManager.Images.UpdatePlanItem]) }
        Get-ContainerField $server '{{.Image}}' | Should -Be $v1Id
    }

    It 'exits with 0 after a successful run and logs it' {
        $v2Id = Get-ImageId $sb.ImageV2
        $ok = Invoke-ScheduledScript $recipe $config
        $ok.ExitCode | Should -Be 0 -Because $ok.Output
        Get-ContainerField $server '{{.Image}}' | Should -Be $v2Id
        Get-ContainerField $server '{{.State.Running}}' | Should -Be 'true'
        $log = Join-Path $state 'logs/arkmanager.jsonl'
        Test-Path -LiteralPath $log | Should -BeTrue
        Get-Content -LiteralPath $log -Raw | Should -Match 'UpdateAllImages'
    }

    It 'exits non-zero when a server rolled back, and the server still runs' {
        $before = Get-ContainerField $server '{{.Id}}'
        $v2Id = Get-ImageId $sb.ImageV2
        $null = Publish-RemoteOnly -From $sb.ImageBroken -Tag $tag -RestoreLocalTagTo $v2Id
        $failed = Invoke-ScheduledScript $recipe $config
        $failed.ExitCode | Should -Not -Be 0 -Because $failed.Output
        ($failed.Output -replace '[\s|]+', ' ') | Should -Match 'UpdateRolledBack|rolled back'
        Get-ContainerField $server '{{.Id}}' | Should -Be $before
        Get-ContainerField $server '{{.Image}}' | Should -Be $v2Id
        Get-ContainerField $server '{{.State.Running}}' | Should -Be 'true'
    }

    It 'a failed batch is a terminating error whose TargetObject is the BatchUpdateResult, written first' {
        $written = $null
        $caught = $null
        try {
            Update-ArkImage -All -Force -ConfigPath $config -Confirm:$false -HealthTimeout 60 -OutVariable written | Out-Null
        }
        catch {
            $caught = $_
        }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'Update*,*'
        $caught.TargetObject | Should -BeOfType ([ArkManager.Images.BatchUpdateResult])
        $caught.TargetObject.Succeeded | Should -BeFalse
        @($written).Count | Should -Be 1
        ($written[0] | Format-Table | Out-String -Width 250) | Should -Match ([regex]::Escape($server))
        Get-ContainerField $server '{{.State.Running}}' | Should -Be 'true'
    }
}

Describe 'RCON: Send-ArkRconCommand, Get-ArkPlayer and the safe stop' -Skip:$skipIntegration {
    BeforeAll {
        $script:rconServer = "pester-rcon-$run"
        $script:rconConfig = New-TestConfig -Path (Join-Path $TestDrive 'rcon-config.json') -DockerHost $sb.DockerHost
        $script:saves = Join-Path $TestDrive 'saves'
        $null = New-Item -ItemType Directory -Path $saves
        if (-not $IsWindows) { & chmod 777 $saves }
        $script:port = Get-FreePort
        $environment = $serverEnvironment.Clone()
        $environment.ARK_RCON_PORT = "$port"
        $environment.ARK_RCON_PASSWORD = 'pw'
        $environment.ARK_PLAYERS = 'Alice:7656119'
        $null = Invoke-SandboxDocker $sb pull -q $sb.ImageV1
        $script:created = New-ArkServer -Name $rconServer -Image $sb.ImageV1 -Network host -RconPort $port -Environment $environment `
            -Volume "${saves}:/ark/ShooterGame/Saved/SavedArks" -StopTimeout 30 -RestartPolicy no -Cluster "c-$run" `
            -ConfigPath $rconConfig -Confirm:$false -ErrorAction Stop
        $null = Start-ArkServer -Name $rconServer -ConfigPath $rconConfig -Confirm:$false -ErrorAction Stop
    }

    AfterAll {
        if ($sb) { Invoke-SandboxDockerQuietly $sb rm -f $rconServer }
    }

    It 'New-ArkServer -RconPort and -Cluster label the server' {
        $created.Labels['io.arkmanager.rcon.port'] | Should -Be "$port"
        $created.Labels['io.arkmanager.cluster'] | Should -Be "c-$run"
    }

    It 'Get-ArkPlayer returns the players online, with the server' {
        $players = @(Get-ArkPlayer -Name $rconServer -ConfigPath $rconConfig -ErrorAction Stop)
        $players.Count | Should -Be 1
        $players[0] | Should -BeOfType ([ArkManager.Images.ArkPlayer])
        $players[0].Name | Should -Be 'Alice'
        $players[0].SteamId | Should -Be '7656119'
        $players[0].Server | Should -Be $rconServer
        ($players | Format-Table | Out-String -Width 200) | Should -Match 'Alice\s+7656119'
        # By property name, from Get-ArkServer.
        @(Get-ArkServer -Name $rconServer -ConfigPath $rconConfig | Get-ArkPlayer -ConfigPath $rconConfig).Name | Should -Be @('Alice')
    }

    It 'Send-ArkRconCommand outputs the reply; -WhatIf sends nothing' {
        Send-ArkRconCommand -Name $rconServer -Command 'ListPlayers' -ConfigPath $rconConfig -Confirm:$false -ErrorAction Stop | Should -Match 'Alice'
        Send-ArkRconCommand -Name $rconServer -Command 'DoExit' -ConfigPath $rconConfig -WhatIf | Should -BeNullOrEmpty
        Get-ContainerField $rconServer '{{.State.Running}}' | Should -Be 'true'
    }

    It 'Stop-ArkServer -NoWarning saves and exits over RCON' {
        $stopped = Stop-ArkServer -Name $rconServer -NoWarning -ConfigPath $rconConfig -Confirm:$false -ErrorAction Stop -Verbose 4>&1
        $server = @($stopped | Where-Object { $_ -is [ArkManager.Images.ServerInfo] })
        $server.Count | Should -Be 1
        $server[0].State | Should -Not -Be 'running'
        ($stopped | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) -join "`n" | Should -Match 'UsedRcon=True'
        Get-ContainerField $rconServer '{{.State.Running}}' | Should -Be 'false'
        $content = (Get-ChildItem -LiteralPath $saves -File | ForEach-Object { Get-Content -LiteralPath $_.FullName -Raw }) -join "`n"
        $content | Should -Match 'exit=doexit'
    }

    It '-NoWarning and -WarningMinutes together are refused' {
        { Stop-ArkServer -Name $rconServer -NoWarning -WarningMinutes 1 -ConfigPath $rconConfig -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ConflictingParameters*'
    }
}
