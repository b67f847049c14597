# An admin's first day (issue 13): the README's cmdlet table (section "PowerShell") checked against the module.
# Every row names a cmdlet that exists and parameters that exist; the parameters the README uses as switches are
# switches, the ones it shows with a value take that value; every command line in the README binds. No daemon needed.
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../artifacts/module/ArkManager.Images')
)

BeforeDiscovery {
    $readme = Get-Content -LiteralPath (Join-Path $PSScriptRoot '../../README.md')
    # The section "## PowerShell" up to the next "## " heading.
    $start = [array]::IndexOf($readme, '## PowerShell')
    if ($start -lt 0) { throw 'README.md has no "## PowerShell" section.' }
    $end = $start + 1
    while ($end -lt $readme.Count -and $readme[$end] -notmatch '^## ') { $end++ }
    $script:section = $readme[$start..($end - 1)]

    # One row per "| `Cmdlet -Param [-Other] ...` | What it does |" line.
    $script:rows = @(foreach ($line in $section) {
        if ($line -notmatch '^\|\s*`([^`]+)`\s*\|(.*)\|\s*$') { continue }
        $syntax = $Matches[1].Trim()
        $words = $syntax -split '\s+'
        $parameters = @()
        # -Name, [-Name], or -Name value / [-Name value] (a value is a word that is neither [ nor -...).
        $tokens = [regex]::Matches($syntax.Substring($words[0].Length), '\[?-(?<name>[A-Za-z]+)(?:\s+(?<value>[^\s\[\]-][^\s\[\]]*))?\]?')
        foreach ($token in $tokens) {
            $parameters += [pscustomobject]@{
                Name     = $token.Groups['name'].Value
                Value    = if ($token.Groups['value'].Success) { $token.Groups['value'].Value } else { $null }
                Optional = $token.Value.StartsWith('[')
            }
        }
        @{ Row = $syntax; Cmdlet = $words[0]; Parameters = $parameters }
    })
}

