using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ArkManager.Images.PowerShell
{
    /// <summary>
    /// Runs when the module's assembly is imported. On Windows PowerShell (.NET Framework) there are no binding
    /// redirects for a module's dependencies, so a dependency that asks for another version of an assembly shipped
    /// next to this one (System.Runtime.CompilerServices.Unsafe, System.Memory, ...) would fail to load: this resolves
    /// such requests to the copy in the module's folder. PowerShell 7 resolves them itself and is left alone.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? string.Empty;
        private static int s_registered;

        /// <summary>Registers the resolver (once per process, and only on .NET Framework).</summary>
        public void OnImport()
        {
            if (!RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            if (System.Threading.Interlocked.Exchange(ref s_registered, 1) == 0)
            {
                AppDomain.CurrentDomain.AssemblyResolve += ResolveFromModuleDirectory;
            }
        }

        private static Assembly? ResolveFromModuleDirectory(object? sender, ResolveEventArgs args)
        {
            try
            {
                var name = new AssemblyName(args.Name);
                if (string.IsNullOrEmpty(name.Name) || string.IsNullOrEmpty(ModuleDirectory))
                {
                    return null;
                }

                var path = Path.Combine(ModuleDirectory, name.Name + ".dll");
                if (!File.Exists(path))
                {
                    return null;
                }

                foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies())
                {
                    if (string.Equals(loaded.GetName().Name, name.Name, StringComparison.OrdinalIgnoreCase) &&
                        !loaded.IsDynamic && string.Equals(loaded.Location, path, StringComparison.OrdinalIgnoreCase))
                    {
                        return loaded;
                    }
                }

                return Assembly.LoadFrom(path);
            }
            catch (Exception ex) when (ex is IOException || ex is BadImageFormatException || ex is ArgumentException || ex is UnauthorizedAccessException || ex is NotSupportedException)
            {
                return null;
            }
        }
    }
}
