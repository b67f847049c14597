using System;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Engine;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>
    /// Which of the verbose, debug and warning streams a cmdlet writes, from its -Verbose, -Debug and -WarningAction
    /// parameters or else the preference variables; decides which of the library's log messages are forwarded.
    /// </summary>
    internal sealed class StreamPreferences
    {
        /// <summary>Before <see cref="Capture"/>: verbose and debug off, warnings on.</summary>
        public StreamPreferences()
            : this(verbose: false, debug: false, warning: true)
        {
        }

        private StreamPreferences(bool verbose, bool debug, bool warning)
        {
            Verbose = verbose;
            Debug = debug;
            Warning = warning;
        }

        /// <summary>True when the verbose stream is shown.</summary>
        public bool Verbose { get; }

        /// <summary>True when the debug stream is shown.</summary>
        public bool Debug { get; }

        /// <summary>True when warnings are shown.</summary>
        public bool Warning { get; }

        /// <summary>Reads the preferences of <paramref name="cmdlet"/> (call on the pipeline thread).</summary>
        public static StreamPreferences Capture(PSCmdlet cmdlet) => new StreamPreferences(
            IsStreamEnabled(cmdlet, "Verbose", "VerbosePreference", defaultEnabled: false),
            IsStreamEnabled(cmdlet, "Debug", "DebugPreference", defaultEnabled: false),
            IsActionEnabled(cmdlet, "WarningAction", "WarningPreference"));

        /// <summary>True when a log message of <paramref name="level"/> would be shown.</summary>
        public bool IsEnabled(ArkLogLevel level)
        {
            if (level >= ArkLogLevel.Warning)
            {
                return Warning;
            }

            return level == ArkLogLevel.Information ? Verbose : Debug;
        }

        private static bool IsStreamEnabled(PSCmdlet cmdlet, string switchName, string preferenceVariable, bool defaultEnabled)
        {
            if (cmdlet.MyInvocation.BoundParameters.TryGetValue(switchName, out var bound) && bound != null)
            {
                var value = bound is PSObject wrapped ? wrapped.BaseObject : bound;
                if (value is SwitchParameter switchParameter)
                {
                    return switchParameter.IsPresent;
                }

                if (value is bool flag)
                {
                    return flag;
                }
            }

            return PreferenceEnabled(cmdlet, preferenceVariable, defaultEnabled);
        }

        private static bool IsActionEnabled(PSCmdlet cmdlet, string actionParameter, string preferenceVariable)
        {
            if (cmdlet.MyInvocation.BoundParameters.TryGetValue(actionParameter, out var bound) && bound != null)
            {
                var value = bound is PSObject wrapped ? wrapped.BaseObject : bound;
                if (value is ActionPreference action)
                {
                    return action != ActionPreference.SilentlyContinue && action != ActionPreference.Ignore;
                }
            }

            return PreferenceEnabled(cmdlet, preferenceVariable, defaultEnabled: true);
        }

        private static bool PreferenceEnabled(PSCmdlet cmdlet, string preferenceVariable, bool defaultEnabled)
        {
            try
            {
                var value = cmdlet.GetVariableValue(preferenceVariable);
                if (value is PSObject wrapped)
                {
                    value = wrapped.BaseObject;
                }

                if (value is ActionPreference preference)
                {
                    return preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore;
                }

                if (value is string text && Enum.TryParse<ActionPreference>(text, true, out var parsed))
                {
                    return parsed != ActionPreference.SilentlyContinue && parsed != ActionPreference.Ignore;
                }
            }
            catch (PSInvalidOperationException)
            {
            }

            return defaultEnabled;
        }
    }
}
