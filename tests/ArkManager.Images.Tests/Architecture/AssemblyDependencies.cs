using System.Text.RegularExpressions;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace ArkManager.Images.Tests.Architecture;

/// <summary>One top-level type of the library: the folder of its source file and what it uses.</summary>
internal sealed class TypeNode
{
    public TypeNode(TypeDefinition type, string? folder, string? sourceFile)
    {
        Type = type;
        Folder = folder;
        SourceFile = sourceFile;
    }

    public TypeDefinition Type { get; }

    /// <summary>The first path segment of its file under src/ArkManager.Images/ ("Facade" for the root files); null when unknown.</summary>
    public string? Folder { get; }

    public string? SourceFile { get; }

    public string Name => ShortName(Type);

    /// <summary>The library's top-level types it uses (by their full names), itself excluded.</summary>
    public SortedSet<string> Uses { get; } = new(StringComparer.Ordinal);

    /// <summary>The Docker.DotNet types it uses (full names).</summary>
    public SortedSet<string> DockerTypes { get; } = new(StringComparer.Ordinal);

    public static string ShortName(TypeReference type)
    {
        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }
}

/// <summary>
/// Reads the built library with Mono.Cecil and its portable PDB, maps every type to the folder of its source file (namespaces
/// do not follow the folders), and collects each type's dependencies on the library's other types from its whole metadata and
/// IL: base type, interfaces, fields, properties, events, signatures, generic arguments and constraints, custom attributes,
/// locals, catch clauses and every type, method and field an instruction refers to. Nested and compiler-generated types
/// (async state machines, closures, display classes) count as their outermost declaring type.
/// </summary>
internal sealed class AssemblyDependencies
{
    public const string FacadeFolder = "Facade";
    private const string LibraryFolder = "src/ArkManager.Images/";

    private static readonly Regex Declaration = new(
        @"\b(?:class|struct|interface|enum|record)\s+(?!class\b|struct\b)(?<name>[A-Za-z_][A-Za-z0-9_]*)",
        RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private static readonly Regex NamespaceDeclaration = new(@"^\s*namespace\s+(?<ns>[A-Za-z0-9_.]+)", RegexOptions.Compiled | RegexOptions.Multiline | RegexOptions.CultureInvariant);

    private readonly ModuleDefinition module;
    private readonly string sourceRoot;
    private readonly Dictionary<string, List<(string RelativePath, string Namespace)>> declarations;

    private AssemblyDependencies(ModuleDefinition module, string sourceRoot)
    {
        this.module = module;
        this.sourceRoot = sourceRoot;
        declarations = ScanDeclarations(sourceRoot);
    }

    /// <summary>The library's top-level types by full name (compiler-generated and polyfill types without a source file excluded).</summary>
    public SortedDictionary<string, TypeNode> Types { get; } = new(StringComparer.Ordinal);

    /// <summary>Top-level types of the library's own namespaces whose folder could not be found (must stay empty).</summary>
    public List<string> Unmapped { get; } = new();

    /// <param name="assemblyPath">The built dll; its .pdb must lie next to it.</param>
    /// <param name="sourceRoot">src/ArkManager.Images of the repository.</param>
    public static AssemblyDependencies Load(string assemblyPath, string sourceRoot)
    {
        using var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(assemblyPath)!);
        resolver.AddSearchDirectory(Path.GetDirectoryName(typeof(object).Assembly.Location)!);
        var module = ModuleDefinition.ReadModule(assemblyPath, new ReaderParameters
        {
            ReadSymbols = true,
            SymbolReaderProvider = new PortablePdbReaderProvider(),
            AssemblyResolver = resolver,
            InMemory = true,
        });
        var result = new AssemblyDependencies(module, sourceRoot);
        result.Build();
        return result;
    }

