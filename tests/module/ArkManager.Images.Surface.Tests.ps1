# The module's surface: exports, parameters, pipeline binding, -WhatIf, and the errors that need no Docker daemon.
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../artifacts/module/ArkManager.Images')
)

BeforeDiscovery {
    $script:cmdletNames = @(
        'Get-ArkImageStatus', 'Get-ArkImage', 'Test-ArkRequiredImage', 'Install-ArkImage', 'Test-ArkImageUpdate',
        'Get-ArkServer', 'New-ArkServer', 'Start-ArkServer', 'Stop-ArkServer',
        'Register-ArkServer', 'Update-ArkServer', 'Update-ArkImage', 'Undo-ArkImageUpdate', 'Get-ArkUpdateHistory',
        'Remove-ArkImage', 'Backup-ArkServer', 'Restore-ArkServer', 'Send-ArkRconCommand', 'Get-ArkPlayer')
    $script:changing = @('Install-ArkImage', 'New-ArkServer', 'Start-ArkServer', 'Stop-ArkServer',
        'Register-ArkServer', 'Update-ArkServer', 'Update-ArkImage', 'Undo-ArkImageUpdate', 'Remove-ArkImage', 'Backup-ArkServer', 'Restore-ArkServer', 'Send-ArkRconCommand')
    $script:reading = @('Get-ArkImageStatus', 'Get-ArkImage', 'Test-ArkRequiredImage', 'Test-ArkImageUpdate', 'Get-ArkServer', 'Get-ArkUpdateHistory', 'Get-ArkPlayer')
    # The impact decides when PowerShell asks without -Confirm ($ConfirmPreference is High by default).
    $script:impacts = @(
        @{ Command = 'Install-ArkImage'; Impact = 'Medium' }
        @{ Command = 'Register-ArkServer'; Impact = 'Medium' }
        @{ Command = 'Update-ArkServer'; Impact = 'Medium' }
        @{ Command = 'Update-ArkImage'; Impact = 'Medium' }
        @{ Command = 'Backup-ArkServer'; Impact = 'Medium' }
        @{ Command = 'Undo-ArkImageUpdate'; Impact = 'High' }
        @{ Command = 'Remove-ArkImage'; Impact = 'High' }
        @{ Command = 'Restore-ArkServer'; Impact = 'High' }
        @{ Command = 'Send-ArkRconCommand'; Impact = 'Medium' }
    )
    $script:views = @(
        'ArkManager.Images.ImageStatus', 'ArkManager.Images.ImageInfo', 'ArkManager.Images.ImageUpdateCheck', 'ArkManager.Images.ServerInfo',
        'ArkManager.Images.AffectedServer', 'ArkManager.Images.ServerUpdateResult', 'ArkManager.Images.ImageUpdateResult',
        'ArkManager.Images.UpdatePlanItem', 'ArkManager.Images.UpdateHistoryRecord', 'ArkManager.Images.BackupInfo',
        'ArkManager.Images.StepRecord', 'ArkManager.Images.ImageCleanupEntry', 'ArkManager.Images.ArkPlayer', 'ArkManager.Images.BatchUpdateResult')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
    Import-Module (Join-Path $script:ModulePath 'ArkManager.Images.psd1') -Force -ErrorAction Stop
    $script:module = Get-Module ArkManager.Images
    # A daemon that cannot exist: anything that reaches Docker fails with DockerUnavailable.
    $script:noDaemon = 'unix:///tmp/arkmgr-nonexistent-{0}.sock' -f ([guid]::NewGuid().ToString('N').Substring(0, 8))
    $script:expected = @(
        'Get-ArkImageStatus', 'Get-ArkImage', 'Test-ArkRequiredImage', 'Install-ArkImage', 'Test-ArkImageUpdate',
        'Get-ArkServer', 'New-ArkServer', 'Start-ArkServer', 'Stop-ArkServer',
        'Register-ArkServer', 'Update-ArkServer', 'Update-ArkImage', 'Undo-ArkImageUpdate', 'Get-ArkUpdateHistory',
        'Remove-ArkImage', 'Backup-ArkServer', 'Restore-ArkServer', 'Send-ArkRconCommand', 'Get-ArkPlayer')
    # The module's internal error mapping, called through reflection (no daemon needed).
    $script:errorRecords = [ArkManager.Images.PowerShell.ArkCmdlet].Assembly.GetType('ArkManager.Images.PowerShell.Infrastructure.ErrorRecords', $true)
    function script:ConvertTo-ArkErrorRecord([Exception] $Exception) {
        $errorRecords.GetMethod('From').Invoke($null, @($Exception, $null))
    }
}

