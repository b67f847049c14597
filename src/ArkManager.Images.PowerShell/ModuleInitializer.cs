using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
#if NET
using System.Runtime.Loader;
#endif

namespace ArkManager.Images.PowerShell
{
    /// <summary>
    /// Runs when the module's assembly is imported and keeps the module's dependencies away from everyone else's.
    /// </summary>
    /// <remarks>
    /// <para>The module's folder holds only this assembly; the library (ArkManager.Images), the engine
    /// (ArkManager.Images.PowerShell.Engine) and every dependency (Docker.DotNet, Microsoft.Extensions.Logging.Abstractions,
    /// System.Text.Json, ...) are in <c>dependencies/</c> below it, where nothing but this class looks.</para>
    /// <para>PowerShell 7 (net8.0 build): the bridge pattern of the PowerShell documentation ("Resolving PowerShell
    /// module assembly dependency conflicts"). The library, the engine and their dependencies load into a module-owned
    /// AssemblyLoadContext. The cmdlet assembly stays in the default context and references only .NET,
    /// PowerShell and our own two assemblies, whose resolution the default context hands to ours; it never references a
    /// dependency (the engine wraps the only one it needed, logging). So another module or script that loaded other
    /// versions of Docker.DotNet or Microsoft.Extensions.* in the same process neither breaks this module nor is broken
    /// by it. PowerShell does not resolve type names in other load contexts, so the library's public types
    /// ([ArkManager.Images.ServerSpec], ...) are registered as type accelerators under their full names.</para>
    /// <para>Windows PowerShell 5.1 (netstandard2.0 build): .NET Framework has one load context per AppDomain and no
    /// binding redirects for a module, so an <see cref="AppDomain.AssemblyResolve"/> handler loads the assemblies the
    /// module asks for from <c>dependencies/</c>, and only from there (also when this build runs on PowerShell 7 in the
    /// tests).</para>
    /// </remarks>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        private const string LibraryName = "ArkManager.Images";
        private const string EngineName = "ArkManager.Images.PowerShell.Engine";
        private static readonly object Gate = new object();
        private static bool s_initialized;

        /// <summary>The folder of the library, the engine and the dependencies.</summary>
        internal static string DependencyDirectory { get; } = FindDependencyDirectory();

        /// <summary>The library assembly, once loaded (by <see cref="OnImport"/>).</summary>
        internal static Assembly? Library { get; private set; }

        /// <summary>Sets up the resolution once per process and loads the library so that its type names resolve.</summary>
        public void OnImport() => Initialize();

        /// <summary>Idempotent; called on every import (each runspace imports the module anew).</summary>
        internal static void Initialize()
        {
            lock (Gate)
            {
                if (s_initialized)
                {
                    return;
                }

#if NET
                ModuleLoadContext.Register(DependencyDirectory);
                Library = AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(LibraryName));
                RegisterTypeAccelerators(Library);
#else
                AppDomain.CurrentDomain.AssemblyResolve += ResolveFromDependencyDirectory;
                Library = Assembly.Load(new AssemblyName(LibraryName));
#endif
                s_initialized = true;
            }
        }

        private static string FindDependencyDirectory()
        {
            var assembly = typeof(ModuleInitializer).Assembly;
            var folder = assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "ArkDependencyFolder")?.Value;
            return Path.Combine(Path.GetDirectoryName(assembly.Location) ?? string.Empty, string.IsNullOrEmpty(folder) ? "dependencies" : folder!);
        }

#if NET
        // Type literals such as [ArkManager.Images.ImageInfo] resolve in the default load context only: register the
        // library's public types under their full names (formatting and output need nothing: they go by type name).
        private static void RegisterTypeAccelerators(Assembly library)
        {
            try
            {
                var accelerators = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");
                var add = accelerators?.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(Type) }, null);
                if (add is null)
                {
                    return;
                }

                foreach (var type in library.GetExportedTypes())
                {
                    if (!type.IsNested && !string.IsNullOrEmpty(type.FullName))
                    {
                        add.Invoke(null, new object[] { type.FullName!, type });
                    }
                }
            }
            catch (Exception ex) when (ex is TargetInvocationException || ex is MemberAccessException || ex is ReflectionTypeLoadException || ex is NotSupportedException)
            {
                // Without them only type literals are missing; the cmdlets, their output and its formatting still work.
            }
        }

        /// <summary>
        /// The module's load context: the library, the engine and every dependency from the dependencies folder; .NET
        /// and PowerShell (anything not in that folder) from the default context.
        /// </summary>
        private sealed class ModuleLoadContext : AssemblyLoadContext
        {
            private static ModuleLoadContext? s_instance;
            [ThreadStatic]
            private static bool t_resolving;
            private readonly string _directory;

            private ModuleLoadContext(string directory)
                : base("ArkManager.Images", isCollectible: false)
            {
                _directory = directory;
            }

            public static void Register(string directory)
            {
                s_instance = new ModuleLoadContext(directory);
                AssemblyLoadContext.Default.Resolving += ResolveOwnAssemblies;
            }

            protected override Assembly? Load(AssemblyName assemblyName)
            {
                if (string.IsNullOrEmpty(assemblyName.Name))
                {
                    return null;
                }

                var path = Path.Combine(_directory, assemblyName.Name + ".dll");
                return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
            }

            // The bridge: the default context asks for the two assemblies the cmdlets reference, and gets ours. Nothing
            // else crosses over, so the dependencies stay in our context. When the file is missing (a damaged module),
            // our context would hand the request back to the default one, which would ask here again: refuse instead.
            private static Assembly? ResolveOwnAssemblies(AssemblyLoadContext context, AssemblyName name)
            {
                var instance = s_instance;
                if (instance is null || t_resolving ||
                    !(string.Equals(name.Name, LibraryName, StringComparison.Ordinal) || string.Equals(name.Name, EngineName, StringComparison.Ordinal)) ||
                    !File.Exists(Path.Combine(instance._directory, name.Name + ".dll")))
                {
                    return null;
                }

                t_resolving = true;
                try
                {
                    return instance.LoadFromAssemblyName(name);
                }
                finally
                {
                    t_resolving = false;
                }
            }
        }
#else
        private static Assembly? ResolveFromDependencyDirectory(object? sender, ResolveEventArgs args)
        {
            try
            {
                var name = new AssemblyName(args.Name);
                if (string.IsNullOrEmpty(name.Name))
                {
                    return null;
                }

                var path = Path.Combine(DependencyDirectory, name.Name + ".dll");
                if (!File.Exists(path))
                {
                    return null;
                }

                foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies())
                {
                    if (!loaded.IsDynamic && string.Equals(loaded.Location, path, StringComparison.OrdinalIgnoreCase))
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
#endif
    }
}