    /// <summary>Folder-to-folder edges (folders differ), each with its first type pair (ordinal order) and its number of type pairs.</summary>
    public IReadOnlyList<FolderEdge> FolderEdges()
    {
        var pairs = new SortedDictionary<(string From, string To), List<(string A, string B)>>();
        foreach (var node in Types.Values.Where(n => n.Folder != null))
        {
            foreach (var used in node.Uses)
            {
                var target = Types[used];
                if (target.Folder == null || target.Folder == node.Folder)
                {
                    continue;
                }

                var key = (node.Folder!, target.Folder);
                if (!pairs.TryGetValue(key, out var list))
                {
                    pairs[key] = list = new List<(string, string)>();
                }

                list.Add((node.Name, target.Name));
            }
        }

        return pairs.Select(p => new FolderEdge(p.Key.From, p.Key.To, p.Value[0].A, p.Value[0].B, p.Value.Count)).ToList();
    }

    /// <summary>Every type pair behind one folder edge ("ServerManager uses ContainerInfo").</summary>
    public IReadOnlyList<string> TypePairs(string fromFolder, string toFolder) =>
        Types.Values
            .Where(n => n.Folder == fromFolder)
            .SelectMany(n => n.Uses.Select(u => Types[u]).Where(t => t.Folder == toFolder).Select(t => $"{n.Name} uses {t.Name}"))
            .ToList();

