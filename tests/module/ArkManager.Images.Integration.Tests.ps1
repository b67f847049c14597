# The cmdlets against the sandbox engine (tests/sandbox/sandbox.sh): a real dockerd and a real registry on loopback.
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
}

AfterAll {
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'Images on the sandbox' -Skip:$skipIntegration {
    BeforeAll {
        # A repository of our own, holding an image with a layer nobody else has: v1 plus a random file.
        $script:repo = '{0}/tbro98/pester-{1}' -f $sb.Registry, $run
        $script:tag = "${repo}:latest"
        $script:config = New-TestConfig -Path (Join-Path $TestDrive 'config.json') -DockerHost $sb.DockerHost -Images $tag

        $script:hadV1 = Test-SandboxImage -Sandbox $sb -Reference $sb.ImageV1
        $script:hadV2 = Test-SandboxImage -Sandbox $sb -Reference $sb.ImageV2
        $null = Invoke-SandboxDocker $sb pull -q $sb.ImageV1
        $context = Join-Path $TestDrive 'context'
        $null = New-Item -ItemType Directory -Path $context
        Set-Content -LiteralPath (Join-Path $context 'marker.txt') -Value ("pester run $run " + [guid]::NewGuid()) -Encoding ascii
        Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value @("FROM $($sb.ImageV1)", 'COPY marker.txt /marker.txt') -Encoding ascii
        $null = Invoke-SandboxDocker $sb build -q -t $tag $context
        $null = Invoke-SandboxDocker $sb push $tag
        $null = Invoke-SandboxDocker $sb rmi $tag
    }

    AfterAll {
        if ($sb) {
            Remove-SandboxRepository -Sandbox $sb -Repository $repo
            if (-not $hadV2) { Invoke-SandboxDockerQuietly $sb rmi $sb.ImageV2 }
            if (-not $hadV1) { Invoke-SandboxDockerQuietly $sb rmi $sb.ImageV1 }
        }
    }

    It 'Get-ArkImageStatus shows the required image missing' {
        $status = @(Get-ArkImageStatus -ConfigPath $config)
        $status.Count | Should -Be 1
        $status[0] | Should -BeOfType ([ArkManager.Images.ImageStatus])
        $status[0].Image | Should -Be $tag
        $status[0].Present | Should -BeFalse
        $status[0].Info | Should -BeNullOrEmpty
    }

    It 'Test-ArkRequiredImage names it; -Quiet says $false' {
        @(Test-ArkRequiredImage -ConfigPath $config) | Should -Be @($tag)
        Test-ArkRequiredImage -ConfigPath $config -Quiet | Should -BeExactly $false
    }

    It 'Get-ArkImage reports it as ImageNotFound / ObjectNotFound, naming the pull command' {
        $errors = $null
        $tag | Get-ArkImage -DockerHost $sb.DockerHost -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errors[0].TargetObject | Should -Be $tag
        $errors[0].ErrorDetails.RecommendedAction | Should -Match 'Install-ArkImage'
    }

    It 'Install-ArkImage -WhatIf pulls nothing' {
        Install-ArkImage -Image $tag -ConfigPath $config -WhatIf | Should -BeNullOrEmpty
        Test-SandboxImage -Sandbox $sb -Reference $tag | Should -BeFalse
    }

    It 'Install-ArkImage pulls it (input by property name), with a progress record per layer, all completed' {
        $r = Invoke-InRunspace -ModulePath $ModulePath -Script {
            param($tag, $config)
            [pscustomobject]@{ Image = $tag } | Install-ArkImage -ConfigPath $config -Confirm:$false -Verbose
        } -ArgumentList $tag, $config

        $r.Errors | Should -BeNullOrEmpty
        $r.Terminating | Should -BeNullOrEmpty
        $r.Output.Count | Should -Be 1
        $info = $r.Output[0]
        $info | Should -BeOfType ([ArkManager.Images.ImageInfo])
        $info.Reference | Should -Be $tag
        $info.Id | Should -Match '^sha256:[0-9a-f]{64}$'
        $info.Digest | Should -Match '^sha256:[0-9a-f]{64}$'
        Test-SandboxImage -Sandbox $sb -Reference $tag | Should -BeTrue
        $script:installed = $info

        # Progress: one parent record for the image, child records per layer pointing at it, and every activity completed.
        $parents = @($r.Progress | Where-Object { $_.ParentActivityId -lt 0 })
        $children = @($r.Progress | Where-Object { $_.ParentActivityId -ge 0 })
        $parents.Count | Should -BeGreaterThan 0
        $parentId = $parents[0].ActivityId
        @($parents.ActivityId | Sort-Object -Unique) | Should -Be @($parentId)
        $parents[0].Activity | Should -Match ([regex]::Escape($tag))
        $children.Count | Should -BeGreaterThan 0 -Because 'the image has at least one layer the daemon did not have'
        $children | ForEach-Object { $_.ParentActivityId | Should -Be $parentId }
        foreach ($group in ($r.Progress | Group-Object ActivityId)) {
            $group.Group[-1].RecordType | Should -Be 'Completed' -Because "activity $($group.Name) ($($group.Group[0].Activity)) must be completed at the end"
        }
        # Throttled: far fewer records than a naive writer would produce, and none after the completion.
        foreach ($group in ($r.Progress | Group-Object ActivityId)) {
            @($group.Group | Where-Object RecordType -eq 'Completed').Count | Should -Be 1
        }

        # -Verbose shows the library's log messages.
        ($r.Verbose | ForEach-Object Message) -join "`n" | Should -Match 'Pulling'
    }

    It 'Get-ArkImage, Get-ArkImageStatus and Test-ArkRequiredImage now see it' {
        $info = $tag | Get-ArkImage -ConfigPath $config
        $info.Id | Should -Be $installed.Id
        $status = Get-ArkImageStatus -ConfigPath $config
        $status.Present | Should -BeTrue
        $status.Info.Id | Should -Be $installed.Id
        Test-ArkRequiredImage -ConfigPath $config | Should -BeNullOrEmpty
        Test-ArkRequiredImage -ConfigPath $config -Quiet | Should -BeExactly $true
        # ImageStatus objects bind by property name.
        ($status | Get-ArkImage -ConfigPath $config).Id | Should -Be $installed.Id
    }

    It 'Test-ArkImageUpdate says UpToDate' {
        $check = Test-ArkImageUpdate -ConfigPath $config
        $check | Should -BeOfType ([ArkManager.Images.ImageUpdateCheck])
        $check.Image | Should -Be $tag
        $check.State | Should -Be 'UpToDate'
        $check.UpdateAvailable | Should -BeFalse
        $check.LocalDigest | Should -Be $installed.Digest
    }

    It 'Test-ArkImageUpdate says UpdateAvailable once the tag is re-pushed (and pulls nothing)' {
        # Push v2 under our tag, then point the local tag back at the installed image.
        $null = Invoke-SandboxDocker $sb pull -q $sb.ImageV2
        $null = Invoke-SandboxDocker $sb tag $sb.ImageV2 $tag
        $null = Invoke-SandboxDocker $sb push $tag
        $null = Invoke-SandboxDocker $sb tag $installed.Id $tag

        $check = Test-ArkImageUpdate -ConfigPath $config
        $check.State | Should -Be 'UpdateAvailable'
        $check.UpdateAvailable | Should -BeTrue
        $check.LocalDigest | Should -Be $installed.Digest
        $check.RemoteDigest | Should -Match '^sha256:[0-9a-f]{64}$'
        $check.RemoteDigest | Should -Not -Be $check.LocalDigest

        # Per image, and by property name from Get-ArkImageStatus.
        (Test-ArkImageUpdate -Image $tag -DockerHost $sb.DockerHost).State | Should -Be 'UpdateAvailable'
        (Get-ArkImageStatus -ConfigPath $config | Test-ArkImageUpdate -ConfigPath $config).UpdateAvailable | Should -BeTrue
        $status = Get-ArkImageStatus -ConfigPath $config -CheckForUpdates
        $status.Update.State | Should -Be 'UpdateAvailable'
        (Get-ArkImageStatus -Image $tag -DockerHost $sb.DockerHost -CheckForUpdates).Update.UpdateAvailable | Should -BeTrue

        # Nothing was pulled: the local tag still names the installed image.
        (Get-ArkImage -Image $tag -DockerHost $sb.DockerHost).Id | Should -Be $installed.Id
    }

    It 'a failed pull is a non-terminating ImagePullFailed error; the pipeline goes on' {
        $errors = $null
        $missing = "${repo}:does-not-exist"
        $out = @($missing, $tag | Install-ArkImage -DockerHost $sb.DockerHost -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue)
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ImagePullFailed,*'
        $errors[0].TargetObject | Should -Be $missing
        $out.Count | Should -Be 1
        $out[0].Reference | Should -Be $tag
    }
}

Describe 'Servers on the sandbox' -Skip:$skipIntegration {
    BeforeAll {
        $script:hadV1 = Test-SandboxImage -Sandbox $sb -Reference $sb.ImageV1
        $null = Invoke-SandboxDocker $sb pull -q $sb.ImageV1
        $script:server = "pester-$run"
        $script:volume = "pester-$run-data"
        $script:slow = "pester-$run-slow"
        $script:gone = "pester-$run-gone"
        $script:goneImage = '{0}/tbro98/pester-{1}-gone:latest' -f $sb.Registry, $run
        $script:dh = $sb.DockerHost
    }

    AfterAll {
        if ($sb) {
            foreach ($name in $server, $slow, $gone) { Invoke-SandboxDockerQuietly $sb rm -f $name }
            Invoke-SandboxDockerQuietly $sb volume rm $volume
            Remove-SandboxRepository -Sandbox $sb -Repository ($goneImage -replace ':latest$', '')
            if (-not $hadV1) { Invoke-SandboxDockerQuietly $sb rmi $sb.ImageV1 }
        }
    }

    It 'New-ArkServer -WhatIf creates no container' {
        New-ArkServer -Name $server -Image $sb.ImageV1 -Network none -DockerHost $dh -WhatIf | Should -BeNullOrEmpty
        Test-SandboxContainer -Sandbox $sb -Name $server | Should -BeFalse
    }

    It 'New-ArkServer creates a server with -Network none, a volume, environment, labels and a stop timeout in seconds' {
        $created = New-ArkServer -Name $server -Image $sb.ImageV1 -Network none -Volume "${volume}:/ark/ShooterGame/Saved" `
            -Environment @{ ARK_SHUTDOWN_SAVE_SECONDS = 1; ARK_STARTUP_DELAY = '0' } -Label @{ 'pester.run' = $run } `
            -StopTimeout 30 -RestartPolicy no -DockerHost $dh -Confirm:$false
        $created | Should -BeOfType ([ArkManager.Images.ServerInfo])
        $created.Name | Should -Be $server
        $created.State | Should -Be 'created'
        $created.StopTimeout | Should -Be ([TimeSpan]::FromSeconds(30))
        $created.Labels['pester.run'] | Should -Be $run

        $inspect = (Invoke-SandboxDocker $sb container inspect $server | ConvertFrom-Json)[0]
        $inspect.HostConfig.NetworkMode | Should -Be 'none'
        $inspect.HostConfig.RestartPolicy.Name | Should -Be 'no'
        $inspect.Config.StopTimeout | Should -Be 30
        $inspect.Config.Env | Should -Contain 'ARK_SHUTDOWN_SAVE_SECONDS=1'
        @($inspect.Mounts | Where-Object { $_.Name -eq $volume -and $_.Destination -eq '/ark/ShooterGame/Saved' }).Count | Should -Be 1
    }

    It 'New-ArkServer of an existing name is ServerAlreadyExists / ResourceExists' {
        $errors = $null
        New-ArkServer -Name $server -Image $sb.ImageV1 -Network none -DockerHost $dh -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ServerAlreadyExists,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $errors[0].TargetObject | Should -Be $server
    }

    It 'Get-ArkServer finds it by name and by wildcard; an unknown name is ServerNotFound / ObjectNotFound' {
        (Get-ArkServer -Name $server -DockerHost $dh).ContainerId | Should -Not -BeNullOrEmpty
        @(Get-ArkServer -Name "pester-$run*" -DockerHost $dh).Name | Should -Contain $server
        @(Get-ArkServer -DockerHost $dh).Name | Should -Contain $server
        @(Get-ArkServer -Name "nomatch-$run*" -DockerHost $dh -ErrorAction Stop).Count | Should -Be 0

        $errors = $null
        Get-ArkServer -Name "unknown-$run", $server -DockerHost $dh -ErrorVariable errors -ErrorAction SilentlyContinue | ForEach-Object Name | Should -Be $server
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ServerNotFound,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errors[0].TargetObject | Should -Be "unknown-$run"
    }

    It 'Start-ArkServer starts it (input by value)' {
        $started = $server | Start-ArkServer -DockerHost $dh -Confirm:$false
        $started.Name | Should -Be $server
        $started.State | Should -Be 'running'
        (Invoke-SandboxDocker $sb container inspect -f '{{.State.Running}}' $server) | Should -Be 'true'
    }

    It 'Get-ArkServer | Stop-ArkServer -WhatIf stops nothing' {
        Get-ArkServer -Name $server -DockerHost $dh | Stop-ArkServer -DockerHost $dh -WhatIf | Should -BeNullOrEmpty
        (Invoke-SandboxDocker $sb container inspect -f '{{.State.Running}}' $server) | Should -Be 'true'
    }

    It 'Stop-ArkServer stops it (input by property name) and lets the world save finish' {
        Wait-SandboxServerReady -Sandbox $sb -Name $server # past the stand-in's startup
        $stopped = Get-ArkServer -Name $server -DockerHost $dh | Stop-ArkServer -Timeout 20 -DockerHost $dh -Confirm:$false
        $stopped.Name | Should -Be $server
        $stopped.State | Should -Be 'exited'
        (Invoke-SandboxDocker $sb logs $server) | Should -Match 'World Save Complete'
    }

    It 'Ctrl+C stops waiting for a long stop' {
        $null = New-ArkServer -Name $slow -Image $sb.ImageV1 -Network none -Environment @{ ARK_SHUTDOWN_SAVE_SECONDS = 60; ARK_STARTUP_DELAY = 0 } `
            -StopTimeout 120 -RestartPolicy no -DockerHost $dh -Confirm:$false
        $null = Start-ArkServer -Name $slow -DockerHost $dh -Confirm:$false
        Wait-SandboxServerReady -Sandbox $sb -Name $slow
        $r = Invoke-InRunspace -ModulePath $ModulePath -Script {
            param($name, $dh)
            Stop-ArkServer -Name $name -DockerHost $dh -Confirm:$false
        } -ArgumentList $slow, $dh -StopAfterMilliseconds 2000
        $r.StoppedAt | Should -Not -BeNullOrEmpty -Because 'the stop must still be waiting for the 60 s save after 2 s'
        $r.State | Should -Be 'Stopped'
        $r.Elapsed.TotalSeconds | Should -BeLessThan 12
    }

    It 'Start-ArkServer of a server whose image tag was removed fails with ImageMissing naming Install-ArkImage, and pulls nothing' {
        $null = Invoke-SandboxDocker $sb tag $sb.ImageV1 $goneImage
        $null = New-ArkServer -Name $gone -Image $goneImage -Network none -RestartPolicy no -DockerHost $dh -Confirm:$false
        $null = Invoke-SandboxDocker $sb rmi $goneImage

        $errors = $null
        $gone | Start-ArkServer -DockerHost $dh -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ImageMissing,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errors[0].Exception.Message | Should -Match 'Install-ArkImage'
        $errors[0].ErrorDetails.RecommendedAction | Should -Match 'Install-ArkImage'
        Test-SandboxImage -Sandbox $sb -Reference $goneImage | Should -BeFalse
        (Invoke-SandboxDocker $sb container inspect -f '{{.State.Status}}' $gone) | Should -Be 'created'

        # -ErrorAction Stop turns it into an exception a script can catch.
        { Start-ArkServer -Name $gone -DockerHost $dh -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ImageMissing*'
    }
}
