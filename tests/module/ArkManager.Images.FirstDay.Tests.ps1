# An admin's first day (issue 13): the output, the prompts and the completion say exactly what is true.
# The first block needs no daemon; the second runs against the sandbox engine (tests/sandbox/sandbox.sh) and is skipped
# without one unless ARKMANAGER_REQUIRE_SANDBOX=1 (then it fails).
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../artifacts/module/ArkManager.Images')
)

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:skipIntegration = (-not (Get-TestSandbox)) -and -not (Test-SandboxRequired)
    $script:changing = @(
        @{ Command = 'Start-ArkServer'; Script = { param($n, $d) Start-ArkServer -Name $n -DockerHost $d -Confirm:$false } }
        @{ Command = 'Stop-ArkServer'; Script = { param($n, $d) Stop-ArkServer -Name $n -DockerHost $d -Confirm:$false } }
        @{ Command = 'Update-ArkServer'; Script = { param($n, $d) Update-ArkServer -Name $n -DockerHost $d -Confirm:$false } }
        @{ Command = 'Undo-ArkImageUpdate'; Script = { param($n, $d) Undo-ArkImageUpdate -Name $n -DockerHost $d -Confirm:$false } }
        @{ Command = 'Backup-ArkServer'; Script = { param($n, $d) Backup-ArkServer -Name $n -Destination ([System.IO.Path]::GetTempPath()) -DockerHost $d -Confirm:$false } }
        @{ Command = 'Send-ArkRconCommand'; Script = { param($n, $d) Send-ArkRconCommand -Name $n -Command 'SaveWorld' -DockerHost $d -Confirm:$false } }
        @{ Command = 'New-ArkServer'; Script = { param($n, $d) New-ArkServer -Name $n -Image 'tbro98/ase-server:latest' -DockerHost $d -Confirm:$false } }
    )
    $script:reading = @('Get-ArkServer', 'Get-ArkUpdateHistory', 'Get-ArkPlayer')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
    Import-Module (Join-Path $script:ModulePath 'ArkManager.Images.psd1') -Force -ErrorAction Stop
    $script:noDaemon = 'unix:///tmp/arkmgr-nonexistent-{0}.sock' -f ([guid]::NewGuid().ToString('N').Substring(0, 8))
    $script:errorRecords = [ArkManager.Images.PowerShell.ArkCmdlet].Assembly.GetType('ArkManager.Images.PowerShell.Infrastructure.ErrorRecords', $true)

    # The host output of a command (the "What if:" lines of -WhatIf go to the host, not to a stream): a fresh pwsh
    # with the module, whose host writes to its stdout.
    function script:Get-HostText([string] $Command) {
        $r = Invoke-FreshPwsh -Script ("Import-Module '{0}' -ErrorAction Stop`n{1}" -f (Join-Path $ModulePath 'ArkManager.Images.psd1'), $Command)
        $r.Output -join "`n"
    }

    # The text a table view gives at 80 columns, and its header line.
    function script:Get-Table80($InputObject) {
        $text = ($InputObject | Format-Table | Out-String -Width 80)
        $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
        [pscustomobject]@{ Text = $text; Header = $lines[0]; Lines = $lines }
    }

    function script:Get-ContainerFieldFd([string] $Name, [string] $Format) {
        Invoke-SandboxDocker $sb container inspect --format $Format $Name
    }

    function script:Get-TableLabels([string] $TypeName) {
        $view = (Get-FormatData -TypeName $TypeName -PowerShellVersion $PSVersionTable.PSVersion).FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] } | Select-Object -First 1
        @($view.Control.Headers | ForEach-Object Label)
    }
}

