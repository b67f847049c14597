# Issue 9 at the PowerShell surface, against the sandbox engine (tests/sandbox/sandbox.sh) and the xunit suite's
# fault-injecting front (FaultFront.cs, compiled with Add-Type) before the sandbox registry:
# - no registry, RCON or admin password reaches the verbose, warning, error or information stream, an exception message
#   or the text of an output object (positive control: the same search finds a planted copy in each stream);
# - a scheduled script's Update-ArkImage whose registry answers 500 exits non-zero (control: the same command, the
#   front passing requests through, exits 0).
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
    $script:serverEnvironment = @{ ARK_STARTUP_DELAY = '0.5'; ARK_SAVE_INTERVAL = '3600'; ARK_SHUTDOWN_SAVE_SECONDS = '1' }

    # Builds an image of our own (a layer nobody else has) from the sandbox's v1 and pushes it as $Tag (straight to the
    # sandbox registry); the local tag is removed so that a pull really downloads it.
    function script:Publish-UniqueImage([string] $Tag) {
        $null = Invoke-SandboxDocker $sb pull -q $sb.ImageV1
        $context = Join-Path $TestDrive ('context-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $null = New-Item -ItemType Directory -Path $context
        Set-Content -LiteralPath (Join-Path $context 'marker.txt') -Value ("pester reliability $run " + [guid]::NewGuid()) -Encoding ascii
        Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value @("FROM $($sb.ImageV1)", 'COPY marker.txt /marker.txt') -Encoding ascii
        $null = Invoke-SandboxDocker $sb build -q -t $Tag $context
        $id = Invoke-SandboxDocker $sb image inspect --format '{{.Id}}' $Tag
        $null = Invoke-SandboxDocker $sb push $Tag
        Invoke-SandboxDockerQuietly $sb rmi $Tag
        $id
    }

    # Every text a user or a log collector can see of one item of a merged stream (*>&1), an exception or an output
    # object: the message of each stream record, the error record as PowerShell prints it, its exception chain, its
    # details and target, and an object's default view and every property (Format-List *).
    function script:ConvertTo-VisibleText($Item) {
        if ($null -eq $Item) { return @() }
        switch ($Item) {
            { $_ -is [System.Management.Automation.ErrorRecord] } {
                ($_ | Out-String -Width 4096)
                $_.Exception.ToString()
                if ($null -ne $_.ErrorDetails) { "$($_.ErrorDetails.Message) $($_.ErrorDetails.RecommendedAction)" }
                "$($_.CategoryInfo) $($_.FullyQualifiedErrorId)"
                if ($null -ne $_.TargetObject) { ($_.TargetObject | Format-List * | Out-String -Width 4096) }
                return
            }
            { $_ -is [System.Management.Automation.WarningRecord] -or $_ -is [System.Management.Automation.VerboseRecord] -or $_ -is [System.Management.Automation.DebugRecord] } {
                $_.Message
                return
            }
            { $_ -is [System.Management.Automation.InformationRecord] } {
                "$($_.MessageData)"
                return
            }
            { $_ -is [System.Exception] } {
                $_.ToString()
                return
            }
            default {
                ($_ | Out-String -Width 4096)
                ($_ | Format-List * | Out-String -Width 4096)
            }
        }
    }

    # Which of $Secrets appear in which of $Texts: "text #i: <first 8 characters of the secret>…".
    function script:Find-Secret([string[]] $Texts, [string[]] $Secrets) {
        $i = 0
        foreach ($text in $Texts) {
            foreach ($secret in $Secrets) {
                if ($text -and $text.Contains($secret)) { 'text #{0}: {1}…' -f $i, $secret.Substring(0, 8) }
            }
            $i++
        }
    }

    # Runs a script file in a new pwsh process (pwsh -NoProfile -File), as a scheduled task would; returns its exit code
    # and output.
    function script:Invoke-ScheduledScript([string] $Text) {
        $file = Join-Path $TestDrive ('task-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.ps1')
        Set-Content -LiteralPath $file -Value $Text -Encoding utf8
        $pwsh = Get-PwshCommand
        $output = & $pwsh.Path @($pwsh.Prefix) -NoProfile -NonInteractive -File $file 2>&1
        $code = $LASTEXITCODE
        $text = ($output | ForEach-Object { "$_" }) -join [Environment]::NewLine
        $text = $text -replace '\x1b\[[0-9;?]*[A-Za-z]', '' -replace '[\x00-\x08\x0b\x0c\x0e-\x1f]', ''
        [pscustomobject]@{ ExitCode = $code; Output = $text }
    }
}

