# Image updates, rollbacks, history, backups and restores through the cmdlets, against the sandbox engine
# (tests/sandbox/sandbox.sh): a real dockerd, a real registry on loopback and the stand-in ARK image.
# Skipped when the sandbox is not running, unless ARKMANAGER_REQUIRE_SANDBOX=1 (then they fail).
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

    # Builds an image of our own from a sandbox image (a layer nobody else has) and pushes it as $Tag. Unless
    # -KeepLocal, the local copy is removed so that the next pull really downloads a layer; -RestoreLocalTagTo then
    # points the local tag back at an older image. Returns the image id (a pull gets the same id back).
    function script:Publish-UniqueImage([string] $From, [string] $Tag, [string] $RestoreLocalTagTo, [switch] $KeepLocal) {
        $null = Invoke-SandboxDocker $sb pull -q $From
        $context = Join-Path $TestDrive ('context-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $null = New-Item -ItemType Directory -Path $context
        Set-Content -LiteralPath (Join-Path $context 'marker.txt') -Value ("pester update run $run " + [guid]::NewGuid()) -Encoding ascii
        Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value @("FROM $From", 'COPY marker.txt /marker.txt') -Encoding ascii
        $null = Invoke-SandboxDocker $sb build -q -t $Tag $context
        $id = Get-ImageId $Tag
        $null = Invoke-SandboxDocker $sb push $Tag
        if (-not $KeepLocal) {
            Invoke-SandboxDockerQuietly $sb rmi $Tag
            if ($RestoreLocalTagTo) { $null = Invoke-SandboxDocker $sb tag $RestoreLocalTagTo $Tag }
        }
        $id
    }

    # Pushes a sandbox image (v1, broken) under $Tag without keeping the tag locally on it.
    function script:Publish-SandboxImage([string] $From, [string] $Tag, [string] $RestoreLocalTagTo) {
        $null = Invoke-SandboxDocker $sb pull -q $From
        $null = Invoke-SandboxDocker $sb tag $From $Tag
        $null = Invoke-SandboxDocker $sb push $Tag
        if ($RestoreLocalTagTo) { $null = Invoke-SandboxDocker $sb tag $RestoreLocalTagTo $Tag }
        Get-ImageId $From
    }

    function script:Write-VolumeMarker([string] $Volume, [string] $Text) {
        $null = Invoke-SandboxDocker $sb run --rm --network none --volume "${Volume}:/v" --entrypoint /bin/sh $sb.ImageV1 '-c' "echo '$Text' > /v/marker.txt"
    }

    function script:Read-VolumeMarker([string] $Volume) {
        Invoke-SandboxDocker $sb run --rm --network none --volume "${Volume}:/v" --entrypoint /bin/cat $sb.ImageV1 /v/marker.txt
    }

    # Runs a script file in a new pwsh process, as a scheduled task would; returns its exit code and output.
    function script:Invoke-ScheduledScript([string] $Text) {
        $file = Join-Path $TestDrive ('task-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.ps1')
        Set-Content -LiteralPath $file -Value $Text -Encoding utf8
        $self = Get-Process -Id $PID
        $exe, $prefix = if ($self.ProcessName -eq 'dotnet') { $self.Path, @((Join-Path $PSHOME 'pwsh.dll')) } else { $self.Path, @() }
        $output = & $exe @prefix -NoProfile -NonInteractive -File $file 2>&1
        $text = ($output | ForEach-Object { "$_" }) -join [Environment]::NewLine
        # Plain text (no ANSI colours or other control characters: the output ends up in the XML results).
        $text = $text -replace '\x1b\[[0-9;?]*[A-Za-z]', '' -replace '[\x00-\x08\x0b\x0c\x0e-\x1f]', ''
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $text }
    }
}

