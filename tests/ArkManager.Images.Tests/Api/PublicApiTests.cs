using System.Reflection;
using System.Text;

namespace ArkManager.Images.Tests.Api;

/// <summary>
/// The public API baseline: the library's public surface, listed from its metadata, must equal
/// src/ArkManager.Images/PublicAPI.txt. An accidental change (a removed or altered member) fails the build; an intended
/// one is accepted by regenerating the file: ARKMANAGER_UPDATE_PUBLIC_API=1 dotnet test --filter PublicApi.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PublicApiTests
{
    private static readonly string BaselinePath = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/ArkManager.Images/PublicAPI.txt"));

    [Fact]
    public void The_public_api_matches_the_baseline()
    {
        var current = Describe(typeof(ArkImageManager).Assembly);
        if (Environment.GetEnvironmentVariable("ARKMANAGER_UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(BaselinePath, current);
        }

        Assert.True(File.Exists(BaselinePath), "The baseline " + BaselinePath + " is missing: generate it with ARKMANAGER_UPDATE_PUBLIC_API=1.");
        var baseline = File.ReadAllText(BaselinePath).Replace("\r\n", "\n");
        var removed = baseline.Split('\n').Except(current.Split('\n')).ToList();
        var added = current.Split('\n').Except(baseline.Split('\n')).ToList();
        Assert.True(removed.Count == 0 && added.Count == 0,
            "The public API changed. If intended, regenerate the baseline (ARKMANAGER_UPDATE_PUBLIC_API=1 dotnet test --filter PublicApi) and review the diff.\n" +
            string.Join("\n", removed.Select(r => "- " + r).Concat(added.Select(a => "+ " + a))));
    }

    [Fact]
    public void No_Docker_DotNet_type_appears_in_the_public_api()
    {
        var lines = Describe(typeof(ArkImageManager).Assembly).Split('\n');
        Assert.DoesNotContain(lines, l => l.Contains("Docker.DotNet", StringComparison.Ordinal));
    }

    internal static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            var kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : "class";
            var bases = new List<string>();
            if (type.BaseType != null && type.BaseType != typeof(object) && type.BaseType != typeof(ValueType) && type.BaseType != typeof(Enum))
            {
                bases.Add(Name(type.BaseType));
            }

            bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic).Select(Name).OrderBy(n => n, StringComparer.Ordinal));
            lines.Add($"{kind} {Name(type)}" + (bases.Count == 0 ? string.Empty : " : " + string.Join(", ", bases)));
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            if (type.IsEnum)
            {
                foreach (var name in Enum.GetNames(type))
                {
                    lines.Add($"{Name(type)}.{name} = {Convert.ToInt64(Enum.Parse(type, name), System.Globalization.CultureInfo.InvariantCulture)}");
                }

                continue;
            }

            foreach (var member in type.GetMembers(flags))
            {
                var line = member switch
                {
                    ConstructorInfo c => $"{Name(type)}.ctor({Parameters(c.GetParameters())})",
                    MethodInfo m when !m.IsSpecialName => $"{Name(type)}.{m.Name}{Generic(m)}({Parameters(m.GetParameters())}) -> {Name(m.ReturnType)}{(m.IsStatic ? " static" : string.Empty)}",
                    PropertyInfo p => $"{Name(type)}.{p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : string.Empty)}{(p.SetMethod?.IsPublic == true ? (IsInit(p.SetMethod) ? "init; " : "set; ") : string.Empty)}}} -> {Name(p.PropertyType)}",
                    FieldInfo f => $"{Name(type)}.{f.Name} -> {Name(f.FieldType)}{(f.IsLiteral ? " const" : f.IsStatic ? " static" : string.Empty)}",
                    EventInfo e => $"{Name(type)}.{e.Name} event -> {Name(e.EventHandlerType!)}",
                    _ => null,
                };
                if (line != null && !line.Contains("<Clone>$", StringComparison.Ordinal))
                {
                    lines.Add(line);
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        var sb = new StringBuilder();
        foreach (var l in lines)
        {
            sb.Append(l).Append('\n');
        }

        return sb.ToString();
    }

    private static bool IsInit(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.FullName == "System.Runtime.CompilerServices.IsExternalInit");

    private static string Generic(MethodInfo m) => m.IsGenericMethod ? "<" + string.Join(", ", m.GetGenericArguments().Select(Name)) + ">" : string.Empty;

    private static string Parameters(ParameterInfo[] parameters) =>
        string.Join(", ", parameters.Select(p => $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : string.Empty)}"));

    private static string Name(Type t)
    {
        if (t.IsGenericParameter)
        {
            return t.Name;
        }

        if (t.IsByRef)
        {
            return "ref " + Name(t.GetElementType()!);
        }

        if (t.IsArray)
        {
            return Name(t.GetElementType()!) + "[]";
        }

        if (t.IsGenericType)
        {
            var def = t.GetGenericTypeDefinition().FullName!;
            def = def[..def.IndexOf('`')];
            return def + "<" + string.Join(", ", t.GetGenericArguments().Select(Name)) + ">";
        }

        return t.FullName ?? t.Name;
    }
}
