# Merges the Pester result files of several runs (one per build of the cmdlets) into one file of the same format, each
# test's name prefixed with its run's label ('[net8.0] ...'). Dot-source it; used by Invoke-ModuleTests.ps1.

function Merge-TestResult {
    param(
        # The runs: objects with Label and Path.
        [Parameter(Mandatory)] [object[]] $Result,
        [Parameter(Mandatory)] [ValidateSet('NUnitXml', 'JUnitXml', 'NUnit3')] [string] $Format,
        [Parameter(Mandatory)] [string] $Destination
    )

    $documents = @(foreach ($run in $Result) {
        $xml = [System.Xml.XmlDocument]::new()
        $xml.PreserveWhitespace = $false
        $xml.Load($run.Path)
        [pscustomobject]@{ Label = $run.Label; Xml = $xml }
    })
    if ($documents.Count -eq 0) { return }

    function Add-Prefix($Element, [string] $Attribute, [string] $Label) {
        if ($Element.HasAttribute($Attribute)) { $Element.SetAttribute($Attribute, "[$Label] " + $Element.GetAttribute($Attribute)) }
    }

    function Get-Number($Element, [string] $Attribute) {
        $value = 0.0
        if ($Element.HasAttribute($Attribute) -and [double]::TryParse($Element.GetAttribute($Attribute), [System.Globalization.NumberStyles]::Float, [cultureinfo]::InvariantCulture, [ref]$value)) { return $value }
        return 0.0
    }

    function Set-Sum($Target, [object[]] $Sources, [string[]] $Attributes) {
        foreach ($attribute in $Attributes) {
            if (-not $Target.HasAttribute($attribute)) { continue }
            $sum = 0.0
            foreach ($source in $Sources) { $sum += Get-Number $source $attribute }
            $text = if ($attribute -eq 'time' -or $attribute -eq 'duration') { $sum.ToString('0.####', [cultureinfo]::InvariantCulture) } else { ([long]$sum).ToString([cultureinfo]::InvariantCulture) }
            $Target.SetAttribute($attribute, $text)
        }
    }

    $merged = [System.Xml.XmlDocument]::new()
    $first = $documents[0].Xml
    $merged.AppendChild($merged.ImportNode($first.DocumentElement, $false)) | Out-Null
    $root = $merged.DocumentElement
    $roots = @($documents | ForEach-Object { $_.Xml.DocumentElement })

    switch ($Format) {
        'NUnitXml' {
            # NUnit 2.5: <test-results> holds environment, culture-info and one test-suite: a suite per run goes inside.
            Set-Sum $root $roots @('total', 'errors', 'failures', 'not-run', 'inconclusive', 'ignored', 'skipped', 'invalid')
            foreach ($name in 'environment', 'culture-info') {
                $node = $first.DocumentElement.SelectSingleNode($name)
                if ($node) { $root.AppendChild($merged.ImportNode($node, $true)) | Out-Null }
            }
            $topSuites = @($roots | ForEach-Object { $_.SelectSingleNode('test-suite') } | Where-Object { $_ })
            $top = $merged.CreateElement('test-suite')
            $success = @($topSuites | Where-Object { $_.GetAttribute('success') -ne 'True' }).Count -eq 0
            foreach ($pair in @(@('type', 'TestSuite'), @('name', 'Pester'), @('executed', 'True'), @('result', $(if ($success) { 'Success' } else { 'Failure' })), @('success', $(if ($success) { 'True' } else { 'False' })), @('time', '0'), @('asserts', '0'), @('description', "Pester: $(@($documents.Label) -join ', ')"))) {
                $top.SetAttribute($pair[0], $pair[1])
            }
            Set-Sum $top $topSuites @('time', 'asserts')
            $results = $merged.CreateElement('results')
            $top.AppendChild($results) | Out-Null
            foreach ($document in $documents) {
                $suite = $document.Xml.DocumentElement.SelectSingleNode('test-suite')
                if (-not $suite) { continue }
                $copy = $merged.ImportNode($suite, $true)
                $copy.SetAttribute('name', $document.Label)
                $copy.SetAttribute('description', "$($document.Label) build of the cmdlets")
                foreach ($case in @($copy.SelectNodes('.//test-case'))) { Add-Prefix $case 'name' $document.Label }
                $results.AppendChild($copy) | Out-Null
            }
            $root.AppendChild($top) | Out-Null
        }
        'JUnitXml' {
            # JUnit: <testsuites> holds any number of <testsuite>.
            Set-Sum $root $roots @('tests', 'errors', 'failures', 'disabled', 'skipped', 'time')
            $id = 0
            foreach ($document in $documents) {
                foreach ($suite in @($document.Xml.DocumentElement.SelectNodes('testsuite'))) {
                    $copy = $merged.ImportNode($suite, $true)
                    Add-Prefix $copy 'name' $document.Label
                    if ($copy.HasAttribute('id')) { $copy.SetAttribute('id', [string]$id) }
                    $id++
                    foreach ($case in @($copy.SelectNodes('.//testcase'))) { Add-Prefix $case 'name' $document.Label; Add-Prefix $case 'classname' $document.Label }
                    $root.AppendChild($copy) | Out-Null
                }
            }
        }
        'NUnit3' {
            # NUnit 3: <test-run> holds the settings of the first run and the test-suites of every run (ids made unique).
            Set-Sum $root $roots @('testcasecount', 'total', 'passed', 'failed', 'inconclusive', 'skipped', 'warnings', 'asserts', 'duration')
            $failed = @($roots | Where-Object { $_.GetAttribute('result') -like 'Failed*' }).Count -gt 0
            if ($root.HasAttribute('result')) { $root.SetAttribute('result', $(if ($failed) { 'Failed' } else { 'Passed' })) }
            foreach ($node in @($first.DocumentElement.ChildNodes | Where-Object { $_.NodeType -eq 'Element' -and $_.LocalName -ne 'test-suite' })) {
                $root.AppendChild($merged.ImportNode($node, $true)) | Out-Null
            }
            $index = 0
            foreach ($document in $documents) {
                $index++
                foreach ($suite in @($document.Xml.DocumentElement.SelectNodes('test-suite'))) {
                    $copy = $merged.ImportNode($suite, $true)
                    Add-Prefix $copy 'name' $document.Label
                    foreach ($node in @($copy.SelectNodes('descendant-or-self::*[@id]'))) { $node.SetAttribute('id', "$index-" + $node.GetAttribute('id')) }
                    foreach ($node in @($copy.SelectNodes('descendant-or-self::*[@parentId]'))) { $node.SetAttribute('parentId', "$index-" + $node.GetAttribute('parentId')) }
                    foreach ($case in @($copy.SelectNodes('.//test-case'))) { Add-Prefix $case 'name' $document.Label; Add-Prefix $case 'fullname' $document.Label }
                    $root.AppendChild($copy) | Out-Null
                }
            }
        }
    }

    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
    $writer = [System.Xml.XmlWriter]::Create($Destination, $settings)
    try { $merged.Save($writer) } finally { $writer.Dispose() }
}