AfterAll {
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'The assembled module' {
    It 'is imported from the assembled folder, not from the sources' {
        $module.ModuleBase | Should -Be $ModulePath
        $framework = Get-TestEdition
        $assembly = [ArkManager.Images.PowerShell.ArkCmdlet].Assembly.Location
        $assembly | Should -Be (Join-Path (Join-Path $ModulePath $framework) 'ArkManager.Images.PowerShell.dll')
    }

    It 'has a valid manifest: version 0.1.0, Desktop and Core, PowerShell 5.1' {
        $manifest = Test-ModuleManifest -Path (Join-Path $ModulePath 'ArkManager.Images.psd1') -ErrorAction Stop
        $manifest.Version | Should -Be ([version]'0.1.0')
        $manifest.CompatiblePSEditions | Sort-Object | Should -Be @('Core', 'Desktop')
        $manifest.PowerShellVersion | Should -Be ([version]'5.1')
        $manifest.RootModule | Should -Be 'ArkManager.Images.psm1'
        $data = Import-PowerShellDataFile -Path (Join-Path $ModulePath 'ArkManager.Images.psd1')
        @($data.CmdletsToExport | Sort-Object) | Should -Be @($expected | Sort-Object)
        @($data.FunctionsToExport).Count | Should -Be 0
        @($data.AliasesToExport).Count | Should -Be 0
        @($data.VariablesToExport).Count | Should -Be 0
        $data.FormatsToProcess | Should -Be 'ArkManager.Images.Format.ps1xml'
        $data.PrivateData.PSData.Tags | Should -Contain 'Docker'
    }

    It 'holds both builds and never System.Management.Automation.dll' {
        Join-Path $ModulePath 'net8.0/ArkManager.Images.PowerShell.dll' | Should -Exist
        Join-Path $ModulePath 'netstandard2.0/ArkManager.Images.PowerShell.dll' | Should -Exist
        # The library, the engine and every dependency below each build, in dependencies/ (see ModuleInitializer.cs).
        Join-Path $ModulePath 'net8.0/dependencies/ArkManager.Images.dll' | Should -Exist
        Join-Path $ModulePath 'netstandard2.0/dependencies/ArkManager.Images.dll' | Should -Exist
        Join-Path $ModulePath 'net8.0/dependencies/ArkManager.Images.PowerShell.Engine.dll' | Should -Exist
        Join-Path $ModulePath 'netstandard2.0/dependencies/ArkManager.Images.PowerShell.Engine.dll' | Should -Exist
        @(Get-ChildItem -LiteralPath $ModulePath -Recurse -Filter 'System.Management.Automation.dll').Count | Should -Be 0
    }

    It 'the netstandard2.0 build (for Windows PowerShell) also loads and runs, in a fresh process' {
        $self = Get-Process -Id $PID
        $exe, $prefix = if ($self.ProcessName -eq 'dotnet') { $self.Path, @((Join-Path $PSHOME 'pwsh.dll')) } else { $self.Path, @() }
        $dll = Join-Path $ModulePath 'netstandard2.0/ArkManager.Images.PowerShell.dll'
        $script = @"
Import-Module '$dll' -ErrorAction Stop
`$e = `$null
Get-ArkImage -Image 'tbro98/UPPER' -DockerHost '$noDaemon' -ErrorVariable e -ErrorAction SilentlyContinue
`$ids = @(`$e[0].FullyQualifiedErrorId)
try { Get-ArkImageStatus -DockerHost '$noDaemon' } catch { `$ids += `$_.FullyQualifiedErrorId }
`$ids += [ArkManager.Images.PowerShell.ArkCmdlet].Assembly.Location
`$ids -join '|'
"@
        $output = & $exe @prefix -NoProfile -NonInteractive -Command $script 2>&1
        $LASTEXITCODE | Should -Be 0
        $parts = ("$output".Trim()) -split '\|'
        $parts[0] | Should -BeLike 'InvalidImageReference,*'
        $parts[1] | Should -BeLike 'DockerUnavailable,*'
        $parts[2] | Should -Be $dll
    }

    It 'exports exactly the seventeen cmdlets and nothing else' {
        @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($expected | Sort-Object)
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
        $module.ExportedVariables.Count | Should -Be 0
        @(Get-Command -Module ArkManager.Images | Where-Object CommandType -ne 'Cmdlet').Count | Should -Be 0
    }

    It 'uses approved verbs only' {
        $approved = (Get-Verb).Verb
        foreach ($name in $expected) { $approved | Should -Contain ($name -split '-')[0] }
    }

    It 'loads the table views of <_>' -ForEach $views {
        $format = Get-FormatData -TypeName $_
        $format | Should -Not -BeNullOrEmpty
        $format.FormatViewDefinition[0].Control | Should -BeOfType ([System.Management.Automation.TableControl])
    }

    It 'loads the list view of ArkManager.Images.ImageCleanupResult' {
        $format = Get-FormatData -TypeName 'ArkManager.Images.ImageCleanupResult'
        $format.FormatViewDefinition[0].Control | Should -BeOfType ([System.Management.Automation.ListControl])
    }

    It 'has a view for every type a cmdlet declares as output' {
        $declared = Get-Command -Module ArkManager.Images | ForEach-Object { $_.OutputType.Type } | Where-Object { $_ -and $_.Namespace -eq 'ArkManager.Images' } | Sort-Object FullName -Unique
        $declared.Count | Should -BeGreaterThan 8
        foreach ($type in $declared) { Get-FormatData -TypeName $type.FullName | Should -Not -BeNullOrEmpty -Because "$($type.FullName) is output by a cmdlet" }
    }

    It 'formats update, plan, history, backup and cleanup objects with short ids' {
        $steps = [ArkManager.Images.StepRecord[]]@(
            [ArkManager.Images.StepRecord]@{ Step = 'Create'; Status = 'Undone'; Duration = [TimeSpan]::FromSeconds(1.5) }
            [ArkManager.Images.StepRecord]@{ Step = 'HealthGate'; Status = 'Failed'; Duration = [TimeSpan]::FromSeconds(2); Detail = 'exit code 1' })
        $server = [ArkManager.Images.ServerUpdateResult]@{
            Server = 'island'; Image = 'tbro98/ase-server:latest'; Outcome = 'RolledBack'; OldImageId = 'sha256:0123456789abcdef0123'
            NewImageId = 'sha256:fedcba9876543210fedc'; ContainerId = 'abcdef0123456789abcdef'; Error = 'health gate failed'; Steps = $steps }
        $text = $server | Format-Table | Out-String -Width 250
        $text | Should -Match 'RolledBack'
        # The table fits 80 columns: the new image id (short); the old image and the container are in Format-List.
        $text | Should -Match 'fedcba987654\b'
        $text | Should -Not -Match 'fedcba9876543'
        $text | Should -Match '3\.5'
        $text | Should -Match 'health gate failed'

        $image = [ArkManager.Images.ImageUpdateResult]@{ Image = 'tbro98/ase-server:latest'; Succeeded = $false; Pulled = $true
            Servers = [ArkManager.Images.ServerUpdateResult[]]@($server); Summary = '1 server rolled back' }
        $image | Format-Table | Out-String -Width 250 | Should -Match 'island: RolledBack'

        $plan = [ArkManager.Images.UpdatePlanItem]@{ Server = 'island'; Image = 'tbro98/ase-server:latest'; CurrentDigest = 'sha256:0123456789abcdef0123'
            TargetDigest = 'sha256:fedcba9876543210fedc'; Steps = [ArkManager.Images.UpdateStep[]]@('Snapshot', 'Create', 'Stop'); Reason = 'newer image' }
        $planText = $plan | Format-Table | Out-String -Width 250
        $planText | Should -Match 'Snapshot > Create > Stop'
        # CurrentDigest is in Format-List (the table fits 80 columns); TargetDigest is in the table.

        $now = [DateTimeOffset]::Now
        $history = [ArkManager.Images.UpdateHistoryRecord]@{ Server = 'island'; Kind = 'Update'; Outcome = 'Updated'; StartedAt = $now.AddSeconds(-4); FinishedAt = $now
            OldImageId = 'sha256:0123456789abcdef0123'; NewImageId = 'sha256:fedcba9876543210fedc' }
        $historyText = $history | Format-Table | Out-String -Width 250
        $historyText | Should -Match '4\.0'
        $historyText | Should -Match ([regex]::Escape($now.AddSeconds(-4).LocalDateTime.ToString('yyyy-MM-dd HH:mm')))

        $backup = [ArkManager.Images.BackupInfo]@{ Server = 'island'; Path = '/backups/island.tar.gz'; Size = 3MB; Compressed = $true; CreatedAt = $now
            Volumes = [ArkManager.Images.BackupVolume[]]@([ArkManager.Images.BackupVolume]@{ Destination = '/ark/ShooterGame/Saved' }) }
        $backup | Format-Table | Out-String -Width 250 | Should -Match '3\.0\s+True\s+1'

        $cleanup = [ArkManager.Images.ImageCleanupResult]@{ Repository = 'tbro98/ase-server'
            Removed = [ArkManager.Images.ImageCleanupEntry[]]@([ArkManager.Images.ImageCleanupEntry]@{ Id = 'sha256:0123456789abcdef0123'; Tags = [string[]]@('tbro98/ase-server:old') })
            Kept = [ArkManager.Images.ImageCleanupEntry[]]@([ArkManager.Images.ImageCleanupEntry]@{ Id = 'sha256:fedcba9876543210fedc'; Reason = 'rollback target' }) }
        $cleanupText = $cleanup | Format-List | Out-String -Width 250
        $cleanupText | Should -Match '0123456789ab tbro98/ase-server:old'
        $cleanupText | Should -Match 'fedcba987654: rollback target'

        $affected = [ArkManager.Images.AffectedServer]@{ Name = 'island'; State = 'running'; Image = 'tbro98/ase-server:latest'; ImageId = 'sha256:0123456789abcdef0123'; OnNewestImage = $false; Owner = 'alice' }
        $affectedText = $affected | Format-Table | Out-String -Width 250
        $affectedText | Should -Match '0123456789ab\s+False\s+alice'
    }

    It 'formats objects with short ids and sizes in MB' {
        $info = [ArkManager.Images.ImageInfo]@{
            Reference = 'tbro98/ase-server:latest'; Id = 'sha256:0123456789abcdef0123'; Digest = 'sha256:fedcba9876543210fedc'
            Size = 5MB; Os = 'linux'; Architecture = 'amd64'; Created = [DateTimeOffset]::new(2024, 1, 2, 3, 4, 5, [TimeSpan]::Zero)
        }
        $text = $info | Format-Table | Out-String -Width 200
        $text | Should -Match '0123456789ab\b'
        $text | Should -Not -Match '0123456789abc'
        $text | Should -Match 'fedcba987654\b'
        $text | Should -Match '5\.0'
        $text | Should -Match 'linux/amd64'

        $status = [ArkManager.Images.ImageStatus]@{ Image = 'tbro98/ase-server:latest'; Present = $true; Info = $info
            Update = [ArkManager.Images.ImageUpdateCheck]@{ Image = 'tbro98/ase-server:latest'; State = 'UpdateAvailable'; UpdateAvailable = $true } }
        $status | Format-Table | Out-String -Width 200 | Should -Match 'UpdateAvailable'

        $server = [ArkManager.Images.ServerInfo]@{ Name = 'island'; ContainerId = 'abcdef0123456789abcdef'; State = 'running'; Status = 'Up 5 minutes'; Image = 'tbro98/ase-server:latest' }
        $serverText = $server | Format-Table | Out-String -Width 200
        # The table fits 80 columns: the container id is in Format-List, not in the table.
        $serverText | Should -Match 'Up 5 minutes'
        $serverText | Should -Match 'tbro98/ase-server:latest'
    }
}

