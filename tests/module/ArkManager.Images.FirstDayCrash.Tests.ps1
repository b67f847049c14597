# An admin's first day (issue 13): after a crash, Get-ArkServer says so. A real update runs in a child pwsh, to the
# stand-in variant that never logs its readiness line (so the transaction waits in its health gate); the child is killed
# by its pid there, which leaves the unfinished transaction on disk. Get-ArkServer's object and its 80-column table say
# what the next call will do; that call (Start-ArkServer) undoes it and the Pending text is gone.
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

    # The text a table view gives at 80 columns, and its lines.
    function script:Get-Table80($InputObject) {
        $text = ($InputObject | Format-Table | Out-String -Width 80)
        [pscustomobject]@{ Text = $text; Lines = @($text -split "`r?`n" | Where-Object { $_.Trim() }) }
    }

    # Polls Get-ArkServer until $Condition holds for the server; throws with the last object after $TimeoutSeconds.
    function script:Wait-Server([string] $Name, [scriptblock] $Condition, [int] $TimeoutSeconds, [string] $What) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ($true) {
            $server = Get-ArkServer -Name $Name -ConfigPath $config -ErrorAction SilentlyContinue
            if ($server -and (& $Condition $server)) { return $server }
            if ($child -and $child.HasExited) { throw "The update process (pid $($child.Id)) exited $($child.ExitCode) before $What`: $(Get-Content -Raw -LiteralPath $childOut -ErrorAction SilentlyContinue) $(Get-Content -Raw -LiteralPath $childErr -ErrorAction SilentlyContinue)" }
            if ([DateTime]::UtcNow -gt $deadline) { throw "Not seen within $TimeoutSeconds s: $What. Last: $($server | Format-List * | Out-String)" }
            Start-Sleep -Milliseconds 200
        }
    }
}

