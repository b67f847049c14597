using System;
using System.Management.Automation;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>
    /// The one rule for -Name: a cmdlet that reads takes wildcards; a cmdlet that changes something takes literal names
    /// only, and a name with a wildcard character (*, ?, [ or ]) is a non-terminating WildcardNotSupported error
    /// (category InvalidArgument) that changes nothing.
    /// </summary>
    internal static class ServerNames
    {
        /// <summary>
        /// True when <paramref name="name"/> is literal; else the WildcardNotSupported record of
        /// <paramref name="command"/> is returned in <paramref name="error"/>.
        /// </summary>
        public static bool IsLiteral(string name, string command, out ErrorRecord? error)
        {
            error = null;
            if (!WildcardPattern.ContainsWildcardCharacters(name))
            {
                return true;
            }

            error = ErrorRecords.Create(
                "WildcardNotSupported",
                ErrorCategory.InvalidArgument,
                name,
                new ArgumentException($"{command} changes servers and takes literal names only, not wildcards: '{name}'. Select the servers first: Get-ArkServer -Name '{name}' | {command}."),
                $"Get-ArkServer -Name '{name}' | {command}");
            return false;
        }
    }
}
