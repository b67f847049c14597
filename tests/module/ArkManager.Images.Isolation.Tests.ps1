# Dependency isolation. On PowerShell 7 the library, the engine and their dependencies (Docker.DotNet,
# Microsoft.Extensions.Logging.Abstractions, ...) load into the module's own AssemblyLoadContext; the cmdlet assembly
# stays in the default context and references none of them (the bridge pattern of the PowerShell docs). So a session
# that already loaded another version of one of our dependencies still imports and uses the module.
# The tests that start a fresh pwsh run once, in the net8.0 run of Invoke-ModuleTests.ps1 (they choose the build
# themselves). Windows PowerShell 5.1 (the netstandard2.0 build's resolver scoped to the module's folder) cannot run here.
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../artifacts/module/ArkManager.Images')
)

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:edition = Get-TestEdition
    $script:notCore = $PSVersionTable.PSEdition -ne 'Core' -or $edition -ne 'net8.0'
    $script:noSandbox = (-not (Get-TestSandbox)) -and -not (Test-SandboxRequired)
    $nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $script:olderLogging = Join-Path $nugetRoot 'microsoft.extensions.logging.abstractions/6.0.0/lib/net6.0/Microsoft.Extensions.Logging.Abstractions.dll'
    # Restored by tests/module/PesterRestore.proj; a missing file is a failure, not a skip (see the first test).
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
    Import-Module (Join-Path $script:ModulePath 'ArkManager.Images.psd1') -Force -ErrorAction Stop
    $script:sb = Get-TestSandbox
    $nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $script:olderLogging = Join-Path $nugetRoot 'microsoft.extensions.logging.abstractions/6.0.0/lib/net6.0/Microsoft.Extensions.Logging.Abstractions.dll'

    # The names of the assemblies a file references (read from its metadata, without loading it).
    function script:Get-AssemblyReference([string] $Path) {
        $stream = [System.IO.File]::OpenRead($Path)
        try {
            $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
            $reader = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            @($reader.AssemblyReferences | ForEach-Object { $reader.GetString($reader.GetAssemblyReference($_).Name) })
            $pe.Dispose()
        }
        finally {
            $stream.Dispose()
        }
    }

    # The script a fresh pwsh runs: load the older Microsoft.Extensions.Logging.Abstractions, import the module, use the
    # library against the sandbox (with -Verbose, so that the library's ILogger messages flow through the engine).
    $script:isolationScript = @'
$ErrorActionPreference = 'Stop'
Add-Type -LiteralPath '{0}'
$before = [Microsoft.Extensions.Logging.ILogger].Assembly.GetName().Version
Import-Module '{1}' -ErrorAction Stop
$all = @(Get-ArkImageStatus -Image '{2}' -DockerHost '{3}' -Verbose 4>&1)
$verbose = @($all | Where-Object {{ $_ -is [System.Management.Automation.VerboseRecord] }})
$status = $all | Where-Object {{ $_ -isnot [System.Management.Automation.VerboseRecord] }} | Select-Object -First 1
$loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object {{ $_.GetName().Name -eq 'Microsoft.Extensions.Logging.Abstractions' }} |
    ForEach-Object {{ '{{0}}@{{1}}' -f $_.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }}
"before=$before"
"after=$([Microsoft.Extensions.Logging.ILogger].Assembly.GetName().Version)"
"image=$($status.Image)"
"present=$($status.Present)"
"type=$($status.GetType().FullName)"
"verbose=$($verbose.Count)"
"loaded=$(@($loaded | Sort-Object) -join ',')"
'@
}