AfterAll {
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'Secrets in the PowerShell streams' -Skip:$skipIntegration {
    BeforeAll {
        $script:front = Start-TestFaultFront -Upstream $sb.Registry
        $script:registryUser = "ark-$run"
        $script:registryPassword = 'RegPw-' + [guid]::NewGuid().ToString('N')
        $script:wrongPassword = 'WrongPw-' + [guid]::NewGuid().ToString('N')
        $script:rconPassword = 'RconPw-' + [guid]::NewGuid().ToString('N')
        $script:adminPassword = 'AdminPw-' + [guid]::NewGuid().ToString('N')
        $basic = { param($user, $password) [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("${user}:$password")) }
        $script:basicRight = & $basic $registryUser $registryPassword
        $script:basicWrong = & $basic $registryUser $wrongPassword
        $script:secrets = @($registryPassword, $wrongPassword, $rconPassword, $adminPassword, $basicRight, $basicWrong)
        $front.BasicCredential = $basicRight
        $front.Set([ArkManager.Images.Tests.Infrastructure.FaultKind]::BasicAuth)

        # The image, pushed straight to the sandbox registry, and read by the module through the front, which forwards
        # only requests with the registry password (from the Docker configuration the module's config names).
        $script:repository = "tbro98/pester-secrets-$run"
        $script:direct = '{0}/{1}:latest' -f $sb.Registry, $repository
        $script:image = '{0}/{1}:latest' -f $front.Host, $repository
        $null = Publish-UniqueImage $direct
        $script:dockerConfig = Join-Path $TestDrive 'docker-config'
        $null = New-Item -ItemType Directory -Path $dockerConfig
        $script:writeAuth = {
            param($auth)
            Set-Content -LiteralPath (Join-Path $dockerConfig 'config.json') -Encoding utf8 -Value (@{ auths = @{ $front.Host = @{ auth = $auth } } } | ConvertTo-Json -Depth 4)
        }
        & $writeAuth $basicRight
        $script:config = Join-Path $TestDrive 'config.json'
        [ordered]@{
            dockerHost            = $sb.DockerHost
            requiredImages        = @($image)
            stateDirectory        = (Join-Path $TestDrive 'state')
            dockerConfigDirectory = $dockerConfig
            registryTimeoutSeconds = 10
        } | ConvertTo-Json | Set-Content -LiteralPath $config -Encoding utf8

        # An RCON server with RCON and admin passwords in its environment.
        $script:server = "pester-sec-$run"
        $script:port = Get-FreeTestPort
        $environment = $serverEnvironment.Clone()
        $environment.ARK_RCON_PORT = "$port"
        $environment.ARK_RCON_PASSWORD = $rconPassword
        $environment.ARK_ADMIN_PASSWORD = $adminPassword
        $environment.ServerAdminPassword = $adminPassword
        $script:serverEnvironmentWithSecrets = $environment
    }

    AfterAll {
        if ($front) { $front.Dispose() }
        if ($sb) {
            foreach ($name in $server, "$server-ark-new", "$server-ark-old") { Invoke-SandboxDockerQuietly $sb rm -f $name }
            Remove-SandboxRepository -Sandbox $sb -Repository ('{0}/{1}' -f $sb.Registry, $repository)
            Remove-SandboxRepository -Sandbox $sb -Repository ('{0}/{1}' -f $front.Host, $repository)
        }
    }

    It 'pull, create, start, update, RCON, stop, a refused login and a failing RCON call: no secret in any stream, exception or output; planted copies are found' {
        $items = [System.Collections.Generic.List[object]]::new()
        $add = { param($list) foreach ($entry in @($list)) { $items.Add($entry) } }
        $operations = [ordered]@{}
        $VerbosePreference = 'Continue'
        $InformationPreference = 'Continue'
        $DebugPreference = 'SilentlyContinue'

        $operations.Install = @(Install-ArkImage -Image $image -ConfigPath $config -Confirm:$false *>&1)
        $front.Authenticated | Should -BeGreaterThan 0 -Because 'the pull must have used the registry password'
        $operations.New = @(New-ArkServer -Name $server -Image $image -Network host -RconPort $port -Environment $serverEnvironmentWithSecrets `
                -StopTimeout 30 -RestartPolicy no -ConfigPath $config -Confirm:$false *>&1)
        $operations.Start = @(Start-ArkServer -Name $server -ConfigPath $config -Confirm:$false *>&1)
        $operations.Rcon = @(Send-ArkRconCommand -Name $server -Command 'ListPlayers' -ConfigPath $config -Confirm:$false *>&1)

        # A newer image under the same tag: the update pulls it (with the password) and recreates the server.
        $authenticatedBefore = $front.Authenticated
        $null = Publish-UniqueImage $direct
        $operations.Update = @(Update-ArkImage -Image $image -ConfigPath $config -Confirm:$false -NoWarning *>&1)
        $front.Authenticated | Should -BeGreaterThan $authenticatedBefore
        @($operations.Update | Where-Object { $_ -is [ArkManager.Images.ImageUpdateResult] }).Succeeded | Should -Be @($true) -Because (($operations.Update | Out-String))
        $operations.Get = @(Get-ArkServer -Name $server -ConfigPath $config *>&1)
        $operations.History = @(Get-ArkUpdateHistory -Name $server -ConfigPath $config *>&1)
        $operations.Stop = @(Stop-ArkServer -Name $server -NoWarning -ConfigPath $config -Confirm:$false *>&1)
        (Invoke-SandboxDocker $sb container inspect --format '{{.State.Running}}' $server) | Should -Be 'false'

        # Failures: RCON to a stopped server, and a registry login with the wrong password.
        $caught = @()
        try { $operations.RconFails = @(Send-ArkRconCommand -Name $server -Command 'ListPlayers' -ConfigPath $config -Confirm:$false -ErrorAction Stop *>&1) } catch { $caught += $_ }
        & $writeAuth $basicWrong
        try { $operations.WrongLogin = @(Update-ArkImage -Image $image -ConfigPath $config -Confirm:$false -ErrorAction Stop *>&1) } catch { $caught += $_ }
        & $writeAuth $basicRight
        $caught.Count | Should -Be 2 -Because 'both failures must be terminating errors'
        $caught[1].FullyQualifiedErrorId | Should -BeLike 'RegistryAuthenticationFailed,*'

        foreach ($key in $operations.Keys) { & $add $operations[$key] }
        & $add $caught
        foreach ($record in $caught) { $items.Add($record.Exception) }
        $streams = $items | ForEach-Object { $_.GetType().Name } | Group-Object -NoElement | ForEach-Object { '{0}={1}' -f $_.Name, $_.Count }
        @($items | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 5 -Because ($streams -join ', ')
        @($items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 1

        $texts = @($items | ForEach-Object { ConvertTo-VisibleText $_ })
        $leaks = @(Find-Secret -Texts $texts -Secrets $secrets)

        # Positive control: a copy of each secret planted in each stream (and thrown) is found by the same search.
        $planted = @(
            & {
                Write-Verbose "verbose $registryPassword" -Verbose
                Write-Warning "warning $rconPassword"
                Write-Error "error $adminPassword" -ErrorAction Continue
                Write-Information "information $basicRight" -InformationAction Continue
            } *>&1
        )
        try { throw [ArkManager.Images.ArkManagerException]::new("exception $wrongPassword") } catch { $planted += $_.Exception }
        $planted.Count | Should -Be 5
        $control = @(Find-Secret -Texts @($planted | ForEach-Object { ConvertTo-VisibleText $_ }) -Secrets $secrets | ForEach-Object { $_ -replace '^text #\d+: ', '' } | Sort-Object -Unique)
        $control.Count | Should -Be 5 -Because 'each planted secret (verbose, warning, error, information, exception) must be found'

        $leaks | Should -BeNullOrEmpty -Because ($leaks -join '; ')
        Write-Host ('    searched {0} texts from {1} items ({2}) for {3} secrets: {4} found; control {5} of 5' -f $texts.Count, $items.Count, ($streams -join ', '), $secrets.Count, $leaks.Count, $control.Count)
    }
}

Describe 'A failed registry check fails the scheduled script' -Skip:$skipIntegration {
    BeforeAll {
        $script:front = Start-TestFaultFront -Upstream $sb.Registry
        $script:repository = "tbro98/pester-exit-$run"
        $script:direct = '{0}/{1}:latest' -f $sb.Registry, $repository
        $script:image = '{0}/{1}:latest' -f $front.Host, $repository
        $null = Publish-UniqueImage $direct
        $script:config = New-TestConfig -Path (Join-Path $TestDrive 'config.json') -DockerHost $sb.DockerHost -Images $image
        $script:recipe = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$(Join-Path $ModulePath 'ArkManager.Images.psd1')'
Update-ArkImage -Image '$image' -ConfigPath '$config' -Confirm:`$false
"@
    }

    AfterAll {
        if ($front) { $front.Dispose() }
        if ($sb) {
            Remove-SandboxRepository -Sandbox $sb -Repository ('{0}/{1}' -f $sb.Registry, $repository)
            Remove-SandboxRepository -Sandbox $sb -Repository ('{0}/{1}' -f $front.Host, $repository)
        }
    }

    It 'exits non-zero when the registry answers 500, and 0 for the same command when it answers' {
        $front.Set([ArkManager.Images.Tests.Infrastructure.FaultKind]::Http500)
        $failed = Invoke-ScheduledScript $recipe
        $front.FaultsInjected | Should -BeGreaterThan 0 -Because 'the registry must have been asked'
        $failed.ExitCode | Should -Not -Be 0 -Because $failed.Output
        $failed.Output | Should -Match 'RegistryCheckFailed|500'
        Test-SandboxImage -Sandbox $sb -Reference $image | Should -BeFalse -Because 'nothing may be pulled from a failing registry'

        # Control: the same command, the same image, the front forwarding: exit 0 and the image pulled.
        $front.Set([ArkManager.Images.Tests.Infrastructure.FaultKind]::Pass)
        $ok = Invoke-ScheduledScript $recipe
        $ok.ExitCode | Should -Be 0 -Because $ok.Output
        Test-SandboxImage -Sandbox $sb -Reference $image | Should -BeTrue
    }
}
