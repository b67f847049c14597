# The module's surface: exports, parameters, pipeline binding, -WhatIf, and the errors that need no Docker daemon.
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../artifacts/module/ArkManager.Images')
)

BeforeDiscovery {
    $script:cmdletNames = @(
        'Get-ArkImageStatus', 'Get-ArkImage', 'Test-ArkRequiredImage', 'Install-ArkImage', 'Test-ArkImageUpdate',
        'Get-ArkServer', 'New-ArkServer', 'Start-ArkServer', 'Stop-ArkServer')
    $script:changing = @('Install-ArkImage', 'New-ArkServer', 'Start-ArkServer', 'Stop-ArkServer')
    $script:reading = @('Get-ArkImageStatus', 'Get-ArkImage', 'Test-ArkRequiredImage', 'Test-ArkImageUpdate', 'Get-ArkServer')
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
        'Get-ArkServer', 'New-ArkServer', 'Start-ArkServer', 'Stop-ArkServer')
}

AfterAll {
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'The assembled module' {
    It 'is imported from the assembled folder, not from the sources' {
        $module.ModuleBase | Should -Be $ModulePath
        $framework = if ($PSVersionTable.PSEdition -eq 'Core') { 'net8.0' } else { 'netstandard2.0' }
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
        Join-Path $ModulePath 'net8.0/ArkManager.Images.dll' | Should -Exist
        Join-Path $ModulePath 'netstandard2.0/ArkManager.Images.dll' | Should -Exist
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

    It 'exports exactly the nine cmdlets and nothing else' {
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

    It 'loads the table views of <_>' -ForEach @('ArkManager.Images.ImageStatus', 'ArkManager.Images.ImageInfo', 'ArkManager.Images.ImageUpdateCheck', 'ArkManager.Images.ServerInfo') {
        $format = Get-FormatData -TypeName $_
        $format | Should -Not -BeNullOrEmpty
        $format.FormatViewDefinition[0].Control | Should -BeOfType ([System.Management.Automation.TableControl])
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
        $serverText | Should -Match 'abcdef012345\b'
        $serverText | Should -Not -Match 'abcdef0123456'
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

    It 'has help with a synopsis and an example' {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\S+-Ark\S+\s*\[' # not the generated syntax line
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        $help.Parameters.Parameter | Where-Object Name -eq 'DockerHost' | ForEach-Object { $_.Description | Out-String } | Should -Not -BeNullOrEmpty
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

    It 'Start-ArkServer and Stop-ArkServer -WhatIf reach no daemon' {
        { 'island', 'center' | Start-ArkServer -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
        { 'island' | Stop-ArkServer -Timeout 600 -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
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
        { $servers | Stop-ArkServer -DockerHost $noDaemon -WhatIf -ErrorAction Stop } | Should -Not -Throw
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
