using System.Management.Automation;
using ArkManager.Images.PowerShell.Engine;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>Writes one of the library's log messages to the cmdlet's streams: warnings and errors as warnings,
    /// information as verbose, debug and trace as debug (prefixed with the short logger category).</summary>
    internal static class LogStreams
    {
        /// <summary>Writes the message (call on the pipeline thread).</summary>
        public static void Write(Cmdlet cmdlet, ArkLogLevel level, string category, string message)
        {
            if (level >= ArkLogLevel.Warning)
            {
                cmdlet.WriteWarning(message);
            }
            else if (level == ArkLogLevel.Information)
            {
                cmdlet.WriteVerbose(message);
            }
            else
            {
                cmdlet.WriteDebug(ShortCategory(category) + ": " + message);
            }
        }

        private static string ShortCategory(string category)
        {
            var dot = category.LastIndexOf('.');
            return dot >= 0 && dot < category.Length - 1 ? category.Substring(dot + 1) : category;
        }
    }
}
