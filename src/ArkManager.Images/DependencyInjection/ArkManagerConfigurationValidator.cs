using System;
using ArkManager.Images;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>
    /// Validates the bound <c>ArkManager</c> section with the checks (and messages) of the configuration-file reader and
    /// <see cref="ArkManagerOptions.Validate"/>; registered with <c>ValidateOnStart</c>, so a host refuses to start with a bad value.
    /// </summary>
    internal sealed class ArkManagerConfigurationValidator : IValidateOptions<ArkManagerConfigurationModel>
    {
        private readonly string _sectionPath;

        public ArkManagerConfigurationValidator(string sectionPath)
        {
            _sectionPath = sectionPath;
        }

        public ValidateOptionsResult Validate(string? name, ArkManagerConfigurationModel options)
        {
            try
            {
                options.ToOptions();
                return ValidateOptionsResult.Success;
            }
            catch (Exception ex) when (ex is ArgumentException || ex is ArkManagerException)
            {
                var where = string.IsNullOrEmpty(_sectionPath) ? "The ArkManager configuration" : $"The configuration section '{_sectionPath}'";
                return ValidateOptionsResult.Fail($"{where}: {ex.Message}");
            }
        }
    }
}
