using System;

namespace ArkManager.Images.PowerShell.Engine
{
    /// <summary>
    /// Builds the library's manager for the cmdlets. The cmdlet assembly calls only this (and the library's own types),
    /// never a dependency of the library, so that on PowerShell 7 the library and its dependencies can live in the
    /// module's AssemblyLoadContext while the cmdlets stay in the default one.
    /// </summary>
    public static class ArkEngine
    {
        /// <summary>A manager that logs nothing (tab completion).</summary>
        public static IArkImageManager CreateManager(ArkManagerOptions options) => ArkImageManager.Create(options);

        /// <summary>A manager whose log messages go to <paramref name="logging"/>.</summary>
        public static IArkImageManager CreateManager(ArkManagerOptions options, ArkLogging? logging) =>
            ArkImageManager.Create(options, logging?.Factory);
    }
}
