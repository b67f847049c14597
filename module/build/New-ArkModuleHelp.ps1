<#
.SYNOPSIS
    Generates the MAML help of the ArkManager.Images cmdlets (en-US/ArkManager.Images.PowerShell.dll-Help.xml) from
    the cmdlets' own metadata and their XML doc comments.

.DESCRIPTION
    Runs at build time, after the module has been assembled (build.cake's Build task, tests/module/Assemble-Module.ps1).
    Run it in a fresh pwsh: it imports the assembled module to read what PowerShell itself sees of every exported
    cmdlet (name, parameter sets, parameters with their types, positions, aliases, pipeline input, wildcards, validate
    sets and defaults, output types), and takes the text from the XML documentation file of the cmdlet assembly:

      cmdlet class   <summary>                     synopsis
                     <remarks><para>…              description (one paragraph per para)
                     <example><code>…</code><para>…  an example: the code, then its remarks
                     <input type="…">…             an input type and what it binds to
                     <output type="…">…            an output type (the OutputType attributes add the others)
                     <note>…                       a note (the notes of the base classes, e.g. ArkCmdlet, come first)
                     <parameter name="WhatIf">…    the text of a parameter that has no property (WhatIf, Confirm),
                                                   or a per-cmdlet text for an inherited one
                     <seealso cref="…Command"/>    a related link (about_ArkManager.Images is always added)
      parameter      <summary>                     the parameter's description

    Fails (exit 1) naming every cmdlet without a synopsis, a description or an example, and every parameter without a
    description, so that the build fails before a cmdlet ships without help.

.EXAMPLE
    dotnet pwsh -NoProfile -File module/build/New-ArkModuleHelp.ps1 -ModulePath artifacts/module/ArkManager.Images
#>
[CmdletBinding()]
param(
    # The assembled module folder (with ArkManager.Images.psd1 and net8.0/).
    [Parameter(Mandatory)]
    [string] $ModulePath,

    # The XML documentation file of the cmdlet assembly. Default: <ModulePath>/net8.0/ArkManager.Images.PowerShell.xml.
    [string] $DocumentationFile,

    [string] $Culture = 'en-US'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
if (-not $DocumentationFile) {
    $DocumentationFile = Join-Path $ModulePath 'net8.0/ArkManager.Images.PowerShell.xml'
}
if (-not (Test-Path -LiteralPath $DocumentationFile)) {
    throw "The XML documentation file '$DocumentationFile' is missing: the cmdlet project must build with GenerateDocumentationFile."
}

$manifestPath = Join-Path $ModulePath 'ArkManager.Images.psd1'
$manifest = Import-PowerShellDataFile -LiteralPath $manifestPath
Import-Module $manifestPath -Force -ErrorAction Stop
$moduleName = 'ArkManager.Images'
$aboutTopic = "about_$moduleName"

# ---------------------------------------------------------------------------------------------------------------------
# The XML doc comments, by member id (T:Namespace.Type, P:Namespace.Type.Property).
$docs = @{}
$docXml = [System.Xml.XmlDocument]::new()
$docXml.PreserveWhitespace = $true
$docXml.Load($DocumentationFile)
foreach ($member in $docXml.doc.members.member) {
    $docs[$member.name] = $member
}

$commands = @(foreach ($name in $manifest.CmdletsToExport) {
    Get-Command -Name $name -Module $moduleName -CommandType Cmdlet -ErrorAction Stop
})
$cmdletByType = @{}
foreach ($command in $commands) { $cmdletByType[$command.ImplementingType.FullName] = $command.Name }

function Resolve-Cref([string] $Cref) {
    $kind, $id = $Cref -split ':', 2
    if (-not $id) { return $Cref }
    switch ($kind) {
        'T' {
            if ($cmdletByType.ContainsKey($id)) { return $cmdletByType[$id] }
            return ($id -split '\.')[-1]
        }
        'P' {
            $typeName = $id.Substring(0, $id.LastIndexOf('.'))
            $member = $id.Substring($id.LastIndexOf('.') + 1)
            if ($cmdletByType.ContainsKey($typeName) -or $typeName -like '*.ArkCmdlet') { return "-$member" }
            return $member
        }
        default { return (($id -split '\(')[0] -split '\.')[-1] }
    }
}

# The text of a doc node: inline elements flattened, whitespace collapsed.
function Get-InlineText($Node) {
    $text = [System.Text.StringBuilder]::new()
    foreach ($child in $Node.ChildNodes) {
        switch ($child.NodeType) {
            'Text' { $null = $text.Append($child.Value) }
            'CDATA' { $null = $text.Append($child.Value) }
            'Whitespace' { $null = $text.Append(' ') }
            'SignificantWhitespace' { $null = $text.Append(' ') }
            'Element' {
                switch ($child.LocalName) {
                    { $_ -in 'see', 'seealso' } {
                        if ($child.HasAttribute('cref')) { $null = $text.Append((Resolve-Cref $child.GetAttribute('cref'))) }
                        elseif ($child.HasAttribute('langword')) { $null = $text.Append('$' + $child.GetAttribute('langword')) }
                        elseif ($child.HasAttribute('href')) {
                            $inner = Get-InlineText $child
                            $null = $text.Append($(if ($inner) { $inner } else { $child.GetAttribute('href') }))
                        }
                        break
                    }
                    { $_ -in 'paramref', 'typeparamref' } { $null = $text.Append('-' + $child.GetAttribute('name')); break }
                    default { $null = $text.Append((Get-InlineText $child)) }
                }
            }
        }
    }
    return ($text.ToString() -replace '\s+', ' ').Trim()
}

# The paragraphs of a doc node: its <para> children, or the node itself as one paragraph.
function Get-Paragraphs($Node) {
    if ($null -eq $Node) { return @() }
    $paras = @($Node.ChildNodes | Where-Object { $_.NodeType -eq 'Element' -and $_.LocalName -eq 'para' })
    if ($paras.Count -eq 0) {
        $text = Get-InlineText $Node
        if ($text) { return @($text) }
        return @()
    }
    $result = [System.Collections.Generic.List[string]]::new()
    $loose = [System.Text.StringBuilder]::new()
    foreach ($child in $Node.ChildNodes) {
        if ($child.NodeType -eq 'Element' -and $child.LocalName -eq 'para') {
            $before = ($loose.ToString() -replace '\s+', ' ').Trim()
            if ($before) { $result.Add($before) }
            $null = $loose.Clear()
            $para = Get-InlineText $child
            if ($para) { $result.Add($para) }
        }
        elseif ($child.NodeType -eq 'Element' -and $child.LocalName -eq 'code') {
            continue
        }
        else {
            $wrapper = $child.OwnerDocument.CreateElement('x')
            $null = $wrapper.AppendChild($child.CloneNode($true))
            $null = $loose.Append(' ').Append((Get-InlineText $wrapper))
        }
    }
    $after = ($loose.ToString() -replace '\s+', ' ').Trim()
    if ($after) { $result.Add($after) }
    return $result.ToArray()
}

# The code of an example: its lines without their common indentation and without leading/trailing blank lines.
function Get-CodeText($Node) {
    $lines = @(($Node.InnerText -replace "`r", '') -split "`n")
    while ($lines.Count -gt 0 -and -not $lines[0].Trim()) { $lines = @($lines | Select-Object -Skip 1) }
    while ($lines.Count -gt 0 -and -not $lines[-1].Trim()) { $lines = @($lines | Select-Object -SkipLast 1) }
    if ($lines.Count -eq 0) { return '' }
    # The first line may start right after <code> (no indentation): it does not count.
    $indented = @($lines | Select-Object -Skip 1 | Where-Object { $_.Trim() })
    $first = $lines[0]
    if ($first -match '^\s') { $indented += $first }
    $indent = if ($indented.Count -gt 0) { ($indented | ForEach-Object { ($_ -replace '^(\s*).*$', '$1').Length } | Measure-Object -Minimum).Minimum } else { 0 }
    $out = foreach ($line in $lines) {
        if ($line -match '^\s' -and $line.Length -ge $indent) { $line.Substring($indent).TrimEnd() } else { $line.Trim() }
    }
    return ($out -join [Environment]::NewLine)
}

function Get-Doc([string] $Id) { if ($docs.ContainsKey($Id)) { $docs[$Id] } else { $null } }

function Get-ChildElements($Node, [string] $Name) {
    if ($null -eq $Node) { return @() }
    @($Node.ChildNodes | Where-Object { $_.NodeType -eq 'Element' -and $_.LocalName -eq $Name })
}

# A type's chain from the most base class that has docs down to the type (for inherited notes).
function Get-TypeChain([type] $Type) {
    $chain = [System.Collections.Generic.List[type]]::new()
    for ($t = $Type; $null -ne $t -and $t.Assembly -eq $Type.Assembly; $t = $t.BaseType) { $chain.Insert(0, $t) }
    $chain.ToArray()
}

function Get-TypeName([type] $Type, [switch] $Full) {
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { $Type = $underlying }
    if ($Full) { $Type.FullName } else { $Type.Name }
}

function Format-DefaultValue($Value) {
    if ($null -eq $Value) { return 'None' }
    if ($Value -is [System.Management.Automation.SwitchParameter]) { return [string]$Value.IsPresent }
    if ($Value -is [string]) { if ($Value) { return $Value } else { return 'None' } }
    if ($Value -is [System.Collections.ICollection]) { if ($Value.Count -eq 0) { return 'None' } else { return (@($Value) -join ', ') } }
    if ($Value -is [bool]) { return [string]$Value }
    return [string]::Format([cultureinfo]::InvariantCulture, '{0}', $Value)
}

$defaultTexts = @{
    WhatIf  = 'Shows what would happen if the command runs. The command is not run.'
    Confirm = 'Prompts you for confirmation before running the command.'
}
$commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters

# ---------------------------------------------------------------------------------------------------------------------
$problems = [System.Collections.Generic.List[string]]::new()
$helpItems = foreach ($command in $commands) {
    $type = $command.ImplementingType
    $typeDoc = Get-Doc "T:$($type.FullName)"
    if ($null -eq $typeDoc) { $problems.Add("$($command.Name): no XML doc comment on $($type.FullName).") }

    $synopsis = if ($typeDoc) { @(Get-Paragraphs (Get-ChildElements $typeDoc 'summary' | Select-Object -First 1)) -join ' ' } else { '' }
    $description = @(Get-Paragraphs (Get-ChildElements $typeDoc 'remarks' | Select-Object -First 1))
    if (-not $synopsis) { $problems.Add("$($command.Name): no synopsis (<summary> of $($type.Name)).") }
    if ($description.Count -eq 0) { $problems.Add("$($command.Name): no description (<remarks> of $($type.Name)).") }

    $examples = @(foreach ($example in (Get-ChildElements $typeDoc 'example')) {
        $code = Get-ChildElements $example 'code' | Select-Object -First 1
        [pscustomobject]@{
            Code    = if ($code) { Get-CodeText $code } else { '' }
            Remarks = @(Get-Paragraphs $example)
        }
    })
    if ($examples.Count -eq 0) { $problems.Add("$($command.Name): no example (<example> of $($type.Name)).") }
    foreach ($example in $examples) {
        if (-not $example.Code) { $problems.Add("$($command.Name): an example has no <code>.") }
        elseif ($example.Code -notmatch [regex]::Escape($command.Name)) { $problems.Add("$($command.Name): the example '$($example.Code)' does not show the command.") }
        if ($example.Remarks.Count -eq 0) { $problems.Add("$($command.Name): the example '$($example.Code)' has no <para> saying what it does.") }
    }

    $notes = @(foreach ($t in (Get-TypeChain $type)) {
        foreach ($note in (Get-ChildElements (Get-Doc "T:$($t.FullName)") 'note')) { Get-Paragraphs $note }
    })

    $parameterTexts = @{}
    foreach ($entry in (Get-ChildElements $typeDoc 'parameter')) { $parameterTexts[$entry.GetAttribute('name')] = @(Get-Paragraphs $entry) }

    $instance = $null
    try { $instance = [Activator]::CreateInstance($type) } catch { Write-Verbose "$($command.Name): no instance for default values: $_" }

    # The parameters in declaration order: the cmdlet's own, then the inherited ones, then those without a property.
    $parameters = @(foreach ($metadata in $command.Parameters.Values) {
        if ($commonParameters -contains $metadata.Name) { continue }
        $property = $type.GetProperty($metadata.Name)
        $depth = 0
        if ($property) { for ($t = $type; $t -ne $property.DeclaringType; $t = $t.BaseType) { $depth++ } }
        $texts = @(if ($parameterTexts.ContainsKey($metadata.Name)) { $parameterTexts[$metadata.Name] }
                   elseif ($property) { Get-Paragraphs (Get-ChildElements (Get-Doc "P:$($property.DeclaringType.FullName).$($metadata.Name)") 'summary' | Select-Object -First 1) }
                   elseif ($defaultTexts.ContainsKey($metadata.Name)) { $defaultTexts[$metadata.Name] })
        if ($texts.Count -eq 0) { $problems.Add("$($command.Name): no description for -$($metadata.Name) (<summary> of its property).") }
        $sets = @($metadata.ParameterSets.Values)
        $positions = @($sets | Where-Object { $_.Position -ge 0 } | ForEach-Object Position | Sort-Object)
        $default = if ($metadata.SwitchParameter) { 'False' }
                   elseif ($instance -and $property) { Format-DefaultValue ($property.GetValue($instance)) }
                   else { 'None' }
        [pscustomobject]@{
            Name          = $metadata.Name
            Order         = if ($property) { [long]$depth * 1e9 + ($property.MetadataToken -band 0xFFFFFF) } elseif ($metadata.Name -eq 'WhatIf') { [long]1e12 } else { [long]1e12 + 1 }
            Descriptions  = $texts
            Type          = $metadata.ParameterType
            IsSwitch      = $metadata.SwitchParameter
            Required      = ($sets.Count -gt 0 -and @($sets | Where-Object { -not $_.IsMandatory }).Count -eq 0)
            Position      = if ($positions.Count -gt 0) { [string]$positions[0] } else { 'named' }
            ByValue       = @($sets | Where-Object ValueFromPipeline).Count -gt 0
            ByName        = @($sets | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
            Aliases       = @($metadata.Aliases)
            Globbing      = @($metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
            ValidValues   = @($metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | ForEach-Object ValidValues)
            Default       = $default
        }
    }) | Sort-Object Order, Name

    $syntax = @(foreach ($set in $command.ParameterSets) {
        $inSet = @{}
        foreach ($p in $set.Parameters) { $inSet[$p.Name] = $p }
        $ordered = @($parameters | Where-Object { $inSet.ContainsKey($_.Name) } | Sort-Object `
            @{ Expression = { if ($inSet[$_.Name].Position -ge 0) { 0 } elseif ($inSet[$_.Name].IsMandatory) { 1 } else { 2 } } },
            @{ Expression = { $inSet[$_.Name].Position } },
            Order, Name)
        [pscustomobject]@{ Set = $set; Parameters = $ordered; InSet = $inSet }
    })

    $inputs = @(foreach ($entry in (Get-ChildElements $typeDoc 'input')) {
        [pscustomobject]@{ Type = $entry.GetAttribute('type'); Descriptions = @(Get-Paragraphs $entry) }
    })
    if ($inputs.Count -eq 0) {
        $piped = @($parameters | Where-Object { $_.ByValue -or $_.ByName })
        $inputs = @(if ($piped.Count -eq 0) { [pscustomobject]@{ Type = 'None'; Descriptions = @('This command takes no pipeline input.') } }
                    else { $piped | ForEach-Object { [pscustomobject]@{ Type = (Get-TypeName $_.Type -Full); Descriptions = @("Binds to -$($_.Name).") } } })
    }
    $outputs = [System.Collections.Generic.List[object]]::new()
    foreach ($entry in (Get-ChildElements $typeDoc 'output')) {
        $outputs.Add([pscustomobject]@{ Type = $entry.GetAttribute('type'); Descriptions = @(Get-Paragraphs $entry) })
    }
    foreach ($declared in $command.OutputType) {
        if (-not @($outputs | Where-Object { ($_.Type -split ',\s*') -contains $declared.Name })) {
            $outputs.Add([pscustomobject]@{ Type = $declared.Name; Descriptions = @() })
        }
    }

    $links = @(foreach ($entry in (Get-ChildElements $typeDoc 'seealso')) {
        if ($entry.HasAttribute('cref')) { [pscustomobject]@{ Text = Resolve-Cref $entry.GetAttribute('cref'); Uri = '' } }
        elseif ($entry.HasAttribute('href')) { [pscustomobject]@{ Text = $(if ($entry.InnerText.Trim()) { $entry.InnerText.Trim() } else { $entry.GetAttribute('href') }); Uri = $entry.GetAttribute('href') } }
    }) + @([pscustomobject]@{ Text = $aboutTopic; Uri = '' })

    [pscustomobject]@{
        Command     = $command
        Synopsis    = $synopsis
        Description = $description
        Parameters  = $parameters
        Syntax      = $syntax
        Inputs      = $inputs
        Outputs     = $outputs.ToArray()
        Notes       = $notes
        Examples    = $examples
        Links       = $links
    }
}

if ($problems.Count -gt 0) {
    foreach ($problem in $problems) { Write-Host "help: $problem" }
    throw "The help of $($problems.Count) item(s) is missing: add the XML doc comments named above to the cmdlet classes and their parameter properties."
}

# ---------------------------------------------------------------------------------------------------------------------
# MAML
$nsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$nsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$nsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.IndentChars = '  '
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$settings.NewLineChars = "`n"

$helpFileName = $commands[0].HelpFile
if (-not $helpFileName) { $helpFileName = 'ArkManager.Images.PowerShell.dll-Help.xml' }
$helpFileName = Split-Path -Leaf $helpFileName
$outputDirectory = Join-Path $ModulePath $Culture
$null = New-Item -ItemType Directory -Path $outputDirectory -Force
$outputPath = Join-Path $outputDirectory $helpFileName

$stream = [System.IO.MemoryStream]::new()
$w = [System.Xml.XmlWriter]::Create($stream, $settings)

function Write-Paras([string[]] $Paras) {
    $w.WriteStartElement('maml', 'description', $nsMaml)
    foreach ($para in $Paras) { $w.WriteElementString('maml', 'para', $nsMaml, $para) }
    $w.WriteEndElement()
}

function Write-Type([string] $Name) {
    $w.WriteStartElement('dev', 'type', $nsDev)
    $w.WriteElementString('maml', 'name', $nsMaml, $Name)
    $w.WriteElementString('maml', 'uri', $nsMaml, '')
    $w.WriteEndElement()
}

function Write-Parameter($Parameter, [bool] $Required, [string] $Position, [bool] $ByValue, [bool] $ByName) {
    $pipeline = if ($ByValue -and $ByName) { 'True (ByValue, ByPropertyName)' } elseif ($ByValue) { 'True (ByValue)' } elseif ($ByName) { 'True (ByPropertyName)' } else { 'False' }
    $w.WriteStartElement('command', 'parameter', $nsCommand)
    $w.WriteAttributeString('required', $Required.ToString().ToLowerInvariant())
    $w.WriteAttributeString('variableLength', $Parameter.Type.IsArray.ToString().ToLowerInvariant())
    $w.WriteAttributeString('globbing', $Parameter.Globbing.ToString().ToLowerInvariant())
    $w.WriteAttributeString('pipelineInput', $pipeline)
    $w.WriteAttributeString('position', $Position)
    $w.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count -gt 0) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $w.WriteElementString('maml', 'name', $nsMaml, $Parameter.Name)
    Write-Paras $Parameter.Descriptions
    if (-not $Parameter.IsSwitch) {
        if ($Parameter.ValidValues.Count -gt 0) {
            $w.WriteStartElement('command', 'parameterValueGroup', $nsCommand)
            foreach ($value in $Parameter.ValidValues) {
                $w.WriteStartElement('command', 'parameterValue', $nsCommand)
                $w.WriteAttributeString('required', 'false')
                $w.WriteAttributeString('variableLength', 'false')
                $w.WriteString($value)
                $w.WriteEndElement()
            }
            $w.WriteEndElement()
        }
        else {
            $w.WriteStartElement('command', 'parameterValue', $nsCommand)
            $w.WriteAttributeString('required', 'true')
            $w.WriteAttributeString('variableLength', $Parameter.Type.IsArray.ToString().ToLowerInvariant())
            $w.WriteString((Get-TypeName $Parameter.Type))
            $w.WriteEndElement()
        }
    }
    Write-Type (Get-TypeName $Parameter.Type -Full)
    $w.WriteElementString('dev', 'defaultValue', $nsDev, $Parameter.Default)
    $w.WriteEndElement()
}

$w.WriteStartDocument()
$w.WriteComment(' Generated by module/build/New-ArkModuleHelp.ps1 from the cmdlets'' metadata and XML doc comments: edit those, not this file. ')
$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')
foreach ($item in $helpItems) {
    $command = $item.Command
    $w.WriteStartElement('command', 'command', $nsCommand)
    $w.WriteAttributeString('xmlns', 'maml', $null, $nsMaml)
    $w.WriteAttributeString('xmlns', 'dev', $null, $nsDev)

    $w.WriteStartElement('command', 'details', $nsCommand)
    $w.WriteElementString('command', 'name', $nsCommand, $command.Name)
    $w.WriteElementString('command', 'verb', $nsCommand, $command.Verb)
    $w.WriteElementString('command', 'noun', $nsCommand, $command.Noun)
    Write-Paras @($item.Synopsis)
    $w.WriteEndElement()

    Write-Paras $item.Description

    $w.WriteStartElement('command', 'syntax', $nsCommand)
    foreach ($syntaxItem in $item.Syntax) {
        $w.WriteStartElement('command', 'syntaxItem', $nsCommand)
        $w.WriteElementString('maml', 'name', $nsMaml, $command.Name)
        foreach ($parameter in $syntaxItem.Parameters) {
            $info = $syntaxItem.InSet[$parameter.Name]
            Write-Parameter $parameter $info.IsMandatory $(if ($info.Position -ge 0) { [string]$info.Position } else { 'named' }) $info.ValueFromPipeline $info.ValueFromPipelineByPropertyName
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $nsCommand)
    foreach ($parameter in $item.Parameters) {
        Write-Parameter $parameter $parameter.Required $parameter.Position $parameter.ByValue $parameter.ByName
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'inputTypes', $nsCommand)
    foreach ($input in $item.Inputs) {
        $w.WriteStartElement('command', 'inputType', $nsCommand)
        Write-Type $input.Type
        Write-Paras $input.Descriptions
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'returnValues', $nsCommand)
    foreach ($output in $item.Outputs) {
        $w.WriteStartElement('command', 'returnValue', $nsCommand)
        Write-Type $output.Type
        Write-Paras $output.Descriptions
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    if ($item.Notes.Count -gt 0) {
        $w.WriteStartElement('maml', 'alertSet', $nsMaml)
        $w.WriteStartElement('maml', 'alert', $nsMaml)
        foreach ($note in $item.Notes) { $w.WriteElementString('maml', 'para', $nsMaml, $note) }
        $w.WriteEndElement()
        $w.WriteEndElement()
    }

    $w.WriteStartElement('command', 'examples', $nsCommand)
    $number = 0
    foreach ($example in $item.Examples) {
        $number++
        $w.WriteStartElement('command', 'example', $nsCommand)
        $w.WriteElementString('maml', 'title', $nsMaml, "-------------------------- Example $number --------------------------")
        $w.WriteElementString('dev', 'code', $nsDev, $example.Code)
        $w.WriteStartElement('dev', 'remarks', $nsDev)
        foreach ($para in $example.Remarks) { $w.WriteElementString('maml', 'para', $nsMaml, $para) }
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $nsCommand)
    foreach ($link in $item.Links) {
        $w.WriteStartElement('maml', 'navigationLink', $nsMaml)
        $w.WriteElementString('maml', 'linkText', $nsMaml, $link.Text)
        $w.WriteElementString('maml', 'uri', $nsMaml, $link.Uri)
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteEndElement() # command:command
}
$w.WriteEndElement() # helpItems
$w.WriteEndDocument()
$w.Flush()
$w.Dispose()
[System.IO.File]::WriteAllBytes($outputPath, $stream.ToArray())

$parameterCount = ($helpItems | ForEach-Object { $_.Parameters.Count } | Measure-Object -Sum).Sum
$exampleCount = ($helpItems | ForEach-Object { $_.Examples.Count } | Measure-Object -Sum).Sum
Write-Host "help: $outputPath ($($helpItems.Count) cmdlets, $parameterCount parameters, $exampleCount examples)"
