# The module as a user gets it from a gallery: the PowerShell-Gallery-style package that 'dotnet cake --target=Pack'
# makes (artifacts/psgallery) is installed with PSResourceGet from a local repository into a temporary module path,
# imported by name in a fresh pwsh, and run against the sandbox; its version is the library package's.
# Skipped when the packages are missing (the Test target does not pack), unless ARKMANAGER_REQUIRE_PACKAGES=1 (the Pack
# target sets it), which makes a missing package a failure.
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../artifacts/module/ArkManager.Images'),
    [string] $ArtifactsPath = (Join-Path $PSScriptRoot '../../artifacts')
)

BeforeDiscovery {
    $required = $env:ARKMANAGER_REQUIRE_PACKAGES -eq '1'
    $present = @(Get-ChildItem -Path (Join-Path $ArtifactsPath 'psgallery') -Filter 'ArkManager.Images.*.nupkg' -ErrorAction SilentlyContinue).Count -gt 0
    $script:skipPackage = -not $required -and -not $present
}

Describe 'The module package (PowerShell Gallery style)' -Skip:$skipPackage {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $script:artifacts = [System.IO.Path]::GetFullPath($ArtifactsPath)
        $gallery = Join-Path $artifacts 'psgallery'
        $script:modulePackage = @(Get-ChildItem -Path $gallery -Filter 'ArkManager.Images.*.nupkg' -ErrorAction SilentlyContinue) | Select-Object -First 1
        if (-not $modulePackage) { throw "No module package in $gallery. Run: dotnet cake --target=Pack" }
        $script:libraryPackage = @(Get-ChildItem -Path (Join-Path $artifacts 'packages') -Filter 'ArkManager.Images.*.nupkg' -ErrorAction SilentlyContinue) |
            Where-Object Name -NotLike '*.symbols.nupkg' | Select-Object -First 1
        if (-not $libraryPackage) { throw "No library package in $(Join-Path $artifacts 'packages'). Run: dotnet cake --target=Pack" }
        $script:libraryVersion = $libraryPackage.Name -replace '^ArkManager\.Images\.(.+)\.nupkg$', '$1'

        # A fresh pwsh (the one running these tests, also when it is 'dotnet pwsh').
        $self = Get-Process -Id $PID
        $script:pwsh, $script:pwshPrefix = if ($self.ProcessName -eq 'dotnet') { $self.Path, @((Join-Path $PSHOME 'pwsh.dll')) } else { $self.Path, @() }

        $script:work = (New-Item -ItemType Directory -Path (Join-Path ([System.IO.Path]::GetTempPath()) ("ark-pkgtest-" + [guid]::NewGuid().ToString('N').Substring(0, 8)))).FullName
        $script:modules = Join-Path $work 'modules'
        $null = New-Item -ItemType Directory -Path $modules

        # Install: register the folder as a PSResourceGet repository and save the module from it into a temporary module
        # path, in a child pwsh whose PSResourceGet store is a throw-away one (XDG_DATA_HOME), so the user's repositories
        # are untouched; on Windows, where that store cannot be moved, under a unique name unregistered afterwards.
        $install = @'
param([string] $Repository, [string] $Destination)
$ErrorActionPreference = 'Stop'
if (-not $IsWindows -and [Environment]::GetFolderPath('LocalApplicationData') -ne $env:XDG_DATA_HOME) {
    throw "PSResourceGet's repository store would not be the throw-away one (XDG_DATA_HOME='$env:XDG_DATA_HOME')."
}
$name = if ($IsWindows) { "ArkLocal-$PID" } else { 'ArkLocal' }
Register-PSResourceRepository -Name $name -Uri $Repository -Trusted
try {
    $found = Find-PSResource -Name ArkManager.Images -Repository $name
    Save-PSResource -Name ArkManager.Images -Repository $name -Path $Destination -TrustRepository
    "found=$($found.Version)"
}
finally {
    Unregister-PSResourceRepository -Name $name
}
'@
        $installScript = Join-Path $work 'Install.ps1'
        Set-Content -LiteralPath $installScript -Value $install
        $savedXdg = $env:XDG_DATA_HOME
        try {
            # The folder must exist: .NET ignores an XDG_DATA_HOME that does not, and PSResourceGet then writes its
            # store relative to the current directory.
            if (-not $IsWindows) { $env:XDG_DATA_HOME = (New-Item -ItemType Directory -Path (Join-Path $work 'psresourceget')).FullName }
            $script:installOutput = & $pwsh @pwshPrefix -NoProfile -NonInteractive -File $installScript -Repository $gallery -Destination $modules 2>&1
            $script:installExit = $LASTEXITCODE
        }
        finally {
            $env:XDG_DATA_HOME = $savedXdg
        }

        # Runs a script in a fresh pwsh whose module path starts with the temporary one; returns its JSON output as an object.
        function script:Invoke-InstalledModule([string] $Script) {
            $savedPath = $env:PSModulePath
            try {
                $env:PSModulePath = $modules + [System.IO.Path]::PathSeparator + $savedPath
                $output = & $pwsh @pwshPrefix -NoProfile -NonInteractive -Command $Script 2>&1
                $exit = $LASTEXITCODE
            }
            finally {
                $env:PSModulePath = $savedPath
            }
            $text = ($output | ForEach-Object { "$_" }) -join [Environment]::NewLine
            if ($exit -ne 0) { throw "The fresh pwsh exited $exit`: $text" }
            $json = ($output | ForEach-Object { "$_" } | Where-Object { $_ -like '{*' } | Select-Object -Last 1)
            if (-not $json) { throw "The fresh pwsh printed no JSON: $text" }
            $json | ConvertFrom-Json
        }
    }

    AfterAll {
        if ($script:work -and (Test-Path -LiteralPath $script:work)) {
            Remove-Item -LiteralPath $script:work -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    It 'has the version of the library package' {
        $modulePackage.Name | Should -Be "ArkManager.Images.$libraryVersion.nupkg"
    }

    It 'installs with PSResourceGet from a local repository into a temporary module path' {
        $installExit | Should -Be 0 -Because ($installOutput -join [Environment]::NewLine)
        ($installOutput -join ' ') | Should -Match "found=$([regex]::Escape(($libraryVersion -split '-')[0]))"
        $numeric = ($libraryVersion -split '-')[0]
        Join-Path $modules "ArkManager.Images/$numeric/ArkManager.Images.psd1" | Should -Exist
        Join-Path $modules "ArkManager.Images/$numeric/net8.0/ArkManager.Images.PowerShell.dll" | Should -Exist
        Join-Path $modules "ArkManager.Images/$numeric/netstandard2.0/ArkManager.Images.PowerShell.dll" | Should -Exist
    }

    It 'the installed manifest is valid and its ModuleVersion is the package version' {
        $numeric, $label = $libraryVersion -split '-', 2
        $manifestPath = Join-Path $modules "ArkManager.Images/$numeric/ArkManager.Images.psd1"
        $manifest = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
        $manifest.Version.ToString() | Should -Be $numeric
        $data = Import-PowerShellDataFile -LiteralPath $manifestPath
        "$($data.PrivateData.PSData['Prerelease'])" | Should -Be "$label"
        $data.PrivateData.PSData['ProjectUri'] | Should -Not -BeNullOrEmpty
    }

    It 'imports by name in a fresh pwsh and exports the cmdlets of its manifest' {
        $result = Invoke-InstalledModule @'
$ErrorActionPreference = 'Stop'
Import-Module ArkManager.Images
$module = Get-Module ArkManager.Images
[pscustomobject]@{
    ModuleBase = $module.ModuleBase
    Version    = $module.Version.ToString()
    Commands   = @(Get-Command -Module ArkManager.Images | ForEach-Object Name | Sort-Object)
} | ConvertTo-Json -Compress
'@
        $result.ModuleBase | Should -BeLike ((Join-Path $modules 'ArkManager.Images') + '*')
        $result.Version | Should -Be ($libraryVersion -split '-')[0]
        $exported = @((Import-PowerShellDataFile -LiteralPath (Join-Path $result.ModuleBase 'ArkManager.Images.psd1')).CmdletsToExport | Sort-Object)
        $exported.Count | Should -BeGreaterThan 0
        @($result.Commands) | Should -Be $exported
    }

    Context 'against the sandbox engine' {
        BeforeAll {
            $script:sandbox = Get-TestSandbox
            if (-not $sandbox -and (Test-SandboxRequired)) { throw 'The sandbox is not running (tests/sandbox/sandbox.sh start).' }
        }

        It 'runs Get-ArkImageStatus from the installed module' {
            if (-not $sandbox) { Set-ItResult -Skipped -Because 'the sandbox is not running'; return }
            $result = Invoke-InstalledModule @"
`$ErrorActionPreference = 'Stop'
Import-Module ArkManager.Images
`$status = @(Get-ArkImageStatus -DockerHost '$($sandbox.DockerHost)' -Image '$($sandbox.ImageV1)')
[pscustomobject]@{
    Count    = `$status.Count
    Image    = `$status[0].Image
    Present  = `$status[0].Present
    Type     = `$status[0].GetType().FullName
    Location = [ArkManager.Images.IArkImageManager].Assembly.Location
} | ConvertTo-Json -Compress
"@
            $result.Count | Should -Be 1
            $result.Image | Should -Be $sandbox.ImageV1
            $result.Present | Should -BeOfType [bool]
            $result.Type | Should -Be 'ArkManager.Images.ImageStatus'
            $result.Location | Should -BeLike ((Join-Path $modules 'ArkManager.Images') + '*')
        }
    }
}