AfterAll {
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'Updating a server on the sandbox' -Skip:$skipIntegration {
    BeforeAll {
        $script:repo = '{0}/tbro98/pester-update-{1}' -f $sb.Registry, $run
        $script:tag = "${repo}:latest"
        $script:server = "pester-upd-$run"
        $script:volume = "pester-upd-$run-data"
        $script:owner = "owner-$run"
        $script:plain = "pester-upd-$run-plain"
        $script:adopted = "pester-upd-$run-adopted"
        $script:config = New-TestConfig -Path (Join-Path $TestDrive 'config.json') -DockerHost $sb.DockerHost -Images $tag
        $script:backups = Join-Path $TestDrive 'backups'

        # v1 under our tag, locally and in the registry.
        $script:v1Id = Publish-SandboxImage -From $sb.ImageV1 -Tag $tag
        $script:created = New-ArkServer -Name $server -Image $tag -Network none -Environment $serverEnvironment -Volume "${volume}:/ark/ShooterGame/Saved" `
            -StopTimeout 30 -RestartPolicy no -Owner $owner -ConfigPath $config -Confirm:$false -ErrorAction Stop
        $null = Start-ArkServer -Name $server -ConfigPath $config -Confirm:$false -ErrorAction Stop
        $script:v1Container = Get-ContainerField $server '{{.Id}}'

        # A newer image (v2 plus a layer of our own) pushed under the same tag; not pulled.
        $script:v2Id = Publish-UniqueImage -From $sb.ImageV2 -Tag $tag -RestoreLocalTagTo $v1Id
        $script:v2bId = $null
    }

    AfterAll {
        if ($sb) {
            foreach ($name in $server, "$server-ark-new", "$server-ark-old", $plain, $adopted, "$adopted-ark-new", "$adopted-ark-old") { Invoke-SandboxDockerQuietly $sb rm -f $name }
            Invoke-SandboxDockerQuietly $sb volume rm $volume
            Remove-SandboxRepository -Sandbox $sb -Repository $repo
            foreach ($id in @($v2Id, $v2bId) | Where-Object { $_ }) { Invoke-SandboxDockerQuietly $sb rmi $id }
        }
    }

    It 'New-ArkServer -Owner labels the server; Get-ArkServer -Owner finds it, and only it' {
        $created.Owner | Should -Be $owner
        $created.Labels['io.arkmanager.owner'] | Should -Be $owner
        @(Get-ArkServer -Owner $owner -ConfigPath $config).Name | Should -Be @($server)
        @(Get-ArkServer -Owner "nobody-$run" -ConfigPath $config).Count | Should -Be 0
        $errors = $null
        Get-ArkServer -Name $server -Owner "nobody-$run" -ConfigPath $config -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ServerNotFound,*'
    }

    It 'Update-ArkImage -WhatIf outputs the plan and changes nothing' {
        $plan = @(Update-ArkImage -Image $tag -ConfigPath $config -WhatIf)
        $plan.Count | Should -BeGreaterThan 0
        $plan | ForEach-Object { $_ | Should -BeOfType ([ArkManager.Images.UpdatePlanItem]) }
        $item = $plan | Where-Object Server -eq $server
        $item | Should -Not -BeNullOrEmpty
        $item.Status | Should -Be 'Recreate'
        $item.Steps | Should -Contain ([ArkManager.Images.UpdateStep]::HealthGate)
        $item.Steps | Should -Contain ([ArkManager.Images.UpdateStep]::Stop)
        $item.TargetDigest | Should -Not -Be $item.CurrentDigest

        # Nothing pulled, nothing recreated.
        Get-ImageId $tag | Should -Be $v1Id
        Get-ContainerField $server '{{.Id}}' | Should -Be $v1Container
        Get-ContainerField $server '{{.State.Running}}' | Should -Be 'true'
        @(Get-ArkUpdateHistory -Name $server -ConfigPath $config).Count | Should -Be 0
    }

    It 'Update-ArkImage -Confirm:$false pulls and recreates the server on the new image, with progress per phase, server and layer' {
        $r = Invoke-InRunspace -ModulePath $ModulePath -Script {
            param($tag, $config)
            Update-ArkImage -Image $tag -ConfigPath $config -Confirm:$false -HealthTimeout 00:01:00
        } -ArgumentList $tag, $config

        $r.Terminating | Should -BeNullOrEmpty
        $r.Errors | Should -BeNullOrEmpty
        $r.Output.Count | Should -Be 1
        $result = $r.Output[0]
        $result | Should -BeOfType ([ArkManager.Images.ImageUpdateResult])
        $result.Succeeded | Should -BeTrue
        $result.Pulled | Should -BeTrue
        $result.NewImageId | Should -Be $v2Id
        $mine = $result.Servers | Where-Object Server -eq $server
        $mine.Outcome | Should -Be 'Updated'
        $mine.OldImageId | Should -Be $v1Id
        $mine.NewImageId | Should -Be $v2Id

        # The server runs v2 in a new container.
        Get-ContainerField $server '{{.Image}}' | Should -Be $v2Id
        Get-ContainerField $server '{{.Id}}' | Should -Not -Be $v1Container
        Get-ContainerField $server '{{.State.Running}}' | Should -Be 'true'
        Get-ContainerField $server '{{index .Config.Labels "io.arkmanager.owner"}}' | Should -Be $owner

        # Progress: a top record; a server record under it; layer records under the pull record, which is under the top.
        $top = @($r.Progress | Where-Object { $_.ParentActivityId -lt 0 })
        $top.Count | Should -BeGreaterThan 0
        @($top.ActivityId | Sort-Object -Unique).Count | Should -Be 1
        $topId = $top[0].ActivityId
        $top[0].Activity | Should -Match ([regex]::Escape($tag))
        $serverRecords = @($r.Progress | Where-Object { $_.ParentActivityId -eq $topId -and $_.Activity -match [regex]::Escape($server) })
        $serverRecords.Count | Should -BeGreaterThan 0
        $pullRecords = @($r.Progress | Where-Object { $_.ParentActivityId -eq $topId -and $_.Activity -match '^Pulling' })
        $pullRecords.Count | Should -BeGreaterThan 0
        $pullId = $pullRecords[0].ActivityId
        @($r.Progress | Where-Object { $_.ParentActivityId -eq $pullId -and $_.Activity -like 'Layer *' }).Count | Should -BeGreaterThan 0 -Because 'our v2 has a layer the daemon did not have'
        # More than one step of the server's transaction is shown.
        @($serverRecords | Where-Object RecordType -ne 'Completed' | ForEach-Object { ($_.StatusDescription -split ':')[0] } | Sort-Object -Unique).Count | Should -BeGreaterThan 1
        foreach ($group in ($r.Progress | Group-Object ActivityId)) {
            $group.Group[-1].RecordType | Should -Be 'Completed' -Because "activity $($group.Name) ($($group.Group[0].Activity)) must be completed at the end"
            @($group.Group | Where-Object RecordType -eq 'Completed').Count | Should -Be 1
        }
        $script:v2Container = Get-ContainerField $server '{{.Id}}'
    }

    It 'an image whose registry cannot be reached is a failed update (RegistryUnreachable, the result first); nothing is touched' {
        # Present locally (so that only the registry check is left to fail), under a registry nobody listens on.
        $unreachable = '127.0.0.1:1/tbro98/pester-nowhere-{0}:latest' -f $run
        $null = Invoke-SandboxDocker $sb tag $v2Id $unreachable
        $caught = $null
        $written = $null
        try { Update-ArkImage -Image $unreachable -ConfigPath $config -Confirm:$false -OutVariable written | Out-Null } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty -Because 'a failed registry check is a failed update unless -Offline'
        $caught.FullyQualifiedErrorId | Should -BeLike 'RegistryUnreachable,*'
        $caught.CategoryInfo.Category | Should -Be 'ConnectionError'
        $caught.ErrorDetails.RecommendedAction | Should -Match '-Offline'
        $caught.TargetObject | Should -BeOfType ([ArkManager.Images.ImageUpdateResult])
        $caught.TargetObject.Succeeded | Should -BeFalse
        @($written).Count | Should -Be 1
        Get-ContainerField $server '{{.Id}}' | Should -Be $v2Container
        Invoke-SandboxDockerQuietly $sb rmi $unreachable
    }

    It 'Get-ArkUpdateHistory -Name shows the update' {
        $history = @(Get-ArkUpdateHistory -Name $server -ConfigPath $config)
        $history.Count | Should -Be 1
        $history[0] | Should -BeOfType ([ArkManager.Images.UpdateHistoryRecord])
        $history[0].Server | Should -Be $server
        $history[0].Kind | Should -Be 'Update'
        $history[0].Outcome | Should -Be 'Updated'
        $history[0].OldImageId | Should -Be $v1Id
        $history[0].NewImageId | Should -Be $v2Id
        $history[0].Owner | Should -Be $owner
        $history[0].Steps.Count | Should -BeGreaterThan 0

        # The other filters, and input by property name from Get-ArkServer.
        @(Get-ArkUpdateHistory -Image $tag -ConfigPath $config | Where-Object Server -eq $server).Count | Should -Be 1
        @(Get-ArkUpdateHistory -Owner $owner -ConfigPath $config).Count | Should -Be 1
        @(Get-ArkUpdateHistory -Name $server -Since (Get-Date).AddMinutes(10) -ConfigPath $config).Count | Should -Be 0
        @(Get-ArkServer -Name $server -ConfigPath $config | Get-ArkUpdateHistory -Last 1 -ConfigPath $config).Count | Should -Be 1
    }

    It 'Get-ArkServer -Image lists the server as an AffectedServer on the newest image' {
        $affected = @(Get-ArkServer -Image $tag -ConfigPath $config)
        $mine = $affected | Where-Object Name -eq $server
        $mine | Should -BeOfType ([ArkManager.Images.AffectedServer])
        $mine.ImageId | Should -Be $v2Id
        $mine.OnNewestImage | Should -BeTrue
        $mine.Owner | Should -Be $owner
        @(Get-ArkServer -Image $tag -Owner "nobody-$run" -ConfigPath $config).Count | Should -Be 0
    }

    It 'Undo-ArkImageUpdate -Confirm:$false returns the server to v1' {
        $result = Undo-ArkImageUpdate -Name $server -ConfigPath $config -Confirm:$false -HealthTimeout 60
        $result | Should -BeOfType ([ArkManager.Images.ServerUpdateResult])
        $result.Outcome | Should -Be 'Reverted'
        $result.Succeeded | Should -BeTrue
        $result.NewImageId | Should -Be $v1Id
        Get-ContainerField $server '{{.Image}}' | Should -Be $v1Id
        Get-ContainerField $server '{{.State.Running}}' | Should -Be 'true'
        (Get-ArkServer -Name $server -ConfigPath $config).Image | Should -Be $tag
        $history = @(Get-ArkUpdateHistory -Name $server -ConfigPath $config)
        $history.Kind | Should -Be @('Update', 'Rollback')
        @($history.Outcome | ForEach-Object ToString) | Should -Be @('Updated', 'Reverted')
        # The views: the result and the history row say Reverted, never Updated, for the rollback.
        ($result | Out-String -Width 80) | Should -Match 'Reverted'
        ($history[-1] | Out-String -Width 80) | Should -Match 'Rollback\s+\S*\s*Reverted|Reverted'
        ($history[-1] | Out-String -Width 80) | Should -Not -Match '\bUpdated\b'
    }

    It 'a broken image: Update-ArkImage throws a terminating error a script catches, with the result as TargetObject; the server still runs' {
        $null = Publish-SandboxImage -From $sb.ImageBroken -Tag $tag -RestoreLocalTagTo $v2Id
        $before = Get-ContainerField $server '{{.Id}}'

        $caught = $null
        $assigned = 'untouched'
        $written = $null
        try {
            $assigned = Update-ArkImage -Image $tag -ConfigPath $config -Confirm:$false -HealthTimeout 60 -OutVariable written
        }
        catch {
            $caught = $_
        }

        $caught | Should -Not -BeNullOrEmpty -Because 'a rolled back update is a terminating error'
        $assigned | Should -Be 'untouched'
        $caught.FullyQualifiedErrorId | Should -BeLike 'UpdateRolledBack,*'
        $caught.CategoryInfo.Category | Should -Be 'InvalidResult'
        $caught.Exception | Should -BeOfType ([ArkManager.Images.ServerUpdateException])
        $caught.Exception.Result.Server | Should -Be $server
        $caught.Exception.Message | Should -Match ([regex]::Escape($server))
        $result = $caught.TargetObject
        $result | Should -BeOfType ([ArkManager.Images.ImageUpdateResult])
        $result.Succeeded | Should -BeFalse
        $mine = $result.Servers | Where-Object Server -eq $server
        $mine.Outcome | Should -Be 'RolledBack'
        $mine.Error | Should -Not -BeNullOrEmpty
        # The result was also written to the pipeline before the error.
        @($written).Count | Should -Be 1
        $written[0].Succeeded | Should -BeFalse

        # The old container runs again, on v1.
        Get-ContainerField $server '{{.Id}}' | Should -Be $before
        Get-ContainerField $server '{{.Image}}' | Should -Be $v1Id
        Get-ContainerField $server '{{.State.Running}}' | Should -Be 'true'
        (Get-ArkUpdateHistory -Name $server -Last 1 -ConfigPath $config).Outcome | Should -Be 'RolledBack'
    }

    It 'a scheduled task''s script exits with 1 when the update rolled back, 0 when it succeeded' {
        $scriptText = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$(Join-Path $ModulePath 'ArkManager.Images.psd1')'
`$result = Update-ArkImage -Image '$tag' -ConfigPath '$config' -Confirm:`$false -Force -HealthTimeout 60
'outcome: ' + ((`$result.Servers | ForEach-Object { '{0}={1}' -f `$_.Server, `$_.Outcome }) -join ',')
"@
        # The tag still names the broken image: the forced update rolls back.
        $failed = Invoke-ScheduledScript $scriptText
        $failed.ExitCode | Should -Not -Be 0 -Because $failed.Output
        $failed.Output | Should -Match 'UpdateRolledBack|rolled back'
        Get-ContainerField $server '{{.Image}}' | Should -Be $v1Id
        Get-ContainerField $server '{{.State.Running}}' | Should -Be 'true'

        # A good image under the tag: the same script succeeds.
        $script:v2bId = Publish-UniqueImage -From $sb.ImageV2 -Tag $tag
        $ok = Invoke-ScheduledScript $scriptText
        $ok.ExitCode | Should -Be 0 -Because $ok.Output
        $ok.Output | Should -Match "outcome: .*$([regex]::Escape($server))=Updated"
        Get-ContainerField $server '{{.Image}}' | Should -Be $v2bId
        Get-ContainerField $server '{{.State.Running}}' | Should -Be 'true'
    }

    It 'Update-ArkServer -WhatIf changes nothing; -Force recreates the server on the same image' {
        $before = Get-ContainerField $server '{{.Id}}'
        Get-ArkServer -Name $server -ConfigPath $config | Update-ArkServer -Force -ConfigPath $config -WhatIf | Should -BeNullOrEmpty
        Get-ContainerField $server '{{.Id}}' | Should -Be $before

        $result = Update-ArkServer -Name $server -Force -ConfigPath $config -Confirm:$false -HealthTimeout 60
        $result | Should -BeOfType ([ArkManager.Images.ServerUpdateResult])
        $result.Outcome | Should -Be 'Updated'
        Get-ContainerField $server '{{.Id}}' | Should -Not -Be $before
        Get-ContainerField $server '{{.Image}}' | Should -Be $v2bId
        Get-ContainerField $server '{{.State.Running}}' | Should -Be 'true'
        (Get-ArkUpdateHistory -Name $server -Last 1 -ConfigPath $config).Kind | Should -Be 'Recreate'
    }

    It 'Backup-ArkServer refuses a running server (non-terminating ServerNotStopped)' {
        $errors = $null
        Backup-ArkServer -Name $server -Destination $backups -ConfigPath $config -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ServerNotStopped,*'
        $errors[0].TargetObject | Should -Be $server
        Get-ContainerField $server '{{.State.Running}}' | Should -Be 'true'
    }

    It 'Backup-ArkServer on the stopped server, then Restore-ArkServer, brings the volume''s data back' {
        $null = Stop-ArkServer -Name $server -ConfigPath $config -Confirm:$false
        Write-VolumeMarker -Volume $volume -Text "before-$run"

        $backup = Backup-ArkServer -Name $server -Destination $backups -ConfigPath $config -Confirm:$false
        $backup | Should -BeOfType ([ArkManager.Images.BackupInfo])
        $backup.Server | Should -Be $server
        $backup.Path | Should -Exist
        (Split-Path -Parent $backup.Path) | Should -Be $backups
        $backup.Compressed | Should -BeTrue
        $backup.Volumes.Destination | Should -Contain '/ark/ShooterGame/Saved'

        # Retention: a second, uncompressed backup with -Keep 1 prunes the first.
        Start-Sleep -Seconds 1
        $second = $server | Backup-ArkServer -Destination $backups -NoCompress -Keep 1 -ConfigPath $config -Confirm:$false
        $second.Compressed | Should -BeFalse
        $second.Pruned | Should -Contain $backup.Path
        $backup.Path | Should -Not -Exist

        Write-VolumeMarker -Volume $volume -Text "after-$run"
        $second | Restore-ArkServer -ConfigPath $config -WhatIf | Should -BeNullOrEmpty
        Read-VolumeMarker -Volume $volume | Should -Be "after-$run"

        $restored = $second | Restore-ArkServer -ConfigPath $config -Confirm:$false
        $restored | Should -BeOfType ([ArkManager.Images.BackupInfo])
        $restored.Server | Should -Be $server
        Read-VolumeMarker -Volume $volume | Should -Be "before-$run"
        Get-ContainerField $server '{{.State.Status}}' | Should -Be 'exited'
    }

    It 'Register-ArkServer adopts a container without restarting it' {
        $null = Invoke-SandboxDocker $sb run --detach --name $plain --network none --env ARK_STARTUP_DELAY=0.5 --env ARK_SAVE_INTERVAL=3600 --env ARK_SHUTDOWN_SAVE_SECONDS=1 --stop-timeout 30 $tag
        $startedAt = Get-ContainerField $plain '{{.State.StartedAt}}'
        Register-ArkServer -Container $plain -Name $adopted -ConfigPath $config -WhatIf | Should -BeNullOrEmpty
        @(Get-ArkServer -ConfigPath $config).Name | Should -Not -Contain $adopted

        $registered = Register-ArkServer -Container $plain -Name $adopted -Owner $owner -ConfigPath $config -Confirm:$false
        $registered | Should -BeOfType ([ArkManager.Images.ServerInfo])
        $registered.Name | Should -Be $adopted
        $registered.IsRegistered | Should -BeTrue
        $registered.Owner | Should -Be $owner
        Get-ContainerField $plain '{{.State.StartedAt}}' | Should -Be $startedAt
        @(Get-ArkServer -Owner $owner -ConfigPath $config).Name | Should -Contain $adopted

        $errors = $null
        Register-ArkServer -Container "missing-$run" -Name "missing-$run" -ConfigPath $config -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ContainerNotFound,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Removing old images on the sandbox' -Skip:$skipIntegration {
    BeforeAll {
        # A repository of our own with two unused images, the older one first.
        $script:cleanRepo = '{0}/tbro98/pester-clean-{1}' -f $sb.Registry, $run
        $script:oldId = Publish-UniqueImage -From $sb.ImageV1 -Tag "${cleanRepo}:old" -KeepLocal
        Start-Sleep -Seconds 2
        $script:newId = Publish-UniqueImage -From $sb.ImageV1 -Tag "${cleanRepo}:new" -KeepLocal
        $script:cleanConfig = New-TestConfig -Path (Join-Path $TestDrive 'clean.json') -DockerHost $sb.DockerHost -Images "${cleanRepo}:new"
    }

    AfterAll {
        if ($sb) { Remove-SandboxRepository -Sandbox $sb -Repository $cleanRepo }
    }

    It 'Remove-ArkImage -WhatIf removes nothing' {
        Remove-ArkImage -Image "${cleanRepo}:new" -KeepLatest 1 -ConfigPath $cleanConfig -WhatIf | Should -BeNullOrEmpty
        Test-SandboxImage -Sandbox $sb -Reference "${cleanRepo}:old" | Should -BeTrue
    }

    It 'Remove-ArkImage -KeepLatest 1 removes the older image and keeps the newest' {
        $result = Remove-ArkImage -Image "${cleanRepo}:new" -KeepLatest 1 -ConfigPath $cleanConfig -Confirm:$false
        $result | Should -BeOfType ([ArkManager.Images.ImageCleanupResult])
        $result.Removed.Id | Should -Contain $oldId
        $result.Kept.Id | Should -Contain $newId
        Test-SandboxImage -Sandbox $sb -Reference "${cleanRepo}:old" | Should -BeFalse
        Test-SandboxImage -Sandbox $sb -Reference "${cleanRepo}:new" | Should -BeTrue
    }
}
