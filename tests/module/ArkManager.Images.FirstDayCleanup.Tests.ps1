# An admin's first day (issue 13): Remove-ArkImage -WhatIf lists exactly the images it would remove, against real
# local images of one repository: an unused old image is listed; the image a server runs and its rollback target are
# not; when a container that held an image goes, the list grows by exactly that image; -WhatIf removes nothing, and the
# real removal afterwards removes exactly what -WhatIf listed (positive control).
# Needs the sandbox engine (tests/sandbox/sandbox.sh): skipped without one unless ARKMANAGER_REQUIRE_SANDBOX=1 (then it fails).
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

    # The "What if:" text of a command (the host writes it, not a stream): a fresh pwsh with the module.
    function script:Get-WhatIfText([string] $Command) {
        $r = Invoke-FreshPwsh -Script ("Import-Module '{0}' -ErrorAction Stop`n{1}" -f (Join-Path $ModulePath 'ArkManager.Images.psd1'), $Command)
        $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
        $r.Output -join "`n"
    }

    # The images a Remove-ArkImage -WhatIf line names: the 12-character ids, each with its tags "(a:b c:d)".
    function script:Get-ListedImage([string] $Text) {
        $lines = @($Text -split "`r?`n" | Where-Object { $_ -match '^What if:' })
        $lines.Count | Should -Be 1 -Because "one repository, one What-if line: $Text"
        $list = $lines[0].Substring($lines[0].LastIndexOf('):') + 2)
        @([regex]::Matches($list, '\b([0-9a-f]{12}) \(([^)]*)\)') | ForEach-Object { [pscustomobject]@{ Id = $_.Groups[1].Value; Tags = $_.Groups[2].Value } })
    }

    # A new local image of the repository under test, distinct from every other (FROM v1 plus a label).
    function script:New-RepositoryImage([string] $Tag, [string] $Mark) {
        $context = Join-Path $TestDrive "ctx-$Mark"
        $null = New-Item -ItemType Directory -Path $context -Force
        Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value "FROM $($sb.ImageV1)`nLABEL io.arkmanager.test.cleanup=$Mark" -Encoding ascii
        $null = Invoke-SandboxDocker $sb build -q -t $Tag $context
        (Invoke-SandboxDocker $sb image inspect --format '{{.Id}}' $Tag) -replace '^sha256:', ''
    }
}

AfterAll {
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'Remove-ArkImage -WhatIf lists exactly the images it would remove' -Skip:$skipIntegration {
    BeforeAll {
        $script:sb = Get-TestSandbox
        if (-not $sb) { throw 'The sandbox engine is not running: start it with: bash tests/sandbox/sandbox.sh start' }
        $run = ([guid]::NewGuid().ToString('N')).Substring(0, 8)
        $script:hadV1 = Test-SandboxImage -Sandbox $sb -Reference $sb.ImageV1
        $null = Invoke-SandboxDocker $sb pull -q $sb.ImageV1
        $script:repo = '{0}/tbro98/fdr-{1}' -f $sb.Registry, $run
        $script:config = New-TestConfig -Path (Join-Path $TestDrive 'config.json') -DockerHost $sb.DockerHost -Images $sb.ImageV1
        $script:server = "fdr-$run-server"
        $script:holder = "fdr-$run-holder"

        # Five images of one repository: an unused old one, the one the server ran before its update (its rollback
        # target), the one it runs now, one a plain container holds, and the newest, which -Image points to.
        $script:ids = [ordered]@{}
        foreach ($mark in 'unused', 'rollback', 'running', 'held', 'latest') { $ids[$mark] = New-RepositoryImage "${repo}:$mark" $mark }
        @($ids.Values | Sort-Object -Unique).Count | Should -Be 5

        $serverEnv = @{ ARK_STARTUP_DELAY = '0.5'; ARK_SAVE_INTERVAL = '3600'; ARK_SHUTDOWN_SAVE_SECONDS = '1' }
        $null = New-ArkServer -Name $server -Image "${repo}:rollback" -Network none -RestartPolicy no -Environment $serverEnv -ConfigPath $config -Confirm:$false -ErrorAction Stop
        $null = Start-ArkServer -Name $server -ConfigPath $config -ErrorAction Stop
        Wait-SandboxServerReady -Sandbox $sb -Name $server
        $update = Update-ArkServer -Name $server -Image "${repo}:running" -HealthTimeout 120 -ConfigPath $config -Confirm:$false -ErrorAction Stop
        [string]$update.Outcome | Should -Be 'Updated'
        (Invoke-SandboxDocker $sb container inspect --format '{{.Image}}' $server) | Should -Be "sha256:$($ids['running'])"
        $null = Invoke-SandboxDocker $sb create --name $holder --network none "${repo}:held"
        $script:command = "Remove-ArkImage -Image '${repo}:latest' -KeepLatest 0 -ConfigPath '$config' -WhatIf"
    }

    AfterAll {
        if ($sb) {
            foreach ($name in $server, $holder, "$server-ark-new", "$server-ark-old") { Invoke-SandboxDockerQuietly $sb rm -f $name }
            Remove-SandboxRepository -Sandbox $sb -Repository $repo
            if (-not $hadV1) { Invoke-SandboxDockerQuietly $sb rmi $sb.ImageV1 }
        }
    }

    It 'lists the unused old image only; the list grows by exactly the image a removed container held; nothing is removed' {
        # The rollback target is one in the update history (the positive side of "not listed").
        (Get-ArkUpdateHistory -Name $server -ConfigPath $config)[-1].OldImageId | Should -Be "sha256:$($ids['rollback'])"

        $first = @(Get-ListedImage (Get-WhatIfText $command))
        @($first.Id) | Should -Be @($ids['unused'].Substring(0, 12))
        $first[0].Tags | Should -Match ([regex]::Escape("${repo}:unused"))
        foreach ($mark in 'rollback', 'running', 'held', 'latest') {
            @($first.Id) | Should -Not -Contain $ids[$mark].Substring(0, 12) -Because "the $mark image is kept"
        }

        # The container that held an image goes: that image, and only it, joins the list.
        $null = Invoke-SandboxDocker $sb rm $holder
        $second = @(Get-ListedImage (Get-WhatIfText $command))
        @($second.Id | Sort-Object) | Should -Be @(@($ids['unused'], $ids['held']) | ForEach-Object { $_.Substring(0, 12) } | Sort-Object)
        @($second | Where-Object Id -eq $ids['held'].Substring(0, 12)).Tags | Should -Match ([regex]::Escape("${repo}:held"))

        # -WhatIf removed nothing: every image is still there.
        foreach ($mark in $ids.Keys) { Test-SandboxImage -Sandbox $sb -Reference "${repo}:$mark" | Should -BeTrue -Because "-WhatIf keeps ${repo}:$mark" }

        # Positive control: the same command without -WhatIf removes exactly the listed images, and they are gone.
        $result = Remove-ArkImage -Image "${repo}:latest" -KeepLatest 0 -ConfigPath $config -Confirm:$false -ErrorAction Stop
        @($result.Removed.Id | ForEach-Object { ($_ -replace '^sha256:', '').Substring(0, 12) } | Sort-Object) | Should -Be @($second.Id | Sort-Object)
        Test-SandboxImage -Sandbox $sb -Reference "${repo}:unused" | Should -BeFalse
        Test-SandboxImage -Sandbox $sb -Reference "${repo}:held" | Should -BeFalse
        foreach ($mark in 'rollback', 'running', 'latest') { Test-SandboxImage -Sandbox $sb -Reference "${repo}:$mark" | Should -BeTrue -Because "${repo}:$mark is kept" }
    }
}