AfterAll {
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'Module layout' {
    It 'each build folder holds only the cmdlet assembly; everything else is in dependencies/ (<_>)' -ForEach @('net8.0', 'netstandard2.0') {
        $top = @(Get-ChildItem -LiteralPath (Join-Path $ModulePath $_) -File -Filter '*.dll' | ForEach-Object Name)
        $top | Should -Be @('ArkManager.Images.PowerShell.dll')
        $dependencies = @(Get-ChildItem -LiteralPath (Join-Path $ModulePath "$_/dependencies") -File -Filter '*.dll' | ForEach-Object Name)
        foreach ($name in 'ArkManager.Images.dll', 'ArkManager.Images.PowerShell.Engine.dll', 'Docker.DotNet.dll', 'Microsoft.Extensions.Logging.Abstractions.dll') {
            $dependencies | Should -Contain $name
        }
    }

    It 'the PowerShell 7 cmdlet assembly references .NET, PowerShell, the library and the engine only: no dependency' {
        $references = Get-AssemblyReference (Join-Path $ModulePath 'net8.0/ArkManager.Images.PowerShell.dll')
        $references | Should -Contain 'ArkManager.Images'
        $references | Should -Contain 'ArkManager.Images.PowerShell.Engine'
        $others = @($references | Where-Object { $_ -notmatch '^(System(\..+)?|netstandard|mscorlib|ArkManager\.Images|ArkManager\.Images\.PowerShell\.Engine)$' })
        $others | Should -BeNullOrEmpty -Because 'a type of a dependency in the cmdlet assembly would load that dependency into the default context'
    }

    It 'the older Microsoft.Extensions.Logging.Abstractions for the isolation test is restored' {
        $olderLogging | Should -Exist -Because 'dotnet restore tests/module/PesterRestore.proj downloads it'
    }
}

Describe 'In this session' {
    It 'on PowerShell 7 the library and its dependencies are in the module''s load context, the cmdlets in the default one' -Skip:$notCore {
        $contextOf = { param($assembly) [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name }
        & $contextOf ([ArkManager.Images.PowerShell.ArkCmdlet].Assembly) | Should -Be 'Default'
        $ours = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'ArkManager.Images', 'ArkManager.Images.PowerShell.Engine', 'Docker.DotNet', 'Microsoft.Extensions.Logging.Abstractions' -and $_.Location -like "$ModulePath*" })
        @($ours | ForEach-Object { $_.GetName().Name } | Sort-Object -Unique) | Should -Contain 'ArkManager.Images'
        foreach ($assembly in $ours) {
            & $contextOf $assembly | Should -Be 'ArkManager.Images' -Because "$($assembly.GetName().Name) belongs to the module's context"
        }
        # Nothing of ours in the default context but the cmdlets.
        @([System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies | Where-Object { $_.Location -like "$ModulePath*" } | ForEach-Object { $_.GetName().Name } | Sort-Object -Unique) |
            Should -Be @('ArkManager.Images.PowerShell')
    }

    It 'type literals of the library resolve to the types the cmdlets output ([ArkManager.Images.ServerSpec], ...)' {
        $spec = [ArkManager.Images.ServerSpec]@{ Name = 'island'; Image = 'tbro98/ase-server:latest' }
        $spec.GetType().Assembly | Should -Be ([ArkManager.Images.ImageInfo].Assembly)
        [ArkManager.Images.ImageReference]::Parse('tbro98/ase-server').ToString() | Should -Be 'tbro98/ase-server:latest'
        # An error's exception, from the library, is of the type the literal names.
        $errors = $null
        Get-ArkImage -Image 'Not A Reference' -DockerHost 'unix:///tmp/arkmgr-nonexistent.sock' -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].Exception | Should -BeOfType ([ArkManager.Images.InvalidImageReferenceException])
    }
}

Describe 'A session that already loaded another version of a dependency' -Skip:$notCore {
    It 'imports the module and runs a cmdlet that uses the library against the sandbox' -Skip:$noSandbox {
        $olderLogging | Should -Exist
        $script = $isolationScript -f $olderLogging, (Join-Path $ModulePath 'ArkManager.Images.psd1'), $sb.ImageV1, $sb.DockerHost
        $r = Invoke-FreshPwsh -Script $script -Environment @{ ARKMANAGER_FORCE_EDITION_BUILD = 'net8.0' }
        $text = $r.Output -join "`n"
        $r.ExitCode | Should -Be 0 -Because $text
        $text | Should -Match '(?m)^before=6\.0\.0\.0$'
        $text | Should -Match ('(?m)^image=' + [regex]::Escape($sb.ImageV1) + '$')
        $text | Should -Match '(?m)^type=ArkManager\.Images\.ImageStatus$'
        $text | Should -Match '(?m)^verbose=[1-9]' -Because 'the library logs through the engine, in its own context'
        # Both versions live side by side: 6.0 in the default context (the session's), 8.0 in the module's.
        $text | Should -Match '(?m)^loaded=6\.0\.0\.0@Default,8\.0\.0\.0@ArkManager\.Images$'
        # The session still sees its own version.
        $text | Should -Match '(?m)^after=6\.0\.0\.0$'
    }

    It 'would fail without the load context: the netstandard2.0 build (default context only) cannot load its 8.0' -Skip:$noSandbox {
        # The control experiment: the same session with the build that resolves into the default context.
        $script = $isolationScript -f $olderLogging, (Join-Path $ModulePath 'ArkManager.Images.psd1'), $sb.ImageV1, $sb.DockerHost
        $r = Invoke-FreshPwsh -Script $script -Environment @{ ARKMANAGER_FORCE_EDITION_BUILD = 'netstandard2.0' }
        $r.ExitCode | Should -Not -Be 0
        ($r.Output -join "`n") | Should -Match 'Microsoft\.Extensions\.Logging\.Abstractions, Version=8\.0\.0\.0'
    }

    It 'imports and reports DockerUnavailable without the sandbox too (the library loads, logging included)' {
        $olderLogging | Should -Exist
        $script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -LiteralPath '$olderLogging'
Import-Module '$(Join-Path $ModulePath 'ArkManager.Images.psd1')'
try { Get-ArkServer -DockerHost 'unix:///tmp/arkmgr-nonexistent.sock' -Verbose } catch { "id=`$(`$_.FullyQualifiedErrorId)" }
"@
        $r = Invoke-FreshPwsh -Script $script -Environment @{ ARKMANAGER_FORCE_EDITION_BUILD = 'net8.0' }
        $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
        ($r.Output -join "`n") | Should -Match 'id=DockerUnavailable,'
    }
}
