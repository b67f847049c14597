# Re-registering a server, and the quarantine of an image that failed its health gate, through the cmdlets against the
# sandbox engine (tests/sandbox/sandbox.sh). Skipped when the sandbox is not running, unless ARKMANAGER_REQUIRE_SANDBOX=1.
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
    $script:repo = '{0}/tbro98/pester-quarantine-{1}' -f $sb.Registry, $run
    $script:tag = "${repo}:latest"
    $script:config = New-TestConfig -Path (Join-Path $TestDrive 'config.json') -DockerHost $sb.DockerHost -Images $tag

    # v1 under our tag, locally and in the registry.
    $null = Invoke-SandboxDocker $sb pull -q $sb.ImageV1
    $null = Invoke-SandboxDocker $sb tag $sb.ImageV1 $tag
    $null = Invoke-SandboxDocker $sb push $tag
}

AfterAll {
    if ($sb) { Remove-SandboxRepository -Sandbox $sb -Repository $repo }
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'Register-ArkServer on a container that already is a server' -Skip:$skipIntegration {
    BeforeAll {
        $script:plain = "pester-reg-$run"
        $script:first = "pester-reg-$run-a"
        $script:second = "pester-reg-$run-b"
        $null = Invoke-SandboxDocker $sb create --name $plain --network none $tag
    }

    AfterAll {
        if ($sb) { Invoke-SandboxDockerQuietly $sb rm -f $plain }
    }

    It 'refuses another name with ServerAlreadyRegistered naming the current name and owner; -Force keeps the owner and warns' {
        $registered = Register-ArkServer -Container $plain -Name $first -Owner carol -ConfigPath $config -Confirm:$false -ErrorAction Stop
        $registered.Owner | Should -Be 'carol'

        $errors = $null
        Register-ArkServer -Container $plain -Name $second -ConfigPath $config -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ServerAlreadyRegistered,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $errors[0].Exception.Message | Should -BeLike "*'$first'*'carol'*"
        (Get-ArkServer -Name $first -ConfigPath $config).Owner | Should -Be 'carol'
        @(Get-ArkServer -ConfigPath $config).Name | Should -Not -Contain $second

        Register-ArkServer -Container $plain -Name $second -Force -ConfigPath $config -WhatIf | Should -BeNullOrEmpty
        @(Get-ArkServer -ConfigPath $config).Name | Should -Not -Contain $second

        # The warning stream (3) merged into the output: the library's warning says what changed.
        $output = @(Register-ArkServer -Container $plain -Name $second -Force -ConfigPath $config -Confirm:$false -WarningAction Continue -ErrorAction Stop 3>&1)
        $warnings = @($output | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)
        $moved = $output | Where-Object { $_ -is [ArkManager.Images.ServerInfo] }
        $moved.Name | Should -Be $second
        $moved.Owner | Should -Be 'carol'
        ($warnings -join "`n") | Should -BeLike "*'$first' -> '$second'*owner 'carol' kept*"
        @(Get-ArkServer -Owner carol -ConfigPath $config).Name | Should -Contain $second
    }
}

Describe 'Update-ArkImage on a digest that failed its health gate' -Skip:$skipIntegration {
    BeforeAll {
        $script:server = "pester-qua-$run"
        $null = New-ArkServer -Name $server -Image $tag -Network none -Environment @{ ARK_STARTUP_DELAY = '0.5'; ARK_SAVE_INTERVAL = '3600'; ARK_SHUTDOWN_SAVE_SECONDS = '1' } `
            -StopTimeout 30 -RestartPolicy no -ConfigPath $config -Confirm:$false -ErrorAction Stop
        $null = Start-ArkServer -Name $server -ConfigPath $config -Confirm:$false -ErrorAction Stop
        # The broken image under our tag in the registry; the local tag stays on v1.
        $null = Invoke-SandboxDocker $sb pull -q $sb.ImageBroken
        $null = Invoke-SandboxDocker $sb tag $sb.ImageBroken $tag
        $null = Invoke-SandboxDocker $sb push $tag
        $null = Invoke-SandboxDocker $sb tag $sb.ImageV1 $tag
    }

    AfterAll {
        if ($sb) { foreach ($name in $server, "$server-ark-new", "$server-ark-old") { Invoke-SandboxDockerQuietly $sb rm -f $name } }
    }

    It '-WhatIf shows Recreate first, then Quarantined after the rollback, and the next run skips the server without failing' {
        (@(Update-ArkImage -Image $tag -ConfigPath $config -WhatIf) | Where-Object Server -eq $server).Status | Should -Be 'Recreate'

        { Update-ArkImage -Image $tag -ConfigPath $config -Confirm:$false -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'UpdateRolledBack*'
        $containerId = Invoke-SandboxDocker $sb container inspect --format '{{.Id}}' $server

        $item = @(Update-ArkImage -Image $tag -ConfigPath $config -WhatIf) | Where-Object Server -eq $server
        $item.Status | Should -Be 'Quarantined'
        $item.Reason | Should -BeLike 'quarantined since *(health gate: *-Force'
        (Update-ArkImage -Image $tag -ConfigPath $config -WhatIf | Out-String) | Should -BeLike '*Quarantined*'

        $result = Update-ArkImage -Image $tag -ConfigPath $config -Confirm:$false -ErrorAction Stop
        $result.Succeeded | Should -BeTrue
        ($result.Servers | Where-Object Server -eq $server).Outcome | Should -Be 'Skipped'
        Invoke-SandboxDocker $sb container inspect --format '{{.Id}}' $server | Should -Be $containerId
    }
}