AfterAll {
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'After a crash, Get-ArkServer says so' -Skip:$skipIntegration {
    BeforeAll {
        $script:sb = Get-TestSandbox
        if (-not $sb) { throw 'The sandbox engine is not running: start it with: bash tests/sandbox/sandbox.sh start' }
        $run = ([guid]::NewGuid().ToString('N')).Substring(0, 8)
        $script:hang = ($sb.ImageV1 -replace ':[^:/]+$', '') + ':hang'
        $script:hadV1 = Test-SandboxImage -Sandbox $sb -Reference $sb.ImageV1
        $script:hadHang = Test-SandboxImage -Sandbox $sb -Reference $hang
        $null = Invoke-SandboxDocker $sb pull -q $sb.ImageV1
        $null = Invoke-SandboxDocker $sb pull -q $hang
        $script:v1Id = Invoke-SandboxDocker $sb image inspect --format '{{.Id}}' $sb.ImageV1
        $script:hangId = Invoke-SandboxDocker $sb image inspect --format '{{.Id}}' $hang
        $script:config = New-TestConfig -Path (Join-Path $TestDrive 'config.json') -DockerHost $sb.DockerHost -Images $sb.ImageV1
        $script:state = Join-Path $TestDrive 'state'
        $script:crashed = "fdc-$run-crashed"
        $script:calm = "fdc-$run-calm"
        $serverEnv = @{ ARK_STARTUP_DELAY = '0.5'; ARK_SAVE_INTERVAL = '3600'; ARK_SHUTDOWN_SAVE_SECONDS = '1' }
        foreach ($name in $crashed, $calm) {
            $null = New-ArkServer -Name $name -Image $sb.ImageV1 -Network none -RestartPolicy no -Environment $serverEnv -ConfigPath $config -Confirm:$false -ErrorAction Stop
        }
        $null = Start-ArkServer -Name $crashed, $calm -ConfigPath $config -ErrorAction Stop
        Wait-SandboxServerReady -Sandbox $sb -Name $crashed
        $script:child = $null
        $script:childOut = Join-Path $TestDrive 'child.out'
        $script:childErr = Join-Path $TestDrive 'child.err'
    }

    AfterAll {
        if ($child -and -not $child.HasExited) { Stop-Process -Id $child.Id -Force -ErrorAction SilentlyContinue }
        if ($sb) {
            foreach ($name in $crashed, $calm, "$crashed-ark-new", "$crashed-ark-old") { Invoke-SandboxDockerQuietly $sb rm -f $name }
            if (-not $hadHang) { Invoke-SandboxDockerQuietly $sb rmi $hang }
            if (-not $hadV1) { Invoke-SandboxDockerQuietly $sb rmi $sb.ImageV1 }
        }
    }

    It 'an update killed in its health gate shows as Pending (object and 80-column view) until the next call undoes it' {
        # Before: nothing pending, the ordinary status.
        (Get-ArkServer -Name $crashed -ConfigPath $config).PendingTransaction | Should -BeNullOrEmpty

        # A real update (Update-ArkServer -Image: a transaction of kind Recreate) in a child pwsh, to an image that never
        # becomes ready: it waits in the health gate for up to 10 minutes.
        $script:childScript = Join-Path $TestDrive 'update.ps1'
        Set-Content -LiteralPath $childScript -Encoding utf8 -Value (
            "Import-Module '{0}' -ErrorAction Stop`nUpdate-ArkServer -Name '{1}' -Image '{2}' -HealthTimeout 600 -ConfigPath '{3}' -Confirm:`$false" -f
            (Join-Path $ModulePath 'ArkManager.Images.psd1'), $crashed, $hang, $config)
        $pwsh = Get-PwshCommand
        $script:child = Start-Process -FilePath $pwsh.Path -ArgumentList (@($pwsh.Prefix) + @('-NoProfile', '-NonInteractive', '-File', $childScript)) -PassThru `
            -RedirectStandardOutput $childOut -RedirectStandardError $childErr

        # While it runs, the listing says the update is in progress in that process (its lock is held).
        $running = Wait-Server $crashed { param($s) $s.PendingTransaction -match 'HealthGate' } 180 'the update in its health gate'
        $running.PendingTransaction | Should -Be "Recreate in progress at HealthGate (pid $($child.Id))"
        $running.ImageId | Should -Be $hangId -Because 'in the health gate the replacement runs under the server''s name'
        (Get-Table80 $running).Text | Should -Match ([regex]::Escape("Pending: Recreate running (pid $($child.Id))"))

        # The crash: SIGKILL by pid, no clean-up runs.
        Stop-Process -Id $child.Id -Force
        $child.WaitForExit(30000) | Should -BeTrue
        Test-Path -LiteralPath (Join-Path $state "journal/$crashed.json") | Should -BeTrue -Because 'the unfinished transaction stays on disk'

        # The object: the transaction is unfinished, and the next call will undo it (the new image never passed its gate).
        $server = Get-ArkServer -Name $crashed -ConfigPath $config
        $server.PendingTransaction | Should -Be 'Recreate interrupted at HealthGate: the next call will undo it'
        (@(Get-ArkServer -ConfigPath $config) | Where-Object Name -eq $crashed).PendingTransaction | Should -Be $server.PendingTransaction

        # The default table at 80 columns: the Pending text in the Status column of that server; the positive control,
        # a server without a pending transaction, shows Docker's ordinary status in the same table.
        $both = @(Get-ArkServer -Name "$crashed", "$calm" -ConfigPath $config)
        $both.Count | Should -Be 2
        $table = Get-Table80 $both
        $table.Lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        $table.Lines[0] | Should -Match '\bStatus\b'
        $crashedLine = @($table.Lines | Where-Object { $_ -match [regex]::Escape($crashed) })
        $calmLine = @($table.Lines | Where-Object { $_ -match [regex]::Escape($calm) })
        $crashedLine.Count | Should -Be 1
        $calmLine.Count | Should -Be 1
        $crashedLine[0] | Should -Match 'Pending: undo Recreate at HealthGate'
        $calmLine[0] | Should -Not -Match 'Pending'
        $calmLine[0] | Should -Match '\bUp \d|\bUp (About|Less) '
        (Get-ArkServer -Name $calm -ConfigPath $config).PendingTransaction | Should -BeNullOrEmpty

        # The next call that touches the server undoes it: the old container is back, on the old image, running.
        $null = Start-ArkServer -Name $crashed -ConfigPath $config -ErrorAction Stop
        $after = Get-ArkServer -Name $crashed -ConfigPath $config
        $after.PendingTransaction | Should -BeNullOrEmpty
        $after.ImageId | Should -Be $v1Id
        $after.State | Should -Be 'running'
        $afterTable = Get-Table80 $after
        $afterTable.Text | Should -Not -Match 'Pending'
        $afterTable.Text | Should -Match '\bUp '
        Test-Path -LiteralPath (Join-Path $state "journal/$crashed.json") | Should -BeFalse
        Test-SandboxContainer -Sandbox $sb -Name "$crashed-ark-old" | Should -BeFalse
        Test-SandboxContainer -Sandbox $sb -Name "$crashed-ark-new" | Should -BeFalse
        # The history says what happened, as the Pending text predicted.
        $last = @(Get-ArkUpdateHistory -Name $crashed -ConfigPath $config)[-1]
        [string]$last.Outcome | Should -Be 'RolledBack'
        $last.NewImageId | Should -Be $hangId
    }
}