BeforeAll {
    $script:ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
    Import-Module (Join-Path $script:ModulePath 'ArkManager.Images.psd1') -Force -ErrorAction Stop
    $script:readmeText = Get-Content -LiteralPath (Join-Path $PSScriptRoot '../../README.md') -Raw

    # Every command line the README shows: the lines of its powershell code blocks and its inline code spans, parsed by
    # PowerShell. Returns the command ASTs whose command is one of the module's.
    function script:Get-ReadmeCommandAst {
        $module = @((Get-Command -Module ArkManager.Images).Name)
        $snippets = [System.Collections.Generic.List[string]]::new()
        foreach ($block in [regex]::Matches($readmeText, '(?ms)^```powershell\s*$(.*?)^```')) {
            # A line ending with a backtick continues on the next one.
            $snippets.Add(($block.Groups[1].Value -replace '`\r?\n', ' '))
        }
        # The first cell of a table row is a syntax summary (-Name -Path: parameters without values), not a command line.
        $prose = ($readmeText -split "`r?`n" | ForEach-Object { $_ -replace '^\|\s*`[^`]+`\s*\|', '|' }) -join "`n"
        foreach ($span in [regex]::Matches($prose, '(?<!`)`([A-Z][a-z]+-Ark[A-Za-z]+(?: [^`]*)?)`(?!`)')) {
            $snippets.Add($span.Groups[1].Value)
        }
        foreach ($snippet in $snippets) {
            foreach ($line in ($snippet -split "`r?`n")) {
                $tokens = $null; $errors = $null
                $ast = [System.Management.Automation.Language.Parser]::ParseInput($line, [ref]$tokens, [ref]$errors)
                if ($errors.Count -gt 0) { continue }
                foreach ($command in $ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                    if ($module -contains $command.GetCommandName()) {
                        [pscustomobject]@{ Line = $line.Trim(); Ast = $command }
                    }
                }
            }
        }
    }

    # How the README uses each parameter of each cmdlet in its command lines: Switch (-X followed by another
    # parameter, a pipe or the end) or Value (-X value / -X:value).
    function script:Get-ReadmeUsage {
        $usage = @{}
        foreach ($command in Get-ReadmeCommandAst) {
            $elements = $command.Ast.CommandElements
            for ($i = 1; $i -lt $elements.Count; $i++) {
                $element = $elements[$i]
                if ($element -isnot [System.Management.Automation.Language.CommandParameterAst]) { continue }
                $hasValue = $null -ne $element.Argument -or ($i + 1 -lt $elements.Count -and $elements[$i + 1] -isnot [System.Management.Automation.Language.CommandParameterAst])
                $key = '{0} -{1}' -f $command.Ast.GetCommandName(), $element.ParameterName
                if (-not $usage.ContainsKey($key)) { $usage[$key] = [System.Collections.Generic.List[object]]::new() }
                $usage[$key].Add([pscustomobject]@{ Kind = $(if ($hasValue) { 'Value' } else { 'Switch' }); Line = $command.Line })
            }
        }
        $usage
    }

    # The module's parameter for a README name: by name or alias (PowerShell binds both).
    function script:Find-Parameter($Command, [string] $Name) {
        foreach ($parameter in $Command.Parameters.Values) {
            if ($parameter.Name -eq $Name -or $parameter.Aliases -contains $Name) { return $parameter }
        }
        $null
    }

    # The problems of one table row, each naming the row; nothing when the row is true.
    function script:Test-ReadmeRow([string] $Row, [string] $Cmdlet, [object[]] $Parameters) {
        $command = Get-Command -Name $Cmdlet -Module ArkManager.Images -ErrorAction SilentlyContinue
        if (-not $command) { return "README row '$Row': the module has no cmdlet $Cmdlet" }
        foreach ($shown in $Parameters) {
            $parameter = Find-Parameter $command $shown.Name
            if (-not $parameter) { "README row '$Row': $Cmdlet has no parameter -$($shown.Name)"; continue }
            $isSwitch = $parameter.ParameterType -eq [System.Management.Automation.SwitchParameter]
            if ($shown.Optional -and @($parameter.ParameterSets.Values | Where-Object { -not $_.IsMandatory }).Count -eq 0) {
                "README row '$Row': -$($shown.Name) is shown optional but $Cmdlet always requires it"
            }
            if ($null -ne $shown.Value) {
                # Shown with a value (e.g. -WarningMinutes 15,10,5,1): a value parameter that accepts it.
                if ($isSwitch) { "README row '$Row': -$($shown.Name) is a switch of $Cmdlet, the README gives it the value '$($shown.Value)'"; continue }
                try {
                    $value = Invoke-Expression ('Write-Output -NoEnumerate {0}' -f $shown.Value)
                    $null = [System.Management.Automation.LanguagePrimitives]::ConvertTo($value, $parameter.ParameterType)
                }
                catch { "README row '$Row': '$($shown.Value)' is not a valid -$($shown.Name) ($($parameter.ParameterType.Name)): $($_.Exception.Message)" }
                continue
            }
            # Shown bare: the table's syntax leaves out every value (-Name, not -Name <String>), so what the README means
            # comes from its words: the on/off options it names (Quiet, Force, Offline, ...) are switches, the rest take values.
            if ($readmeSwitches -contains $shown.Name -and -not $isSwitch) {
                "README row '$Row': -$($shown.Name) is an on/off option in the README but a $($parameter.ParameterType.Name) of $Cmdlet"
            }
            if ($readmeSwitches -notcontains $shown.Name -and $isSwitch) {
                "README row '$Row': -$($shown.Name) is a switch of $Cmdlet, but the README does not present it as an on/off option"
            }
            # And its command lines say it too: -X alone is a switch, -X value is not.
            $key = "$Cmdlet -$($shown.Name)"
            foreach ($use in @(if ($usage.ContainsKey($key)) { $usage[$key] })) {
                if ($use.Kind -eq 'Switch' -and -not $isSwitch) {
                    "README row '$Row': the README uses -$($shown.Name) as a switch ('$($use.Line)') but it is a $($parameter.ParameterType.Name)"
                }
                if ($use.Kind -eq 'Value' -and $isSwitch) {
                    "README row '$Row': the README gives the switch -$($shown.Name) a value ('$($use.Line)')"
                }
            }
        }
    }

    $script:usage = Get-ReadmeUsage

    # The table's bare parameters that the README presents as on/off options (its descriptions: "optionally the update
    # check", "-Quiet gives one boolean", "unless -Force", "-Offline recreates ...", "(skipped when ...) -NoWarning" ...).
    $script:readmeSwitches = @('CheckForUpdates', 'Quiet', 'Force', 'NoRecreate', 'BackupVolumes', 'Offline', 'NoCompress', 'All', 'ContinueOnError', 'NoWarning', 'Notify')
}

