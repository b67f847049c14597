using System;
using System.Management.Automation;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>Loads the options a cmdlet runs with: the configuration file (-ConfigPath, relative to the PowerShell
    /// location, or the default file), then -DockerHost over it, then -Host to some of the configured hosts.</summary>
    internal static class OptionsLoader
    {
        /// <summary>Loads the options; a broken configuration ends the command (InvalidConfiguration, the file as target).</summary>
        public static ArkManagerOptions Load(PSCmdlet cmdlet, string? configPath, string? dockerHost, string[]? hosts = null)
        {
            try
            {
                string? path = null;
                if (!string.IsNullOrEmpty(configPath))
                {
                    // Relative to the PowerShell location, not the process directory.
                    path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(configPath);
                }

                var options = ArkManagerOptions.Load(path);
                if (!string.IsNullOrEmpty(dockerHost))
                {
                    options = options with { DockerHost = dockerHost };
                }

                if (hosts is { Length: > 0 })
                {
                    options = options.SelectHosts(hosts);
                }

                return options;
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.From(ex, configPath));
                throw; // not reached
            }
        }
    }
}
