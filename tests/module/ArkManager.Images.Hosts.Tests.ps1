# Several hosts through the cmdlets: the configuration file's "hosts", -Host, host/name, and an unreachable host as a
# non-terminating error beside the other host's results. Host "a" is the sandbox engine; host "gone" is a socket with
# no daemon. Skipped when the sandbox is not running, unless ARKMANAGER_REQUIRE_SANDBOX=1.
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
    $script:server = "pester-mh-$run"
    $script:config = Join-Path $TestDrive 'hosts.json'
    [ordered]@{
        hosts          = @(
            [ordered]@{ name = 'a'; dockerHost = $sb.DockerHost }
            [ordered]@{ name = 'gone'; dockerHost = 'unix://' + (Join-Path $TestDrive 'no-daemon.sock') }
        )
        requiredImages = @($sb.ImageV1)
        stateDirectory = Join-Path $TestDrive 'state'
    } | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $config -Encoding utf8
    $null = Invoke-SandboxDocker $sb pull -q $sb.ImageV1
}

AfterAll {
    if ($sb) { Invoke-SandboxDockerQuietly $sb rm -f $server }
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'Several hosts' -Skip:$skipIntegration {
    It 'New-ArkServer -Name host/name creates on that host; without a host it names the choice' {
        $created = New-ArkServer -Name "a/$server" -Image $sb.ImageV1 -ConfigPath $config -Confirm:$false -ErrorAction Stop
        $created.Host | Should -Be 'a'
        $created.Name | Should -Be $server
        $created.QualifiedName | Should -Be "a/$server"
        Test-SandboxContainer $sb $server | Should -BeTrue

        { New-ArkServer -Name "$server-x" -Image $sb.ImageV1 -ConfigPath $config -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'UnknownHost*'
        Test-SandboxContainer $sb "$server-x" | Should -BeFalse
    }

    It 'Get-ArkServer writes the reachable host''s servers and one DockerUnavailable error for the unreachable host' {
        $errors = $null
        $servers = @(Get-ArkServer -ConfigPath $config -ErrorVariable errors -ErrorAction SilentlyContinue)
        ($servers | Where-Object Name -eq $server).Host | Should -Be 'a'
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'DockerUnavailable*'
        $errors[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $errors[0].TargetObject | Should -Be 'gone'
        ($servers | Format-Table | Out-String -Width 80) | Should -Match ([regex]::Escape("a/$server"))
    }

    It '-Host keeps to the named hosts: no error from the other one; an unknown host is refused naming the known ones' {
        $errors = $null
        $servers = @(Get-ArkServer -Host a -ConfigPath $config -ErrorVariable errors -ErrorAction SilentlyContinue)
        $servers.Name | Should -Contain $server
        $errors | Should -BeNullOrEmpty
        $thrown = { Get-ArkServer -Host zz -ConfigPath $config -ErrorAction Stop } | Should -Throw -ErrorId 'UnknownHost*' -PassThru
        $thrown.Exception.Message | Should -BeLike '*a, gone*'
    }

    It 'Start-ArkServer a/name starts it on host a; Stop-ArkServer by the name alone finds it on the one host that has it' {
        $started = Start-ArkServer -Name "a/$server" -ConfigPath $config -ErrorAction Stop
        $started.Host | Should -Be 'a'
        (Invoke-SandboxDocker $sb inspect --format '{{.State.Status}}' $server) | Should -Be 'running'
        # Host "gone" cannot be asked, but host "a" has a server of that name: the command acts on it.
        Stop-ArkServer -Name $server -ConfigPath $config -Confirm:$false -ErrorAction Stop | Out-Null
        (Invoke-SandboxDocker $sb inspect --format '{{.State.Status}}' $server) | Should -Be 'exited'
        # A name no reachable host has, while "gone" cannot be asked: it may be there, so the error is that host's.
        { Start-ArkServer -Name "$server-nowhere" -ConfigPath $config -ErrorAction Stop } | Should -Throw -ErrorId 'DockerUnavailable*'
        { Start-ArkServer -Name "$server-nowhere" -Host a -ConfigPath $config -ErrorAction Stop } | Should -Throw -ErrorId 'ServerNotFound*'
    }
}
