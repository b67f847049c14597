@{
    RootModule           = 'ArkManager.Images.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '862cd673-0f94-4c4d-8efd-f1bad7abee4e'
    Author               = 'ArkManager.Images maintainers'
    CompanyName          = 'ArkManager.Images maintainers'
    Copyright            = 'ArkManager.Images maintainers'
    Description          = 'Manual-only management of the Docker images and containers of ARK dedicated servers: check that required images exist, pull them with per-layer progress, tell whether the registry has a newer image (without pulling), create, start and stop server containers, update servers to a newer image through a transaction that rolls back a failing server, roll back, back up and restore server volumes, and keep an update history. Nothing is ever downloaded unless you ask for it.'
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion    = '5.1'
    FormatsToProcess     = @('ArkManager.Images.Format.ps1xml')
    CmdletsToExport      = @(
        'Get-ArkImageStatus'
        'Get-ArkImage'
        'Test-ArkRequiredImage'
        'Install-ArkImage'
        'Test-ArkImageUpdate'
        'Get-ArkServer'
        'New-ArkServer'
        'Start-ArkServer'
        'Stop-ArkServer'
        'Register-ArkServer'
        'Update-ArkServer'
        'Update-ArkImage'
        'Undo-ArkImageUpdate'
        'Get-ArkUpdateHistory'
        'Remove-ArkImage'
        'Backup-ArkServer'
        'Restore-ArkServer'
        'Send-ArkRconCommand'
        'Get-ArkPlayer'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('ARK', 'Docker', 'Containers', 'Images', 'GameServer', 'Update', 'Backup', 'Linux', 'Windows', 'PSEdition_Desktop', 'PSEdition_Core')
            ReleaseNotes = 'Image status, manual pulls with progress, registry update checks, server create/start/stop/register; image updates with health gate and automatic rollback, manual rollback, update history, old-image cleanup, volume backup and restore; owners; RCON commands, player lists and safe stops with countdown warnings; rolling updates of every required image (Update-ArkImage -All); update notifications.'
        }
    }
}