Describe '<_> parameters' -ForEach $cmdletNames {
    BeforeAll { $command = Get-Command $_ -Module ArkManager.Images }

    It 'has -DockerHost and -ConfigPath' {
        $command.Parameters.Keys | Should -Contain 'DockerHost'
        $command.Parameters.Keys | Should -Contain 'ConfigPath'
        $command.Parameters['DockerHost'].ParameterType | Should -Be ([string])
        $command.Parameters['ConfigPath'].ParameterType | Should -Be ([string])
    }

    It 'declares its output type' {
        $command.OutputType.Count | Should -BeGreaterThan 0
    }

    It 'has help with a synopsis, a description and an example' {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\S+-Ark\S+\s*\[' # not the generated syntax line
        ($help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "$_ needs a description"
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        @($help.relatedLinks.navigationLink.linkText) | Should -Contain 'about_ArkManager.Images'
        $help.Parameters.Parameter | Where-Object Name -eq 'DockerHost' | ForEach-Object { $_.Description | Out-String } | Should -Not -BeNullOrEmpty
    }

    It 'has help for every parameter, and none for a parameter it does not have' {
        $help = Get-Help $_ -Full
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
        $actual = @($command.Parameters.Keys | Where-Object { $common -notcontains $_ } | Sort-Object)
        $documented = @($help.Parameters.Parameter | ForEach-Object Name | Sort-Object)
        $documented | Should -Be $actual
        foreach ($parameter in $help.Parameters.Parameter) {
            ($parameter.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) of $_ needs a description"
            $metadata = $command.Parameters[$parameter.Name]
            $isMandatory = @($metadata.ParameterSets.Values | Where-Object IsMandatory).Count -eq $metadata.ParameterSets.Count
            [bool]::Parse($parameter.Required) | Should -Be $isMandatory -Because "-$($parameter.Name) of $_"
            $byName = @($metadata.ParameterSets.Values | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
            ($parameter.PipelineInput -match 'ByPropertyName') | Should -Be $byName -Because "-$($parameter.Name) of $_"
        }
    }

    It 'has one syntax per parameter set, and examples with code and remarks' {
        $help = Get-Help $_ -Full
        @($help.Syntax.SyntaxItem).Count | Should -Be $command.ParameterSets.Count
        foreach ($example in $help.Examples.Example) {
            $example.Code | Should -Not -BeNullOrEmpty
            ($example.Remarks | Out-String).Trim() | Should -Not -BeNullOrEmpty
            $example.Code | Should -Match ([regex]::Escape($_)) -Because 'an example shows the command it documents'
        }
    }
}

Describe 'ShouldProcess' {
    It '<_> supports -WhatIf and -Confirm' -ForEach $changing {
        $command = Get-Command $_ -Module ArkManager.Images
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
    }

    It '<_> changes nothing and has no -WhatIf' -ForEach $reading {
        (Get-Command $_ -Module ArkManager.Images).Parameters.Keys | Should -Not -Contain 'WhatIf'
    }

    It 'Install-ArkImage -WhatIf reaches no daemon' {
        { Install-ArkImage -Image 'tbro98/ase-server:latest' -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
    }

    It 'New-ArkServer -WhatIf reaches no daemon' {
        { New-ArkServer -Name 'island' -Image 'tbro98/ase-server:latest' -Port '7777:7777/udp' -Volume 'ark-data:/ark/Saved' -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
    }

    It 'Start-ArkServer -WhatIf reaches no daemon; Stop-ArkServer -WhatIf asks it whether the server has RCON' {
        { 'island', 'center' | Start-ArkServer -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
        { 'island' | Stop-ArkServer -Timeout 600 -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'DockerUnavailable*'
    }

    It '<Command> has ConfirmImpact <Impact>' -ForEach $impacts {
        $type = (Get-Command $Command -Module ArkManager.Images).ImplementingType
        $attribute = $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.SupportsShouldProcess | Should -BeTrue
        [string]$attribute.ConfirmImpact | Should -Be $Impact
    }

    It 'Update-ArkServer, Undo-ArkImageUpdate, Backup-ArkServer and Register-ArkServer -WhatIf reach no daemon (Remove-ArkImage -WhatIf asks it for the images)' {
        { 'island', 'center' | Update-ArkServer -Image 'tbro98/ase-server:v2' -BackupVolumes -HealthTimeout 120 -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
        { 'island' | Undo-ArkImageUpdate -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
        { 'island' | Backup-ArkServer -Destination $TestDrive -Keep 3 -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
        { Register-ArkServer -Container 'ark_island_1' -Name 'island' -Owner 'alice' -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
        { Remove-ArkImage -Image 'tbro98/ase-server:latest' -KeepLatest 2 -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'DockerUnavailable*'
    }

    It 'Restore-ArkServer -WhatIf reaches no daemon; a missing archive is PathNotFound / ObjectNotFound' {
        $archive = Join-Path $TestDrive 'island.tar.gz'
        Set-Content -LiteralPath $archive -Value 'not really an archive'
        { Restore-ArkServer -Name 'island' -Path $archive -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw

        $errors = $null
        Restore-ArkServer -Name 'island' -Path (Join-Path $TestDrive 'missing.tar.gz') -DockerHost $noDaemon -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'Update-ArkImage -WhatIf asks the daemon for the plan (and outputs it) instead of updating' {
        # The plan needs the daemon: with none, the command ends with DockerUnavailable rather than pretending.
        { Update-ArkImage -Image 'tbro98/ase-server:latest' -DockerHost $noDaemon -WhatIf } | Should -Throw -ErrorId 'DockerUnavailable*'
    }

    It '<Name> -Confirm:$false does not prompt, even with $ConfirmPreference Low' -ForEach @(
        @{ Name = 'Update-ArkImage'; Script = { param($d) $ConfirmPreference = 'Low'; Update-ArkImage -Image 'tbro98/ase-server:latest' -DockerHost $d -Confirm:$false } }
        @{ Name = 'Undo-ArkImageUpdate'; Script = { param($d) $ConfirmPreference = 'Low'; Undo-ArkImageUpdate -Name 'island' -DockerHost $d -Confirm:$false } }
        @{ Name = 'Remove-ArkImage'; Script = { param($d) $ConfirmPreference = 'Low'; Remove-ArkImage -Image 'tbro98/ase-server:latest' -DockerHost $d -Confirm:$false } }
        @{ Name = 'Update-ArkServer'; Script = { param($d) $ConfirmPreference = 'Low'; Update-ArkServer -Name 'island' -DockerHost $d -Confirm:$false } }
    ) {
        $r = Invoke-InRunspace -ModulePath $ModulePath -Script $Script -ArgumentList $noDaemon
        # It went past ShouldProcess: it reached the (missing) daemon instead of failing on a prompt
        # (a terminating error of a statement ends in the error stream of the runspace, too).
        $ids = @($r.Errors | ForEach-Object FullyQualifiedErrorId)
        if ($r.Terminating) { $ids += $r.Terminating.ErrorRecord.FullyQualifiedErrorId }
        $ids.Count | Should -Be 1
        $ids[0] | Should -BeLike 'DockerUnavailable,*'
    }

    It 'Install-ArkImage -Confirm:$false does not prompt (no host to prompt in a runspace)' {
        # In a PowerShell instance without a host a prompt would fail; -Confirm:$false must not ask anything.
        $r = Invoke-InRunspace -ModulePath $ModulePath -Script {
            param($daemon)
            $ConfirmPreference = 'Low'
            Install-ArkImage -Image 'tbro98/ase-server:latest' -DockerHost $daemon -Confirm:$false
        } -ArgumentList $noDaemon
        # It went past ShouldProcess: it reached the (missing) daemon instead of failing on a prompt.
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'DockerUnavailable,*'
    }
}

Describe 'Pipeline binding' {
    It '<Command> -<Parameter> binds from the pipeline by value=<ByValue> and by property name' -ForEach @(
        @{ Command = 'Get-ArkImage'; Parameter = 'Image'; ByValue = $true; Alias = 'Reference' }
        @{ Command = 'Install-ArkImage'; Parameter = 'Image'; ByValue = $true; Alias = 'Reference' }
        @{ Command = 'Test-ArkImageUpdate'; Parameter = 'Image'; ByValue = $false; Alias = 'Reference' }
        @{ Command = 'Get-ArkImageStatus'; Parameter = 'Image'; ByValue = $false; Alias = 'Reference' }
        @{ Command = 'Get-ArkServer'; Parameter = 'Name'; ByValue = $true; Alias = $null }
        @{ Command = 'Start-ArkServer'; Parameter = 'Name'; ByValue = $true; Alias = $null }
        @{ Command = 'Stop-ArkServer'; Parameter = 'Name'; ByValue = $true; Alias = $null }
        @{ Command = 'Update-ArkServer'; Parameter = 'Name'; ByValue = $true; Alias = 'Server' }
        @{ Command = 'Update-ArkImage'; Parameter = 'Image'; ByValue = $false; Alias = 'Reference' }
        @{ Command = 'Undo-ArkImageUpdate'; Parameter = 'Name'; ByValue = $true; Alias = 'Server' }
        @{ Command = 'Get-ArkUpdateHistory'; Parameter = 'Name'; ByValue = $false; Alias = 'Server' }
        @{ Command = 'Remove-ArkImage'; Parameter = 'Image'; ByValue = $true; Alias = 'Reference' }
        @{ Command = 'Backup-ArkServer'; Parameter = 'Name'; ByValue = $true; Alias = 'Server' }
        @{ Command = 'Restore-ArkServer'; Parameter = 'Name'; ByValue = $false; Alias = 'Server' }
        @{ Command = 'Restore-ArkServer'; Parameter = 'Path'; ByValue = $false; Alias = 'FullName' }
        @{ Command = 'New-ArkServer'; Parameter = 'Owner'; ByValue = $false; Alias = $null }
    ) {
        $parameter = (Get-Command $Command -Module ArkManager.Images).Parameters[$Parameter]
        $attribute = $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } | Select-Object -First 1
        $attribute.ValueFromPipelineByPropertyName | Should -BeTrue
        $attribute.ValueFromPipeline | Should -Be $ByValue
        if ($Alias) { $parameter.Aliases | Should -Contain $Alias }
    }

    It 'a string binds by value: ''<bad>'' | Get-ArkImage names the input in the error' -ForEach @(@{ bad = 'Not A Reference!' }) {
        $errors = $null
        $bad | Get-ArkImage -DockerHost $noDaemon -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].TargetObject | Should -Be $bad
    }

    It 'an object binds by property name Image: [pscustomobject]@{Image=...} | Install-ArkImage' {
        $errors = $null
        [pscustomobject]@{ Image = 'BAD/Image:Ref' } | Install-ArkImage -DockerHost $noDaemon -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].TargetObject | Should -Be 'BAD/Image:Ref'
    }

    It 'an object binds by property name Reference (an ImageInfo)' {
        $errors = $null
        [ArkManager.Images.ImageInfo]@{ Reference = 'Bad Reference' } | Get-ArkImage -DockerHost $noDaemon -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].TargetObject | Should -Be 'Bad Reference'
    }

    It 'a ServerInfo binds by property name Name: Start-ArkServer -WhatIf' {
        $servers = [ArkManager.Images.ServerInfo]@{ Name = 'island' }, [ArkManager.Images.ServerInfo]@{ Name = 'center' }
        { $servers | Start-ArkServer -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
        # Stop-ArkServer binds the same way; its -WhatIf then asks the daemon about the server.
        { $servers | Stop-ArkServer -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'DockerUnavailable*'
    }

    It 'Test-ArkImageUpdate | Where-Object UpdateAvailable | Update-ArkImage binds each check by property name Image' {
        $checks = @(
            [ArkManager.Images.ImageUpdateCheck]@{ Image = 'Bad Image One'; UpdateAvailable = $true }
            [ArkManager.Images.ImageUpdateCheck]@{ Image = 'tbro98/ase-server:latest'; UpdateAvailable = $false }
            [ArkManager.Images.ImageUpdateCheck]@{ Image = 'Bad Image Two'; UpdateAvailable = $true })
        $errors = $null
        $checks | Where-Object UpdateAvailable | Update-ArkImage -DockerHost $noDaemon -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        # Only the two with an update reached the command (and were refused before any I/O).
        $errors.Count | Should -Be 2
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'InvalidImageReference,*'
        $errors[0].TargetObject | Should -Be 'Bad Image One'
        $errors[1].TargetObject | Should -Be 'Bad Image Two'
    }

    It 'results bind to the next command: ServerUpdateResult | Undo-ArkImageUpdate, BackupInfo | Restore-ArkServer, AffectedServer | Update-ArkServer' {
        $archive = Join-Path $TestDrive 'center.tar'
        Set-Content -LiteralPath $archive -Value 'x'
        { [ArkManager.Images.ServerUpdateResult]@{ Server = 'island' } | Undo-ArkImageUpdate -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
        { [ArkManager.Images.BackupInfo]@{ Server = 'center'; Path = $archive } | Restore-ArkServer -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
        { Get-Item -LiteralPath $archive | Restore-ArkServer -Name 'center' -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
        { [ArkManager.Images.AffectedServer]@{ Name = 'island' } | Update-ArkServer -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
        { [ArkManager.Images.ServerInfo]@{ Name = 'island' } | Backup-ArkServer -Destination $TestDrive -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
        { [ArkManager.Images.ImageUpdateResult]@{ Image = 'tbro98/ase-server:latest' } | Remove-ArkImage -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'DockerUnavailable*'
    }

    It 'Get-ArkServer has a Name set (ServerInfo) and an Image set (AffectedServer); -Owner is in both' {
        $command = Get-Command Get-ArkServer -Module ArkManager.Images
        @($command.ParameterSets.Name | Sort-Object) | Should -Be @('Image', 'Name')
        $command.DefaultParameterSet | Should -Be 'Name'
        ($command.ParameterSets | Where-Object Name -eq 'Image').Parameters.Where({ $_.Name -eq 'Image' }).IsMandatory | Should -BeTrue
        foreach ($set in $command.ParameterSets) { $set.Parameters.Name | Should -Contain 'Owner' }
        ($command.OutputType | Where-Object { $_.Type -eq [ArkManager.Images.AffectedServer] }) | Should -Not -BeNullOrEmpty
        { Get-ArkServer -Name island -Image 'tbro98/ase-server:latest' -DockerHost $noDaemon } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
        $errors = $null
        Get-ArkServer -Image 'NOT VALID' -DockerHost $noDaemon -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'InvalidImageReference,*'
    }

    It 'per-item errors do not stop the pipeline' {
        $errors = $null
        'bad one!', 'tbro98/ase-server:latest', 'bad two!' | Install-ArkImage -DockerHost $noDaemon -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 2
        $errors[0].TargetObject | Should -Be 'bad one!'
        $errors[1].TargetObject | Should -Be 'bad two!'
    }
}

Describe 'Errors' {
    It 'an invalid image reference is InvalidImageReference / InvalidArgument for <_>' -ForEach @('Get-ArkImage', 'Install-ArkImage', 'Test-ArkImageUpdate', 'Get-ArkImageStatus') {
        $errors = $null
        & $_ -Image 'tbro98/UPPER:tag' -DockerHost $noDaemon -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'InvalidImageReference,*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].TargetObject | Should -Be 'tbro98/UPPER:tag'
        $errors[0].Exception | Should -BeOfType ([ArkManager.Images.InvalidImageReferenceException])
    }

    It 'New-ArkServer refuses an invalid image reference, port or volume before -WhatIf' {
        $errors = $null
        New-ArkServer -Name 'island' -Image 'NOT VALID' -DockerHost $noDaemon -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'InvalidImageReference,*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'

        $errors = $null
        New-ArkServer -Name 'island' -Image 'tbro98/ase-server' -Port '70000:7777' -DockerHost $noDaemon -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'InvalidPortMapping,*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].TargetObject | Should -Be '70000:7777'

        $errors = $null
        New-ArkServer -Name 'island' -Image 'tbro98/ase-server' -Volume 'no-target' -DockerHost $noDaemon -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'InvalidVolumeMapping,*'
        $errors[0].TargetObject | Should -Be 'no-target'
    }

    It '-StopTimeout and -Timeout take seconds or a TimeSpan and refuse negative values' {
        { New-ArkServer -Name a -Image 'tbro98/ase-server' -StopTimeout 300 -DockerHost $noDaemon -WhatIf } | Should -Not -Throw
        { New-ArkServer -Name a -Image 'tbro98/ase-server' -StopTimeout (New-TimeSpan -Minutes 5) -DockerHost $noDaemon -WhatIf } | Should -Not -Throw
        { New-ArkServer -Name a -Image 'tbro98/ase-server' -StopTimeout '00:05:00' -DockerHost $noDaemon -WhatIf } | Should -Not -Throw
        { New-ArkServer -Name a -Image 'tbro98/ase-server' -StopTimeout -1 -DockerHost $noDaemon -WhatIf } | Should -Throw -ErrorId 'ParameterArgumentTransformationError*'
        { Stop-ArkServer -Name a -Timeout 'soon' -DockerHost $noDaemon -WhatIf } | Should -Throw -ErrorId 'ParameterArgumentTransformationError*'
        { New-ArkServer -Name a -Image 'tbro98/ase-server' -RestartPolicy 'sometimes' -DockerHost $noDaemon -WhatIf } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'maps <Exception> to <ErrorId> / <Category>' -ForEach @(
        @{ Exception = 'ServerLockedException'; Make = { [ArkManager.Images.ServerLockedException]::new('island', 'pid 42 on host since 12:00 (Update)') }; ErrorId = 'ServerLocked'; Category = 'ResourceBusy'; Target = 'island' }
        @{ Exception = 'ServerUpdateException (rolled back)'; Make = { [ArkManager.Images.ServerUpdateException]::new('rolled back', [ArkManager.Images.ServerUpdateResult]@{ Server = 'island'; Outcome = 'RolledBack' }) }; ErrorId = 'UpdateRolledBack'; Category = 'InvalidResult'; Target = 'island' }
        @{ Exception = 'ServerUpdateException (failed)'; Make = { [ArkManager.Images.ServerUpdateException]::new('failed', [ArkManager.Images.ServerUpdateResult]@{ Server = 'island'; Outcome = 'Failed' }) }; ErrorId = 'UpdateFailed'; Category = 'InvalidResult'; Target = 'island' }
        @{ Exception = 'NoRollbackTargetException'; Make = { [ArkManager.Images.NoRollbackTargetException]::new('island', 'it was never updated') }; ErrorId = 'NoRollbackTarget'; Category = 'ObjectNotFound'; Target = 'island' }
        @{ Exception = 'ContainerNotFoundException'; Make = { [ArkManager.Images.ContainerNotFoundException]::new('ark_island_1') }; ErrorId = 'ContainerNotFound'; Category = 'ObjectNotFound'; Target = 'ark_island_1' }
        @{ Exception = 'FileNotFoundException'; Make = { [System.IO.FileNotFoundException]::new('no such archive') }; ErrorId = 'PathNotFound'; Category = 'ObjectNotFound'; Target = $null }
    ) {
        $record = ConvertTo-ArkErrorRecord (& $Make)
        $record.FullyQualifiedErrorId | Should -Be $ErrorId
        $record.CategoryInfo.Category | Should -Be $Category
        $record.TargetObject | Should -Be $Target
    }

    It 'a locked server names -LockTimeout as the recommended action' {
        $record = ConvertTo-ArkErrorRecord ([ArkManager.Images.ServerLockedException]::new('island', 'pid 42'))
        $record.ErrorDetails.RecommendedAction | Should -Match 'LockTimeout'
    }

    It '-HealthTimeout and -LockTimeout take seconds or a TimeSpan; -KeepLatest, -Keep and -Last refuse negative values' {
        { Update-ArkImage -Image 'tbro98/ase-server' -HealthTimeout 90 -LockTimeout '00:02:00' -DockerHost $noDaemon -Confirm:$false -WhatIf:$false -ErrorAction Stop } | Should -Throw -ErrorId 'DockerUnavailable*'
        { Update-ArkServer -Name a -HealthTimeout (New-TimeSpan -Minutes 2) -DockerHost $noDaemon -WhatIf } | Should -Not -Throw
        { Update-ArkServer -Name a -HealthTimeout -5 -DockerHost $noDaemon -WhatIf } | Should -Throw -ErrorId 'ParameterArgumentTransformationError*'
        { Undo-ArkImageUpdate -Name a -HealthTimeout 'soon' -DockerHost $noDaemon -WhatIf } | Should -Throw -ErrorId 'ParameterArgumentTransformationError*'
        { Remove-ArkImage -Image 'tbro98/ase-server' -KeepLatest -1 -DockerHost $noDaemon -WhatIf } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { Backup-ArkServer -Name a -Destination $TestDrive -Keep -1 -DockerHost $noDaemon -WhatIf } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { Get-ArkUpdateHistory -Last 0 -DockerHost $noDaemon } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'Update-ArkImage without -Image and without required images is NoImage / InvalidArgument' {
        $empty = Join-Path $TestDrive 'empty.json'
        Set-Content -LiteralPath $empty -Value ('{{ "dockerHost": "{0}", "requiredImages": [] }}' -f $noDaemon) -Encoding utf8
        $errors = $null
        Update-ArkImage -ConfigPath $empty -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'NoImage,*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'an unreachable daemon is a terminating DockerUnavailable / ConnectionError, quickly (<_>)' -ForEach @('Get-ArkImageStatus', 'Test-ArkRequiredImage', 'Get-ArkServer') {
        $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
        $caught = $null
        try { & $_ -DockerHost 'unix:///tmp/nonexistent.sock' -ErrorAction SilentlyContinue } catch { $caught = $_ }
        $stopwatch.Stop()
        $caught | Should -Not -BeNullOrEmpty -Because 'a daemon that is not there fails the whole command, whatever -ErrorAction says'
        $caught.FullyQualifiedErrorId | Should -BeLike 'DockerUnavailable,*'
        $caught.CategoryInfo.Category | Should -Be 'ConnectionError'
        $caught.TargetObject | Should -Match 'nonexistent\.sock'
        $stopwatch.Elapsed.TotalSeconds | Should -BeLessThan 15
    }

    It 'an unreachable daemon ends a pipeline at the first item' {
        $seen = [System.Collections.Generic.List[string]]::new()
        $caught = $null
        try {
            'tbro98/a:1', 'tbro98/b:1', 'tbro98/c:1' | ForEach-Object { $seen.Add($_); $_ } | Get-ArkImage -DockerHost $noDaemon -ErrorAction SilentlyContinue
        }
        catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'DockerUnavailable,*'
        $seen.Count | Should -BeLessThan 3
    }

    Context 'a broken configuration file' {
        BeforeAll {
            $script:broken = Join-Path $TestDrive 'broken.json'
            # Line 3 holds the mistake (a missing comma between two values).
            Set-Content -LiteralPath $broken -Value @('{', '  "requiredImages": ["tbro98/ase-server:latest"]', '  "dockerHost": "unix:///tmp/x.sock"', '}') -Encoding utf8
        }

        It 'is a terminating InvalidConfiguration / InvalidData error naming the file and the line (<_>)' -ForEach @('Get-ArkImageStatus', 'Test-ArkRequiredImage', 'Get-ArkServer', 'Test-ArkImageUpdate') {
            $caught = $null
            try { & $_ -ConfigPath $broken -ErrorAction SilentlyContinue } catch { $caught = $_ }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -BeLike 'InvalidConfiguration,*'
            $caught.CategoryInfo.Category | Should -Be 'InvalidData'
            $caught.Exception.Message | Should -Match 'line 3'
            $caught.Exception.Message | Should -Match ([regex]::Escape($broken))
            $caught.TargetObject | Should -Be $broken
        }

        It 'stops even a -WhatIf run' {
            { Install-ArkImage -Image 'tbro98/ase-server' -ConfigPath $broken -WhatIf } | Should -Throw -ErrorId 'InvalidConfiguration*'
        }

        It 'is found relative to the current PowerShell location' {
            Push-Location $TestDrive
            try {
                $caught = $null
                try { Get-ArkImageStatus -ConfigPath './broken.json' } catch { $caught = $_ }
                $caught.FullyQualifiedErrorId | Should -BeLike 'InvalidConfiguration,*'
                $caught.Exception.Message | Should -Match ([regex]::Escape($broken))
            }
            finally { Pop-Location }
        }

        It 'a missing file given with -ConfigPath is InvalidConfiguration' {
            { Get-ArkImageStatus -ConfigPath (Join-Path $TestDrive 'missing.json') } | Should -Throw -ErrorId 'InvalidConfiguration*'
        }
    }
}

Describe 'The cmdlets leave the decisions to the library' {
    It 'no cmdlet constructs a library result or exception (the library judges an update; the cmdlet writes and throws its result)' {
        $cmdlets = Join-Path $PSScriptRoot '../../src/ArkManager.Images.PowerShell/Cmdlets'
        if (-not (Test-Path -LiteralPath $cmdlets)) { Set-ItResult -Skipped -Because 'the sources are not next to the tests'; return }
        $pattern = '\bnew\s+(ServerUpdateException|ServerNotFoundException|ImageUpdateResult|BatchUpdateResult|ServerUpdateResult|ImageStatus|ImageUpdateException|ArkManagerException)\b'
        # Known and accepted until the library offers a status of any image (GetImageStatusAsync covers only the
        # required images): Get-ArkImageStatus -Image describes an arbitrary image itself.
        $allowed = @('GetArkImageStatusCommand.cs: new ImageStatus')
        $found = foreach ($file in Get-ChildItem -LiteralPath $cmdlets -Filter '*.cs' -File) {
            $number = 0
            foreach ($line in [System.IO.File]::ReadAllLines($file.FullName)) {
                $number++
                foreach ($match in [regex]::Matches($line, $pattern)) {
                    $key = '{0}: new {1}' -f $file.Name, $match.Groups[1].Value
                    if ($allowed -notcontains $key) { '{0}:{1}: {2}' -f $file.Name, $number, $line.Trim() }
                }
            }
        }
        @($found) | Should -BeNullOrEmpty -Because ("cmdlets must not build the library's results or exceptions:`n" + ($found -join "`n"))
    }

    It 'a failed update result becomes the terminating record of its own exception: <ErrorId> / <Category>' -ForEach @(
        @{ ErrorId = 'RegistryUnreachable'; Category = 'ConnectionError'; Action = '-Offline'; Make = { [ArkManager.Images.ImageUpdateResult]@{ Image = 'tbro98/ase-server:latest'; Succeeded = $false; Error = 'connection refused'; ErrorId = 'RegistryUnreachable' } } }
        @{ ErrorId = 'ImagePullFailed'; Category = 'InvalidResult'; Action = $null; Make = { [ArkManager.Images.ImageUpdateResult]@{ Image = 'tbro98/ase-server:latest'; Succeeded = $false; Error = 'manifest unknown'; ErrorId = 'ImagePullFailed' } } }
        @{ ErrorId = 'UpdateRolledBack'; Category = 'InvalidResult'; Action = 'Get-ArkUpdateHistory'; Make = { [ArkManager.Images.ImageUpdateResult]@{ Image = 'tbro98/ase-server:latest'; Succeeded = $false; Servers = [ArkManager.Images.ServerUpdateResult[]]@([ArkManager.Images.ServerUpdateResult]@{ Server = 'island'; Outcome = 'RolledBack'; Error = 'exit code 1' }) } } }
        @{ ErrorId = 'UpdateFailed'; Category = 'InvalidResult'; Action = 'Get-ArkServer'; Make = { [ArkManager.Images.BatchUpdateResult]@{ Succeeded = $false; Images = [ArkManager.Images.ImageUpdateResult[]]@([ArkManager.Images.ImageUpdateResult]@{ Image = 'tbro98/ase-server:latest'; Succeeded = $false; Servers = [ArkManager.Images.ServerUpdateResult[]]@([ArkManager.Images.ServerUpdateResult]@{ Server = 'island'; Outcome = 'Failed' }) }) } } }
    ) {
        $result = & $Make
        $records = [ArkManager.Images.PowerShell.ArkCmdlet].Assembly.GetType('ArkManager.Images.PowerShell.Infrastructure.UpdateFailureRecords', $true)
        $exception = $result.ToException()
        $record = $records.GetMethod('Create').Invoke($null, @($result, $exception))
        $record.FullyQualifiedErrorId | Should -Be $ErrorId
        $record.CategoryInfo.Category | Should -Be $Category
        $record.TargetObject | Should -Be $result
        $record.Exception | Should -Be $exception
        if ($Action) { $record.ErrorDetails.RecommendedAction | Should -Match ([regex]::Escape($Action)) }
    }

    It 'ServerNotFound is ObjectNotFound with the name as the target and the library''s wording' {
        $record = $errorRecords.GetMethod('ServerNotFound').Invoke($null, @('island'))
        $record.FullyQualifiedErrorId | Should -Be 'ServerNotFound'
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.TargetObject | Should -Be 'island'
        $record.Exception.Message | Should -Be ([ArkManager.Images.ServerNotFoundException]::new('island').Message)
    }

    It 'Update-ArkImage -Offline is a switch' {
        (Get-Command Update-ArkImage).Parameters['Offline'].ParameterType | Should -Be ([System.Management.Automation.SwitchParameter])
    }
}
