# Tab completion of -Image (required images and the local tags of their repositories) and -Name (servers), through
# TabExpansion2 as the console uses it: on the sandbox engine, and with a daemon that is missing or never answers.
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../artifacts/module/ArkManager.Images')
)

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:skipIntegration = (-not (Get-TestSandbox)) -and -not (Test-SandboxRequired)
    $script:imageParameters = @(
        'Get-ArkImageStatus', 'Get-ArkImage', 'Install-ArkImage', 'Test-ArkImageUpdate', 'Get-ArkServer', 'New-ArkServer',
        'Update-ArkServer', 'Update-ArkImage', 'Get-ArkUpdateHistory', 'Remove-ArkImage') | ForEach-Object { @{ Command = $_; Parameter = 'Image'; Completer = 'ArkImageCompleter' } }
    $script:nameParameters = @(
        'Get-ArkServer', 'Start-ArkServer', 'Stop-ArkServer', 'Update-ArkServer', 'Undo-ArkImageUpdate', 'Get-ArkUpdateHistory',
        'Backup-ArkServer', 'Restore-ArkServer') | ForEach-Object { @{ Command = $_; Parameter = 'Name'; Completer = 'ArkServerNameCompleter' } }
    $script:nameParameters += @{ Command = 'Update-ArkImage'; Parameter = 'Server'; Completer = 'ArkServerNameCompleter' }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
    Import-Module (Join-Path $script:ModulePath 'ArkManager.Images.psd1') -Force -ErrorAction Stop
    $script:run = ([guid]::NewGuid().ToString('N')).Substring(0, 10)

    # The completions of the end of $Line, and how long they took.
    function script:Get-Completion([string] $Line) {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $result = TabExpansion2 -inputScript $Line -cursorColumn $Line.Length
        [pscustomobject]@{
            Texts   = @($result.CompletionMatches | ForEach-Object CompletionText)
            Matches = @($result.CompletionMatches)
            Elapsed = $watch.Elapsed
        }
    }
}

AfterAll {
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'Completers' {
    It '<Command> -<Parameter> completes with <Completer>' -ForEach ($imageParameters + $nameParameters) {
        $parameter = (Get-Command $Command -Module ArkManager.Images).Parameters[$Parameter]
        $attribute = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] })
        $attribute.Count | Should -Be 1
        $attribute[0].Type.Name | Should -Be $Completer
    }

    It 'New-ArkServer -Name and Register-ArkServer -Name (new names) have no completer' {
        foreach ($command in 'New-ArkServer', 'Register-ArkServer') {
            @((Get-Command $command -Module ArkManager.Images).Parameters['Name'].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }).Count | Should -Be 0
        }
    }
}

Describe 'Completion without a daemon' {
    It 'an unreachable daemon gives no candidates, quickly (<_>)' -ForEach @('Get-ArkServer -Name ', 'Start-ArkServer -Name is', 'Get-ArkImage -Image ', 'Update-ArkImage -Image tbro') {
        $c = Get-Completion ("{0} -DockerHost unix:///tmp/nonexistent.sock {1}" -f ($_ -split ' ')[0], (($_ -split ' ', 2)[1]))
        $c.Texts.Count | Should -Be 0
        $c.Elapsed.TotalSeconds | Should -BeLessThan 7.5 # 3x the completion's 2.5 s give-up
    }

    It 'a daemon that accepts connections but never answers gives no candidates within the short timeout' {
        # A unix socket that nobody accepts on: connecting works (the backlog), no request is ever answered.
        $path = Join-Path ([System.IO.Path]::GetTempPath()) ("arkmgr-hang-$run.sock")
        $listener = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Unspecified)
        try {
            $listener.Bind([System.Net.Sockets.UnixDomainSocketEndPoint]::new($path))
            $listener.Listen(16)
            $c = Get-Completion "Get-ArkServer -DockerHost unix://$path -Name "
            $c.Texts.Count | Should -Be 0
            $c.Elapsed.TotalSeconds | Should -BeLessThan 7.5 -Because 'completion gives up after about 2.5 s (3x margin)'
        }
        finally {
            $listener.Dispose()
            Remove-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue
        }
    }

    It 'a broken configuration gives no candidates and no error' {
        $config = Join-Path $TestDrive 'broken.json'
        Set-Content -LiteralPath $config -Value '{ "requiredImages": [ "NOT A REFERENCE" ] }'
        $errorsBefore = $Error.Count
        $c = Get-Completion "Get-ArkImage -ConfigPath '$config' -Image "
        $c.Texts.Count | Should -Be 0
        $Error.Count | Should -Be $errorsBefore
    }
}