AfterAll {
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'First day, without a daemon' {
    Context 'Wildcards: literal names where a cmdlet changes something' {
        It '<Command> -Name with a wildcard is WildcardNotSupported before anything is contacted; a literal name goes on' -ForEach $changing {
            $r = Invoke-InRunspace -ModulePath $ModulePath -Script $Script -ArgumentList 'island*', $noDaemon
            $ids = @($r.Errors | ForEach-Object FullyQualifiedErrorId)
            if ($r.Terminating) { $ids += $r.Terminating.ErrorRecord.FullyQualifiedErrorId }
            $ids.Count | Should -Be 1
            $ids[0] | Should -BeLike 'WildcardNotSupported,*'
            $r.Errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $r.Errors[0].TargetObject | Should -Be 'island*'
            $r.Errors[0].Exception.Message | Should -Match ([regex]::Escape("Get-ArkServer -Name 'island*' | $Command"))

            # Positive control: the same command with a literal name passes the check and reaches for the (missing) daemon.
            $literal = Invoke-InRunspace -ModulePath $ModulePath -Script $Script -ArgumentList 'island', $noDaemon
            $literalIds = @($literal.Errors | ForEach-Object FullyQualifiedErrorId)
            if ($literal.Terminating) { $literalIds += $literal.Terminating.ErrorRecord.FullyQualifiedErrorId }
            $literalIds | Should -Not -BeLike 'WildcardNotSupported*'
            ($literalIds -like 'DockerUnavailable*').Count | Should -BeGreaterThan 0
        }

        It 'Restore-ArkServer -Name with a wildcard is WildcardNotSupported' {
            $archive = Join-Path $TestDrive 'island.tar.gz'
            Set-Content -LiteralPath $archive -Value 'x'
            $errors = $null
            Restore-ArkServer -Name 'isl?nd' -Path $archive -DockerHost $noDaemon -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'WildcardNotSupported,*'
        }

        It 'the help of <Command> -Name says literal, and the parameter accepts no wildcards' -ForEach ($changing + @{ Command = 'Restore-ArkServer' }) {
            $help = Get-Help $Command -Parameter Name
            ($help.description | Out-String) | Should -Match 'Literal'
            [string]$help.globbing | Should -Be 'false'
        }

        It 'the help of <_> -Name says wildcards are allowed, and the parameter supports them' -ForEach $reading {
            $help = Get-Help $_ -Parameter Name
            ($help.description | Out-String) | Should -Match 'wildcards are allowed'
            [string]$help.globbing | Should -Be 'true'
        }
    }

    Context 'Errors: every ErrorId has a category' {
        It 'maps every ErrorId of every library exception to a category other than NotSpecified' {
            $library = [ArkManager.Images.ArkManagerException].Assembly
            $made = @(
                [ArkManager.Images.ArkManagerException]::new('x')
                [ArkManager.Images.InvalidImageReferenceException]::new('a b', 'bad')
                [ArkManager.Images.DockerUnavailableException]::new('unix:///x', 'down', $null)
                [ArkManager.Images.ServerNotFoundException]::new('island')
                [ArkManager.Images.ServerAlreadyExistsException]::new('island')
                [ArkManager.Images.ContainerNotFoundException]::new('c')
                [ArkManager.Images.ServerLockedException]::new('island', 'pid 1')
                [ArkManager.Images.NoRollbackTargetException]::new('island', 'none')
                [ArkManager.Images.ServerNotStoppedException]::new('island', 'Restoring', 'running')
                [ArkManager.Images.BackupArchiveException]::new('a.tar', $null, 'bad')
                [ArkManager.Images.BackupMismatchException]::new('a.tar', 'island', 'bad')
                [ArkManager.Images.ImageUpdateException]::new('a:b', 'ImageUpdateFailed', 'x')
                [ArkManager.Images.RegistryRateLimitedException]::new('docker.io', 'a:b', $null, 'x', $null)
                [ArkManager.Images.InvalidServerNameException]::new('../escape')
                [ArkManager.Images.BackupWriteException]::new('island', 'a.tar', 'disk full', $null)
                [ArkManager.Images.ServerAlreadyRegisteredException]::new('c1', 'island', 'carol', $false)
                [ArkManager.Images.AmbiguousServerNameException]::new('island', [string[]]@('eu1', 'eu2'))
                [ArkManager.Images.UnknownHostException]::new('eu9', 'No host named eu9')
                [ArkManager.Images.SwarmServiceException]::new('island', 'not a Swarm manager')
                [ArkManager.Images.ServerUpdateException]::new('x', [ArkManager.Images.ServerUpdateResult]@{ Server = 'island'; Outcome = 'RolledBack' })
                [ArkManager.Images.ServerUpdateException]::new('x', [ArkManager.Images.ServerUpdateResult]@{ Server = 'island'; Outcome = 'Failed' })
            )
            $made += [enum]::GetValues([ArkManager.Images.RconErrorKind]) | ForEach-Object { [ArkManager.Images.RconException]::new($_, '127.0.0.1:27020', 'x', $null, $null) }
            $ids = @{}
            foreach ($exception in $made) {
                $record = $errorRecords.GetMethod('From').Invoke($null, @($exception, $null))
                $record.FullyQualifiedErrorId | Should -Be $exception.ErrorId
                $record.CategoryInfo.Category | Should -Not -Be 'NotSpecified' -Because "$($exception.ErrorId) needs a category"
                $ids[$exception.ErrorId] = [string]$record.CategoryInfo.Category
            }
            $ids['RconUnavailable'] | Should -Be 'ConnectionError'
            $ids['RconTimeout'] | Should -Be 'OperationTimeout'
            $ids['RconAuthenticationFailed'] | Should -Be 'AuthenticationError'
            $ids['RegistryRateLimited'] | Should -Be 'LimitsExceeded'
            $ids['InvalidServerName'] | Should -Be 'InvalidArgument'
            $ids['BackupWriteFailed'] | Should -Be 'WriteError'
            $ids['ServerAlreadyRegistered'] | Should -Be 'ResourceExists'
            $ids['AmbiguousServerName'] | Should -Be 'InvalidArgument'
            $ids['UnknownHost'] | Should -Be 'ObjectNotFound'
            $ids['SwarmServiceRefused'] | Should -Be 'InvalidOperation'

            # Every public exception type of the library is in the list above (a new one must get a category too).
            $types = $library.GetExportedTypes() | Where-Object { [ArkManager.Images.ArkManagerException].IsAssignableFrom($_) } | ForEach-Object Name
            $covered = $made | ForEach-Object { $_.GetType().Name } | Sort-Object -Unique
            $missing = @($types | Where-Object { $covered -notcontains $_ -and $_ -notin 'RegistryException', 'RegistryAuthenticationException', 'RegistryUnreachableException', 'DockerOperationException', 'ArkConfigurationException', 'ImagePullException', 'MissingImagesException', 'UpdateHistoryException' })
            $missing | Should -BeNullOrEmpty
            # The module's table names every one of those ErrorIds (the registry, Docker and configuration ones are
            # mapped by type and tested in Surface.Tests).
            $table = $errorRecords.GetField('Categories', [System.Reflection.BindingFlags]'NonPublic, Static').GetValue($null)
            foreach ($id in 'RegistryError', 'RegistryAuthenticationFailed', 'RegistryUnreachable', 'DockerOperationFailed', 'InvalidConfiguration', 'ImagePullFailed', 'ImageMissing', 'UpdateHistoryUnavailable') {
                $table.ContainsKey($id) | Should -BeTrue -Because $id
            }
        }

        It 'a restore error ends its problem with one period, not two' {
            $withPeriod = [ArkManager.Images.BackupArchiveException]::new('/b/a.tar.gz', $null, 'the header at byte 0 has a wrong checksum: the archive is corrupt or not a tar file.')
            $withPeriod.Message | Should -Match 'not a tar file\. Nothing was written'
            $withPeriod.Message | Should -Not -Match '\.\.'
            $without = [ArkManager.Images.BackupArchiveException]::new('/b/a.tar.gz', 'x/y', 'it is a symbolic link')
            $without.Message | Should -Match 'symbolic link\. Nothing was written'
            [ArkManager.Images.BackupMismatchException]::new('/b/a.tar.gz', 'island', 'volume v is not mounted.').Message | Should -Not -Match '\.\.'
        }
    }

    Context 'Prompts that need the daemon ask it' {
        It 'Stop-ArkServer -WhatIf and Remove-ArkImage -WhatIf ask the daemon (what happens depends on the server and the images)' {
            { Stop-ArkServer -Name island -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'DockerUnavailable*'
            { Remove-ArkImage -Image 'tbro98/ase-server:latest' -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'DockerUnavailable*'
        }
    }

    Context 'Views at 80 columns' {
        It 'every table view fits 80 columns: its fixed widths leave room for its free columns' {
            $formats = [xml](Get-Content -LiteralPath (Join-Path $ModulePath 'ArkManager.Images.Format.ps1xml') -Raw)
            $tables = @($formats.SelectNodes('/Configuration/ViewDefinitions/View[TableControl]'))
            $tables.Count | Should -BeGreaterThan 10
            foreach ($view in $tables) {
                $headers = @($view.SelectNodes('TableControl/TableHeaders/TableColumnHeader'))
                $fixed = ($headers | ForEach-Object { $w = $_.SelectSingleNode('Width'); if ($w) { [int]$w.InnerText } else { 0 } } | Measure-Object -Sum).Sum
                $free = @($headers | Where-Object { -not $_.SelectSingleNode('Width') }).Count
                # One space between columns, and at least 12 characters for each column without a width.
                ($fixed + $headers.Count - 1 + 12 * $free) | Should -BeLessOrEqual 80 -Because "the view $($view.SelectSingleNode('Name').InnerText) must fit 80 columns"
            }
        }

        It 'an image status with -CheckForUpdates shows every column, the Update state and SizeMB in full' {
            $status = [ArkManager.Images.ImageStatus]@{
                Image   = 'tbro98/ase-server:latest'
                Present = $true
                Info    = [ArkManager.Images.ImageInfo]@{ Reference = 'tbro98/ase-server:latest'; Id = 'sha256:' + ('ab' * 32); Size = [long](12345.6 * 1MB); Created = [DateTimeOffset]::Now }
                Update  = [ArkManager.Images.ImageUpdateCheck]@{ Image = 'tbro98/ase-server:latest'; State = 'AuthenticationFailed' }
            }
            $t = Get-Table80 $status
            foreach ($label in Get-TableLabels 'ArkManager.Images.ImageStatus') { $t.Header | Should -Match "\b$label\b" }
            $t.Text | Should -Match 'AuthenticationFailed'
            $t.Text | Should -Match ([regex]::Escape(('{0:N1}' -f 12345.6)))
            $t.Text | Should -Match 'tbro98/ase-server:latest'
        }

        It 'a server shows Name, State, Status, Image and Owner at 80 columns; an unfinished transaction wins the Status column' {
            $server = [ArkManager.Images.ServerInfo]@{
                Name = 'center-pve'; State = 'exited'; Status = 'Exited (137) 2 minutes ago'; Image = 'tbro98/ase-server:latest'; Owner = 'alice'
                ContainerId = 'f' * 64; PendingTransaction = 'Update interrupted at Stop: the next call will undo it'
            }
            $t = Get-Table80 $server
            foreach ($label in Get-TableLabels 'ArkManager.Images.ServerInfo') { $t.Header | Should -Match "\b$label\b" }
            $t.Text | Should -Match 'Pending: undo Update at Stop'
            $t.Text | Should -Match 'tbro98/ase-server:latest'
            $t.Text | Should -Match 'alice'
            # Positive control: without a pending transaction the column is Docker's status text.
            $plain = Get-Table80 ($server | Select-Object -Property * -ExcludeProperty PendingTransaction | ForEach-Object { [ArkManager.Images.ServerInfo]@{ Name = $_.Name; State = $_.State; Status = $_.Status; Image = $_.Image; Owner = $_.Owner } })
            $plain.Text | Should -Match 'Exited \(137\) 2 minutes ago'
            $plain.Text | Should -Not -Match 'Pending'
        }

        It 'a rollback result and its history row say Reverted at 80 columns, with every column' {
            $result = [ArkManager.Images.ServerUpdateResult]@{ Server = 'center-pve'; Image = 'tbro98/ase-server:latest'; Outcome = 'Reverted'; OldImageId = 'sha256:' + ('1' * 64); NewImageId = 'sha256:' + ('2' * 64); ContainerId = '3' * 64 }
            $t = Get-Table80 $result
            foreach ($label in Get-TableLabels 'ArkManager.Images.ServerUpdateResult') { $t.Header | Should -Match "\b$label\b" }
            $t.Text | Should -Match 'Reverted'
            $record = [ArkManager.Images.UpdateHistoryRecord]@{ Kind = 'Rollback'; Server = 'center-pve'; Outcome = 'Reverted'; OldImageId = 'sha256:' + ('1' * 64); NewImageId = 'sha256:' + ('2' * 64); StartedAt = [DateTimeOffset]::Now; FinishedAt = [DateTimeOffset]::Now.AddSeconds(42) }
            $h = Get-Table80 $record
            foreach ($label in Get-TableLabels 'ArkManager.Images.UpdateHistoryRecord') { $h.Header | Should -Match "\b$label\b" }
            $h.Text | Should -Match 'Rollback\s+center-pve\s+Reverted'
        }

        It 'the other table views show every column at 80 columns (<_>)' -ForEach @(
            'ArkManager.Images.ImageInfo', 'ArkManager.Images.ImageUpdateCheck', 'ArkManager.Images.AffectedServer', 'ArkManager.Images.ImageUpdateResult',
            'ArkManager.Images.UpdatePlanItem', 'ArkManager.Images.StepRecord', 'ArkManager.Images.ImageCleanupEntry', 'ArkManager.Images.BackupInfo', 'ArkManager.Images.ArkPlayer') {
            $type = [type]$_
            $sample = $type::new()
            $t = Get-Table80 $sample
            foreach ($label in Get-TableLabels $_) { $t.Header | Should -Match "\b$label\b" -Because "$_ at 80 columns" }
        }

        It 'Format-List * of an image status shows list properties as their values' {
            $status = [ArkManager.Images.ImageStatus]@{
                Image = 'tbro98/ase-server:latest'; Present = $true
                Info  = [ArkManager.Images.ImageInfo]@{ Reference = 'tbro98/ase-server:latest'; RepoTags = [string[]]@('tbro98/ase-server:latest', 'tbro98/ase-server:v2'); RepoDigests = [string[]]@('tbro98/ase-server@sha256:' + ('c' * 64)) }
            }
            $text = $status | Format-List * | Out-String -Width 400
            $text | Should -Match ([regex]::Escape('RepoTags = [tbro98/ase-server:latest, tbro98/ase-server:v2]'))
            $text | Should -Not -Match 'System\.Collections\.Generic'
            # The same for a result holding its steps.
            $result = [ArkManager.Images.ImageUpdateResult]@{ Image = 'a:b'; Servers = [ArkManager.Images.ServerUpdateResult[]]@([ArkManager.Images.ServerUpdateResult]@{ Server = 'island'; Outcome = 'Reverted' }) }
            ($result | Format-List * | Out-String -Width 400) | Should -Not -Match 'System\.Collections\.Generic'
        }
    }
}

Describe 'First day, on the sandbox engine' -Skip:$skipIntegration {
    BeforeAll {
        $script:sb = Get-TestSandbox
        if (-not $sb) { throw 'The sandbox engine is not running: start it with: bash tests/sandbox/sandbox.sh start' }
        $script:run = ([guid]::NewGuid().ToString('N')).Substring(0, 8)
        $script:dh = $sb.DockerHost
        $script:hadV1 = Test-SandboxImage -Sandbox $sb -Reference $sb.ImageV1
        $script:hadV2 = Test-SandboxImage -Sandbox $sb -Reference $sb.ImageV2
        $null = Invoke-SandboxDocker $sb pull -q $sb.ImageV1
        $null = Invoke-SandboxDocker $sb pull -q $sb.ImageV2
        $script:v1Id = Invoke-SandboxDocker $sb image inspect --format '{{.Id}}' $sb.ImageV1
        $script:v2Id = Invoke-SandboxDocker $sb image inspect --format '{{.Id}}' $sb.ImageV2
        $script:config = New-TestConfig -Path (Join-Path $TestDrive 'config.json') -DockerHost $dh -Images $sb.ImageV1
        $script:state = Join-Path $TestDrive 'state'
        $script:plain = "fd-$run-plain"
        $script:rcon = "fd-$run-rcon"
        $script:adopted = "fd-$run-adopted"
        $script:other = '{0}/tbro98/fd-{1}-other' -f $sb.Registry, $run
        $script:clean = '{0}/tbro98/fd-{1}-clean' -f $sb.Registry, $run
        $serverEnv = @{ ARK_STARTUP_DELAY = '0.5'; ARK_SAVE_INTERVAL = '3600'; ARK_SHUTDOWN_SAVE_SECONDS = '1' }
        $null = New-ArkServer -Name $plain -Image $sb.ImageV1 -Network none -RestartPolicy no -Environment $serverEnv -ConfigPath $config -Confirm:$false -ErrorAction Stop
        $null = New-ArkServer -Name $rcon -Image $sb.ImageV1 -Network none -RestartPolicy no -Environment $serverEnv -RconPort 27020 -ConfigPath $config -Confirm:$false -ErrorAction Stop
        $null = Start-ArkServer -Name $plain, $rcon -ConfigPath $config -ErrorAction Stop
        # create + start: 'docker run -d' through Invoke-SandboxDocker keeps its output open and never returns.
        $null = Invoke-SandboxDocker $sb create --name $adopted --network none $sb.ImageV1
        $null = Invoke-SandboxDocker $sb start $adopted
    }

    AfterAll {
        if ($sb) {
            foreach ($name in $plain, $rcon, $adopted, "$plain-ark-new", "$plain-ark-old") { Invoke-SandboxDockerQuietly $sb rm -f $name }
            foreach ($tag in "${other}:a", "${other}:b", "${clean}:old", "${clean}:new") { Invoke-SandboxDockerQuietly $sb rmi $tag }
            if (-not $hadV2) { Invoke-SandboxDockerQuietly $sb rmi $sb.ImageV2 }
            if (-not $hadV1) { Invoke-SandboxDockerQuietly $sb rmi $sb.ImageV1 }
        }
    }

    It 'ServerInfo.HasRcon follows the RCON labels' {
        (Get-ArkServer -Name $plain -ConfigPath $config).HasRcon | Should -BeFalse
        (Get-ArkServer -Name $rcon -ConfigPath $config).HasRcon | Should -BeTrue
    }

    It 'Stop-ArkServer -WhatIf names a countdown only for the server with RCON, and stops nothing' {
        $text = Get-HostText "Stop-ArkServer -Name '$plain', '$rcon' -ConfigPath '$config' -WhatIf"
        $plainLine = @($text -split "`r?`n" | Where-Object { $_ -match 'What if' -and $_ -match [regex]::Escape("`"$plain`"") })
        $rconLine = @($text -split "`r?`n" | Where-Object { $_ -match 'What if' -and $_ -match [regex]::Escape("`"$rcon`"") })
        $plainLine.Count | Should -Be 1
        $rconLine.Count | Should -Be 1
        $plainLine[0] | Should -Match "Docker's stop \(no RCON settings: no countdown, no save command\)"
        $plainLine[0] | Should -Not -Match 'countdown 15'
        $rconLine[0] | Should -Match 'over RCON \(countdown 15, 10, 5, 1 min \(Broadcast\) when players are online\), then SaveWorld and DoExit'
        Get-ContainerFieldFd $plain '{{.State.Running}}' | Should -Be 'true'
        Get-ContainerFieldFd $rcon '{{.State.Running}}' | Should -Be 'true'
    }

    It 'Stop-ArkServer -Name with a wildcard names no target: WildcardNotSupported, nothing stopped' {
        $text = Get-HostText "Stop-ArkServer -Name 'fd-$run-*' -ConfigPath '$config' -WhatIf -ErrorAction SilentlyContinue -ErrorVariable e; `$e[0].FullyQualifiedErrorId"
        $text | Should -Not -Match 'What if'
        $text | Should -Match 'WildcardNotSupported,'
        # The reading cmdlet takes the same pattern.
        @(Get-ArkServer -Name "fd-$run-*" -ConfigPath $config).Name | Should -Contain $plain
    }

    It 'stopping a server without RCON is Docker''s stop without a warning (said in -Verbose)' {
        $out = Stop-ArkServer -Name $plain -ConfigPath $config -Confirm:$false -Verbose 3>&1 4>&1
        @($out | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }) | Should -BeNullOrEmpty
        $verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) -join "`n"
        $verbose | Should -Match 'RCON is not configured'
        $verbose | Should -Match 'FellBackToDockerStop=True'
        (@($out | Where-Object { $_ -is [ArkManager.Images.ServerInfo] }))[0].State | Should -Be 'exited'
        $null = Start-ArkServer -Name $plain -ConfigPath $config -ErrorAction Stop
    }

    It 'an adopted server has the same status text as a created one' {
        $null = Register-ArkServer -Container $adopted -Name $adopted -ConfigPath $config -Confirm:$false -ErrorAction Stop
        $servers = @(Get-ArkServer -Name "fd-$run-*" -ConfigPath $config)
        ($servers | Where-Object Name -eq $adopted).IsRegistered | Should -BeTrue
        ($servers | Where-Object Name -eq $adopted).Status | Should -Match '^Up '
        ($servers | Where-Object Name -eq $plain).Status | Should -Match '^Up '
        $null = Invoke-SandboxDocker $sb stop -t 1 $adopted
        (Get-ArkServer -Name $adopted -ConfigPath $config).Status | Should -Match '^Exited \(\d+\) '
        (Get-ArkServer -Name $adopted -ConfigPath $config).State | Should -Be 'exited'
    }

    It 'Get-ArkUpdateHistory -Name takes wildcards; a pattern that matches nothing outputs nothing' {
        $null = Update-ArkServer -Name $plain -Force -ConfigPath $config -Confirm:$false -HealthTimeout 60 -ErrorAction Stop
        @(Get-ArkUpdateHistory -Name $plain -ConfigPath $config).Count | Should -Be 1
        @(Get-ArkUpdateHistory -Name "fd-$run-pl*" -ConfigPath $config).Server | Should -Be @($plain)
        @(Get-ArkUpdateHistory -Name "FD-$run-PLAIN" -ConfigPath $config -ErrorAction SilentlyContinue).Count | Should -Be 0
        @(Get-ArkUpdateHistory -Name "fd-$run-*" -Last 1 -ConfigPath $config).Count | Should -Be 1
        @(Get-ArkUpdateHistory -Name "no-such-$run*" -ConfigPath $config -ErrorVariable none).Count | Should -Be 0
        $none | Should -BeNullOrEmpty
    }

    It '-Image completes the local tags of the required repositories and of the repositories servers run' {
        $null = Invoke-SandboxDocker $sb tag $sb.ImageV1 "${other}:a"
        $null = Invoke-SandboxDocker $sb tag $sb.ImageV2 "${other}:b"
        $sideTag = ($sb.ImageV1 -replace ':[^:/]+$', '') + ":fd-$run-side"
        $null = Invoke-SandboxDocker $sb tag $sb.ImageV2 $sideTag
        $null = New-ArkServer -Name "fd-$run-other" -Image "${other}:a" -Network none -RestartPolicy no -ConfigPath $config -Confirm:$false -ErrorAction Stop
        try {
            $line = "Update-ArkImage -ConfigPath '$config' -Image "
            $texts = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText)
            $texts | Should -Contain $sb.ImageV1 -Because 'the required image (positive control)'
            $texts | Should -Contain $sideTag -Because 'a local tag of the required repository on another image'
            $texts | Should -Contain "${other}:a" -Because 'the image a server runs'
            $texts | Should -Contain "${other}:b" -Because 'a local tag of the repository a server runs'
            @($texts | Where-Object { $_ -like '*:ark-rollback-*' }) | Should -BeNullOrEmpty
        }
        finally {
            Invoke-SandboxDockerQuietly $sb rm -f "fd-$run-other"
            Invoke-SandboxDockerQuietly $sb rmi $sideTag
        }
    }

    It 'Get-ArkImageStatus -CheckForUpdates at 80 columns shows the Update state and SizeMB in full' {
        $status = @(Get-ArkImageStatus -CheckForUpdates -ConfigPath $config)
        $status.Count | Should -Be 1
        $t = Get-Table80 $status
        $t.Header | Should -Match '\bUpdate\b'
        $t.Text | Should -Match ([regex]::Escape([string]$status[0].Update.State))
        $t.Text | Should -Match ([regex]::Escape(('{0:N1}' -f ($status[0].Info.Size / 1MB))))
    }
}