AfterAll {
    Remove-Module ArkManager.Images -ErrorAction SilentlyContinue
}

Describe 'The README''s cmdlet table' {
    It 'has a row for every cmdlet of the module' {
        $rows.Count | Should -BeGreaterThan 15
        $named = @($rows | ForEach-Object { $_.Cmdlet }) | Sort-Object -Unique
        $exported = @((Get-Command -Module ArkManager.Images -CommandType Cmdlet).Name)
        $exported.Count | Should -BeGreaterThan 15
        @($exported | Where-Object { $named -notcontains $_ }) | Should -BeNullOrEmpty -Because 'a cmdlet the README does not list is unknown to a newcomer'
    }

    It 'row "<Row>": the cmdlet exists with every parameter shown; switches are switches, values bind' -ForEach $rows {
        $Parameters.Count | Should -Be ([regex]::Matches($Row, '(^|\s|\[)-[A-Za-z]').Count) -Because "every parameter of the row '$Row' is read"
        @(Test-ReadmeRow -Row $Row -Cmdlet $Cmdlet -Parameters $Parameters) | Should -BeNullOrEmpty
    }

    It 'the parameters the README uses as switches include real switches (the usage check is not empty)' {
        $switchUses = @($usage.Keys | Where-Object { @($usage[$_] | Where-Object Kind -eq 'Switch').Count -gt 0 })
        $switchUses.Count | Should -BeGreaterThan 1
        # Positive control of the switch rule: a switch the table and the examples both show, and a value parameter.
        @($usage['Test-ArkRequiredImage -Quiet'].Kind) | Should -Contain 'Switch'
        @($usage['Install-ArkImage -Image'].Kind) | Should -Contain 'Value'
        (Get-Command Test-ArkRequiredImage).Parameters['Quiet'].ParameterType | Should -Be ([System.Management.Automation.SwitchParameter])
        (Get-Command Install-ArkImage).Parameters['Image'].ParameterType | Should -Not -Be ([System.Management.Automation.SwitchParameter])
    }

    It 'every command line of the README binds to the module''s parameters' {
        $commands = @(Get-ReadmeCommandAst)
        $commands.Count | Should -BeGreaterThan 20
        $failures = foreach ($command in $commands) {
            $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($command.Ast, $true)
            foreach ($name in $binding.BindingExceptions.Keys) {
                $exception = $binding.BindingExceptions[$name]
                # A mandatory parameter left out is fine in a README line (it may come from the pipeline); anything else is not.
                if ($exception.BindingException.ErrorId -eq 'MissingMandatoryParameter') { continue }
                '{0}: {1} ({2})' -f $command.Line, $name, $exception.BindingException.Message
            }
        }
        @($failures) | Should -BeNullOrEmpty
    }

    It 'a wrong row fails naming it (controls: a missing cmdlet, a missing parameter, a value for a switch, a bad value, a switch used as a value parameter)' {
        $p = { param($n, $v, $o) [pscustomobject]@{ Name = $n; Value = $v; Optional = $o } }
        (@(Test-ReadmeRow -Row 'Remove-ArkImages -Image' -Cmdlet 'Remove-ArkImages' -Parameters @(& $p 'Image' $null $false)) -join "`n") | Should -Match "row 'Remove-ArkImages -Image': the module has no cmdlet"
        (@(Test-ReadmeRow -Row 'Remove-ArkImage -Image [-KeepNewest]' -Cmdlet 'Remove-ArkImage' -Parameters @((& $p 'Image' $null $false), (& $p 'KeepNewest' $null $true))) -join "`n") | Should -Match "row 'Remove-ArkImage -Image \[-KeepNewest\]': Remove-ArkImage has no parameter -KeepNewest"
        (@(Test-ReadmeRow -Row 'Update-ArkServer -Name [-Force 3]' -Cmdlet 'Update-ArkServer' -Parameters @((& $p 'Name' $null $false), (& $p 'Force' '3' $true))) -join "`n") | Should -Match 'Force is a switch'
        (@(Test-ReadmeRow -Row 'Stop-ArkServer -Name [-WarningMinutes soon]' -Cmdlet 'Stop-ArkServer' -Parameters @((& $p 'Name' $null $false), (& $p 'WarningMinutes' 'soon' $true))) -join "`n") | Should -Match "'soon' is not a valid -WarningMinutes"
        (@(Test-ReadmeRow -Row 'Install-ArkImage [-Image]' -Cmdlet 'Install-ArkImage' -Parameters @(& $p 'Image' $null $true)) -join "`n") | Should -Match 'shown optional'
        $script:usage['Get-ArkImage -Image'] = [System.Collections.Generic.List[object]]@([pscustomobject]@{ Kind = 'Switch'; Line = 'Get-ArkImage -Image' })
        try { (@(Test-ReadmeRow -Row 'Get-ArkImage [-Image]' -Cmdlet 'Get-ArkImage' -Parameters @(& $p 'Image' $null $true)) -join "`n") | Should -Match 'as a switch' }
        finally { $script:usage = Get-ReadmeUsage }
        (@(Test-ReadmeRow -Row 'Update-ArkImage [-Offline]' -Cmdlet 'Update-ArkImage' -Parameters @(& $p 'Offline' $null $true)) -join "`n") | Should -BeNullOrEmpty
        (@(Test-ReadmeRow -Row 'Update-ArkImage [-MaxParallel]' -Cmdlet 'Update-ArkImage' -Parameters @(& $p 'MaxParallel' $null $true)) -join "`n") | Should -BeNullOrEmpty
        $script:readmeSwitches += 'MaxParallel'
        try { (@(Test-ReadmeRow -Row 'Update-ArkImage [-MaxParallel]' -Cmdlet 'Update-ArkImage' -Parameters @(& $p 'MaxParallel' $null $true)) -join "`n") | Should -Match 'MaxParallel is an on/off option in the README but a ' }
        finally { $script:readmeSwitches = @($readmeSwitches | Where-Object { $_ -ne 'MaxParallel' }) }
        (@(Test-ReadmeRow -Row 'Update-ArkImage [-Offline]' -Cmdlet 'Update-ArkImage' -Parameters @(& $p 'Offline' $null $true)) -join "`n") | Should -BeNullOrEmpty
        $script:readmeSwitches = @($readmeSwitches | Where-Object { $_ -ne 'Offline' })
        try { (@(Test-ReadmeRow -Row 'Update-ArkImage [-Offline]' -Cmdlet 'Update-ArkImage' -Parameters @(& $p 'Offline' $null $true)) -join "`n") | Should -Match 'does not present it as an on/off option' }
        finally { $script:readmeSwitches += 'Offline' }
        # The true rows of the same cmdlets pass (positive control).
        Test-ReadmeRow -Row 'Remove-ArkImage -Image [-KeepLatest]' -Cmdlet 'Remove-ArkImage' -Parameters @((& $p 'Image' $null $false), (& $p 'KeepLatest' $null $true)) | Should -BeNullOrEmpty
    }
}