Describe 'Completion on the sandbox' -Skip:$skipIntegration {
    BeforeAll {
        $script:sb = Get-TestSandbox
        $script:dh = $sb.DockerHost
        $script:hadV1 = Test-SandboxImage -Sandbox $sb -Reference $sb.ImageV1
        $script:hadV2 = Test-SandboxImage -Sandbox $sb -Reference $sb.ImageV2
        $null = Invoke-SandboxDocker $sb pull -q $sb.ImageV1
        $null = Invoke-SandboxDocker $sb pull -q $sb.ImageV2
        # Another local tag of the required image's repository, on the same image.
        $script:extraTag = ($sb.ImageV1 -replace ':[^:/]+$', '') + ":pester-$run"
        $null = Invoke-SandboxDocker $sb tag $sb.ImageV1 $extraTag
        $script:config = New-TestConfig -Path (Join-Path $TestDrive 'config.json') -DockerHost $dh -Images $sb.ImageV1
        # A server on another tag of the repository.
        $script:server = "pester-$run-completion"
        $null = New-ArkServer -Name $server -Image $sb.ImageV2 -Network none -RestartPolicy no -ConfigPath $config -Confirm:$false -ErrorAction Stop
    }

    AfterAll {
        if ($sb) {
            Invoke-SandboxDockerQuietly $sb rm -f $server
            Invoke-SandboxDockerQuietly $sb rmi $extraTag
            if (-not $hadV2) { Invoke-SandboxDockerQuietly $sb rmi $sb.ImageV2 }
            if (-not $hadV1) { Invoke-SandboxDockerQuietly $sb rmi $sb.ImageV1 }
        }
    }

    It '-Name completes the server names (<_>)' -ForEach @('Get-ArkServer -Name', 'Stop-ArkServer -Name', 'Update-ArkImage -Server', 'Get-ArkUpdateHistory -Name') {
        $command, $parameter = $_ -split ' '
        $c = Get-Completion "$command -DockerHost $dh $parameter "
        $c.Texts | Should -Contain $server
        $c.Elapsed.TotalSeconds | Should -BeLessThan 7.5 # 3x the completion's 2.5 s give-up
        $c.Matches.Where({ $_.CompletionText -eq $server })[0].ToolTip | Should -Match ([regex]::Escape($sb.ImageV2))
    }

    It '-Name offers only the names that start with the typed word' {
        $c = Get-Completion "Start-ArkServer -DockerHost $dh -Name pester-$run"
        $c.Texts | Should -Be @($server)
        (Get-Completion "Start-ArkServer -DockerHost $dh -Name 'pester-$run").Texts | Should -Be @("'$server'")
        (Get-Completion "Start-ArkServer -DockerHost $dh -Name no-such-server-$run").Texts.Count | Should -Be 0
    }

    It '-Image completes the required images and the local tags of their repositories' {
        $c = Get-Completion "Update-ArkImage -ConfigPath '$config' -Image "
        $c.Texts | Should -Contain $sb.ImageV1
        $c.Texts | Should -Contain $extraTag
        $c.Texts | Should -Contain $sb.ImageV2 -Because 'a server of the repository runs it'
        $c.Elapsed.TotalSeconds | Should -BeLessThan 7.5 # 3x the completion's 2.5 s give-up
        ($c.Matches.Where({ $_.CompletionText -eq $sb.ImageV1 })[0].ToolTip) | Should -Match 'Required image'
    }

    It '-Image filters by the typed word, also from a path segment ("tbro98/ase-server:pester-...")' {
        $c = Get-Completion "Get-ArkImage -ConfigPath '$config' -Image $extraTag"
        $c.Texts | Should -Be @($extraTag)
        $segment = Get-Completion "Get-ArkImage -ConfigPath '$config' -Image tbro98/ase-server:pester-$run"
        $segment.Texts | Should -Be @($extraTag)
    }

    It 'a relative -ConfigPath is relative to the PowerShell location' {
        Push-Location -LiteralPath (Split-Path -Parent $config)
        try {
            (Get-Completion "Get-ArkImageStatus -ConfigPath ./config.json -Image ").Texts | Should -Contain $sb.ImageV1
        }
        finally {
            Pop-Location
        }
    }
}