    /// <summary>Top-level folders under the source root that hold .cs files (bin/ and obj/ excluded); root files are the Facade.</summary>
    public static IReadOnlyList<string> SourceFolders(string sourceRoot)
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in SourceFiles(sourceRoot))
        {
            folders.Add(FolderOf(Path.GetRelativePath(sourceRoot, file).Replace('\\', '/')));
        }

        return folders.ToList();
    }

    private static IEnumerable<string> SourceFiles(string sourceRoot) =>
        Directory.EnumerateFiles(sourceRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f =>
            {
                var rel = Path.GetRelativePath(sourceRoot, f).Replace('\\', '/');
                return !rel.StartsWith("bin/", StringComparison.Ordinal) && !rel.StartsWith("obj/", StringComparison.Ordinal);
            });

    private static string FolderOf(string relativePath)
    {
        var slash = relativePath.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? FacadeFolder : relativePath[..slash];
    }

    private static bool IsLibraryNamespace(string ns) =>
        ns == "ArkManager.Images" || ns.StartsWith("ArkManager.Images.", StringComparison.Ordinal) ||
        ns == "Microsoft.Extensions.DependencyInjection";

    private static bool IsCompilerGenerated(TypeDefinition type) =>
        type.Name.StartsWith('<') ||
        type.CustomAttributes.Any(a => a.AttributeType.FullName is "System.Runtime.CompilerServices.CompilerGeneratedAttribute" or "Microsoft.CodeAnalysis.EmbeddedAttribute");

    private static Dictionary<string, List<(string, string)>> ScanDeclarations(string sourceRoot)
    {
        var result = new Dictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        foreach (var file in SourceFiles(sourceRoot))
        {
            var rel = Path.GetRelativePath(sourceRoot, file).Replace('\\', '/');
            var text = File.ReadAllText(file);
            var ns = NamespaceDeclaration.Match(text) is { Success: true } m ? m.Groups["ns"].Value : string.Empty;
            foreach (var line in text.Split('\n'))
            {
                var trimmed = line.TrimStart();
                if (trimmed.StartsWith("//", StringComparison.Ordinal) || trimmed.StartsWith('*'))
                {
                    continue;
                }

                foreach (Match d in Declaration.Matches(line))
                {
                    var name = d.Groups["name"].Value;
                    if (!result.TryGetValue(name, out var list))
                    {
                        result[name] = list = new List<(string, string)>();
                    }

                    list.Add((rel, ns));
                }
            }
        }

        return result;
    }

    private static TypeDefinition Outermost(TypeDefinition type)
    {
        while (type.DeclaringType != null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    private static IEnumerable<TypeDefinition> WithNested(TypeDefinition type) =>
        new[] { type }.Concat(type.NestedTypes.SelectMany(WithNested));

    private void Build()
    {
        foreach (var type in module.Types.Where(t => t.Name != "<Module>"))
        {
            var (folder, file) = FindFolder(type);
            if (folder == null)
            {
                // Types the compiler or a source generator adds (PrivateImplementationDetails, embedded attributes, polyfills)
                // have no file of their own; a type in the library's namespaces must have one.
                if (IsLibraryNamespace(type.Namespace) && !IsCompilerGenerated(type))
                {
                    Unmapped.Add(type.FullName);
                }
                else
                {
                    continue;
                }
            }

            Types[type.FullName] = new TypeNode(type, folder, file);
        }

        foreach (var node in Types.Values)
        {
            var collector = new Collector(this, node);
            foreach (var t in WithNested(node.Type))
            {
                collector.Type(t);
            }
        }
    }

    private (string? Folder, string? File) FindFolder(TypeDefinition type)
    {
        // The documents of the sequence points of its methods and of its nested types' methods (lambdas, iterators, async).
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var method in WithNested(type).SelectMany(t => t.Methods))
        {
            if (!method.DebugInformation.HasSequencePoints)
            {
                continue;
            }

            foreach (var point in method.DebugInformation.SequencePoints)
            {
                var rel = RelativeSourcePath(point.Document.Url);
                if (rel != null)
                {
                    counts[rel] = counts.TryGetValue(rel, out var c) ? c + 1 : 1;
                }
            }
        }

        if (counts.Count > 0)
        {
            var file = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key;
            return (FolderOf(file), file);
        }

        // No sequence points (enums, interfaces, records of auto-properties only): the file that declares it.
        if (declarations.TryGetValue(TypeNode.ShortName(type), out var candidates))
        {
            var best = candidates.Where(c => c.Namespace == type.Namespace).Select(c => c.RelativePath).Distinct().ToList();
            if (best.Count == 0)
            {
                best = candidates.Select(c => c.RelativePath).Distinct().ToList();
            }

            best.Sort(StringComparer.Ordinal);
            return (FolderOf(best[0]), best[0]);
        }

        return (null, null);
    }

    /// <summary>The path under src/ArkManager.Images/ of a PDB document, when it is one of the library's real source files.</summary>
    private string? RelativeSourcePath(string url)
    {
        var path = url.Replace('\\', '/');
        var at = path.LastIndexOf("/" + LibraryFolder, StringComparison.Ordinal);
        string rel;
        if (at >= 0)
        {
            rel = path[(at + LibraryFolder.Length + 1)..];
        }
        else if (path.StartsWith(LibraryFolder, StringComparison.Ordinal))
        {
            rel = path[LibraryFolder.Length..];
        }
        else
        {
            return null;
        }

        // Generated documents (source generators, obj/ files) are not files of the source tree.
        if (rel.StartsWith("obj/", StringComparison.Ordinal) || rel.StartsWith("bin/", StringComparison.Ordinal) ||
            !File.Exists(Path.Combine(sourceRoot, rel)))
        {
            return null;
        }

        return rel;
    }

    private sealed class Collector
    {
        private readonly AssemblyDependencies owner;
        private readonly TypeNode node;

        public Collector(AssemblyDependencies owner, TypeNode node)
        {
            this.owner = owner;
            this.node = node;
        }

        public void Type(TypeDefinition type)
        {
            Reference(type.BaseType);
            foreach (var i in type.Interfaces)
            {
                Reference(i.InterfaceType);
                Attributes(i);
            }

            Attributes(type);
            GenericParameters(type);
            foreach (var f in type.Fields)
            {
                Reference(f.FieldType);
                Attributes(f);
            }

            foreach (var p in type.Properties)
            {
                Reference(p.PropertyType);
                Attributes(p);
                foreach (var param in p.Parameters)
                {
                    Reference(param.ParameterType);
                }
            }

            foreach (var e in type.Events)
            {
                Reference(e.EventType);
                Attributes(e);
            }

            foreach (var m in type.Methods)
            {
                Method(m);
            }
        }

        private void Method(MethodDefinition method)
        {
            Reference(method.ReturnType);
            Attributes(method);
            Attributes(method.MethodReturnType);
            GenericParameters(method);
            foreach (var p in method.Parameters)
            {
                Reference(p.ParameterType);
                Attributes(p);
            }

            foreach (var o in method.Overrides)
            {
                MethodRef(o);
            }

            if (!method.HasBody)
            {
                return;
            }

            foreach (var v in method.Body.Variables)
            {
                Reference(v.VariableType);
            }

            foreach (var h in method.Body.ExceptionHandlers)
            {
                Reference(h.CatchType);
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        Reference(t);
                        break;
                    case MethodReference m:
                        MethodRef(m);
                        break;
                    case FieldReference f:
                        Reference(f.DeclaringType);
                        Reference(f.FieldType);
                        break;
                    case CallSite c:
                        Reference(c.ReturnType);
                        foreach (var p in c.Parameters)
                        {
                            Reference(p.ParameterType);
                        }

                        break;
                }
            }
        }

        private void MethodRef(MethodReference method)
        {
            Reference(method.DeclaringType);
            Reference(method.ReturnType);
            foreach (var p in method.Parameters)
            {
                Reference(p.ParameterType);
            }

            if (method is GenericInstanceMethod g)
            {
                foreach (var a in g.GenericArguments)
                {
                    Reference(a);
                }
            }
        }

        private void GenericParameters(IGenericParameterProvider provider)
        {
            foreach (var gp in provider.GenericParameters)
            {
                Attributes(gp);
                foreach (var c in gp.Constraints)
                {
                    Reference(c.ConstraintType);
                }
            }
        }

        private void Attributes(ICustomAttributeProvider provider)
        {
            if (!provider.HasCustomAttributes)
            {
                return;
            }

            foreach (var a in provider.CustomAttributes)
            {
                MethodRef(a.Constructor);
                try
                {
                    foreach (var arg in a.ConstructorArguments)
                    {
                        Argument(arg);
                    }

                    foreach (var named in a.Fields.Concat(a.Properties))
                    {
                        Argument(named.Argument);
                    }
                }
                catch (AssemblyResolutionException)
                {
                    // An argument whose enum type lives in an assembly that cannot be found: the attribute type is recorded.
                }
            }
        }

        private void Argument(CustomAttributeArgument arg)
        {
            Reference(arg.Type);
            switch (arg.Value)
            {
                case TypeReference t:
                    Reference(t);
                    break;
                case CustomAttributeArgument inner:
                    Argument(inner);
                    break;
                case CustomAttributeArgument[] array:
                    foreach (var item in array)
                    {
                        Argument(item);
                    }

                    break;
            }
        }

        private void Reference(TypeReference? type)
        {
            switch (type)
            {
                case null:
                case GenericParameter:
                    return;
                case GenericInstanceType g:
                    Reference(g.ElementType);
                    foreach (var a in g.GenericArguments)
                    {
                        Reference(a);
                    }

                    return;
                case RequiredModifierType r:
                    Reference(r.ModifierType);
                    Reference(r.ElementType);
                    return;
                case OptionalModifierType o:
                    Reference(o.ModifierType);
                    Reference(o.ElementType);
                    return;
                case FunctionPointerType fp:
                    Reference(fp.ReturnType);
                    foreach (var p in fp.Parameters)
                    {
                        Reference(p.ParameterType);
                    }

                    return;
                case TypeSpecification spec:
                    Reference(spec.ElementType);
                    return;
            }

            var outer = type;
            while (outer.DeclaringType != null)
            {
                outer = outer.DeclaringType;
            }

            if ((type.Scope is AssemblyNameReference assembly && assembly.Name.StartsWith("Docker.DotNet", StringComparison.Ordinal)) ||
                outer.Namespace.StartsWith("Docker.DotNet", StringComparison.Ordinal))
            {
                node.DockerTypes.Add(type.FullName);
                return;
            }

            var definition = type as TypeDefinition;
            if (definition == null && type.Scope is ModuleDefinition scope && scope == owner.module)
            {
                definition = type.Resolve();
            }

            if (definition == null || definition.Module != owner.module)
            {
                return;
            }

            var top = Outermost(definition);
            if (top != node.Type && owner.Types.ContainsKey(top.FullName))
            {
                node.Uses.Add(top.FullName);
            }
        }
    }
}
