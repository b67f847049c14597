using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace ArkManager.Images.Tests.Packaging;

/// <summary>
/// The packages 'dotnet cake --target=Pack' makes (artifacts/packages, artifacts/psgallery): metadata, README, SourceLink,
/// XML docs, determinism, and one version for the library and the module. A missing package is a failure, so the Test
/// target (which does not pack) excludes Category=PackageContent and the Pack target runs them.
/// </summary>
[Trait("Category", "PackageContent")]
public sealed class PackageContentTests
{
    private const string RepositoryUrl = "https://github.com/arkmanager/ArkManager.Images";
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly string[] Frameworks = { "netstandard2.0", "net8.0" };

    private readonly ITestOutputHelper _output;

    public PackageContentTests(ITestOutputHelper output) => _output = output;

    /// <summary>The version the library was built with: Version of Directory.Build.props, without build metadata.</summary>
    private static string Version =>
        typeof(IArkImageManager).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    private static string NumericVersion => Version.Split('-')[0];

    private static string Artifacts
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
                {
                    return Path.Combine(dir.FullName, "artifacts");
                }
            }

            throw new InvalidOperationException("The repository root (Directory.Build.props) is not above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The package's path; a missing package fails (these tests run from the Pack target only: Category=PackageContent).</summary>
    private string Package(string folder, string fileName)
    {
        var path = Path.Combine(Artifacts, folder, fileName);
        Assert.True(File.Exists(path), $"{path} is missing. Run: dotnet cake --target=Pack");
        return path;
    }

    private static XElement Nuspec(ZipArchive zip, out XNamespace ns)
    {
        var entry = Assert.Single(zip.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/'));
        using var stream = entry.Open();
        var metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        ns = metadata.Name.Namespace;
        return metadata;
    }

    private static byte[] Read(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name);
        Assert.True(entry is not null, $"{name} is not in the package.");
        using var stream = entry!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public void The_library_package_has_its_metadata_readme_and_docs()
    {
        var path = Package("packages", $"ArkManager.Images.{Version}.nupkg");

        using var zip = ZipFile.OpenRead(path);
        var metadata = Nuspec(zip, out var ns);
        Assert.Equal("ArkManager.Images", metadata.Element(ns + "id")?.Value);
        Assert.Equal(Version, metadata.Element(ns + "version")?.Value);
        Assert.Equal("PACKAGE.md", metadata.Element(ns + "readme")?.Value);
        var license = metadata.Element(ns + "license");
        Assert.Equal("expression", license?.Attribute("type")?.Value);
        Assert.Equal("MIT", license?.Value);
        var repository = metadata.Element(ns + "repository");
        Assert.Equal("git", repository?.Attribute("type")?.Value);
        Assert.Equal(RepositoryUrl, repository?.Attribute("url")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository?.Attribute("commit")?.Value ?? string.Empty);
        Assert.Equal(RepositoryUrl, metadata.Element(ns + "projectUrl")?.Value);

        var readme = System.Text.Encoding.UTF8.GetString(Read(zip, "PACKAGE.md"));
        Assert.Contains("dotnet add package ArkManager.Images", readme, StringComparison.Ordinal);
        Assert.Contains("AddArkImageManagement", readme, StringComparison.Ordinal);

        var groups = metadata.Element(ns + "dependencies")!.Elements(ns + "group").ToList();
        Assert.Equal(new[] { ".NETStandard2.0", "net8.0" }, groups.Select(g => g.Attribute("targetFramework")?.Value).OrderBy(v => v, StringComparer.Ordinal));
        foreach (var group in groups)
        {
            var ids = group.Elements(ns + "dependency").Select(d => d.Attribute("id")!.Value).ToList();
            Assert.Contains("Microsoft.Extensions.DependencyInjection.Abstractions", ids);
            Assert.Contains("Microsoft.Extensions.Logging.Abstractions", ids);
            Assert.DoesNotContain("Microsoft.SourceLink.GitHub", ids);
            Assert.DoesNotContain("PolySharp", ids);

            // Docker.DotNet.Enhanced and its transports as a range: an app that needs a newer 4.x restores it.
            foreach (var docker in new[] { "Docker.DotNet.Enhanced", "Docker.DotNet.Enhanced.Unix", "Docker.DotNet.Enhanced.NPipe", "Docker.DotNet.Enhanced.X509" })
            {
                var dependency = Assert.Single(group.Elements(ns + "dependency"), d => d.Attribute("id")!.Value == docker);
                Assert.Equal("[4.3.3, 5.0.0)", dependency.Attribute("version")?.Value);
            }
        }

        foreach (var framework in Frameworks)
        {
            var docs = XDocument.Parse(System.Text.Encoding.UTF8.GetString(Read(zip, $"lib/{framework}/ArkManager.Images.xml")));
            Assert.Contains(docs.Descendants("member"), m => (string?)m.Attribute("name") == "T:ArkManager.Images.IArkImageManager");
            Assert.Contains(docs.Descendants("member"), m => ((string?)m.Attribute("name") ?? string.Empty).StartsWith("M:Microsoft.Extensions.DependencyInjection.ArkImageManagementServiceCollectionExtensions.AddArkImageManagement", StringComparison.Ordinal));

            using var pe = new PEReader(new MemoryStream(Read(zip, $"lib/{framework}/ArkManager.Images.dll")));
            var debug = pe.ReadDebugDirectory();
            Assert.Contains(debug, d => d.Type == DebugDirectoryEntryType.Reproducible);   // a deterministic build
            Assert.Contains(debug, d => d.Type == DebugDirectoryEntryType.CodeView);
            var version = pe.GetMetadataReader().GetAssemblyDefinition().Version;
            Assert.Equal(System.Version.Parse(NumericVersion), new System.Version(version.Major, version.Minor, Math.Max(0, version.Build)));
        }
    }

    [Fact]
    public void The_symbol_package_has_portable_pdbs_with_sourcelink_to_the_repository()
    {
        var path = Package("packages", $"ArkManager.Images.{Version}.snupkg");

        using var zip = ZipFile.OpenRead(path);
        var metadata = Nuspec(zip, out var ns);
        Assert.Equal(Version, metadata.Element(ns + "version")?.Value);
        foreach (var framework in Frameworks)
        {
            using var provider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(Read(zip, $"lib/{framework}/ArkManager.Images.pdb")));
            var reader = provider.GetMetadataReader();
            var sourceLink = reader.CustomDebugInformation
                .Select(reader.GetCustomDebugInformation)
                .Where(c => reader.GetGuid(c.Kind) == SourceLinkKind)
                .Select(c => System.Text.Encoding.UTF8.GetString(reader.GetBlobBytes(c.Value)))
                .SingleOrDefault();
            Assert.NotNull(sourceLink);
            _output.WriteLine($"{framework}: {sourceLink}");
            Assert.Matches(@"https://raw\.githubusercontent\.com/arkmanager/ArkManager\.Images/[0-9a-f]{40}/\*", sourceLink);
            Assert.Contains(reader.Documents.Select(h => reader.GetString(reader.GetDocument(h).Name)), n => n.EndsWith("ArkImageManager.cs", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_module_package_has_the_library_version_and_both_editions()
    {
        var path = Package("psgallery", $"ArkManager.Images.{Version}.nupkg");

        using var zip = ZipFile.OpenRead(path);
        var metadata = Nuspec(zip, out var ns);
        Assert.Equal("ArkManager.Images", metadata.Element(ns + "id")?.Value);
        Assert.Equal(Version, metadata.Element(ns + "version")?.Value);
        Assert.Contains("PSModule", (metadata.Element(ns + "tags")?.Value ?? string.Empty).Split(' '));

        var manifest = System.Text.Encoding.UTF8.GetString(Read(zip, "ArkManager.Images.psd1"));
        var moduleVersion = Regex.Match(manifest, @"(?m)^\s*ModuleVersion\s*=\s*'([^']*)'");
        Assert.True(moduleVersion.Success, "The packed psd1 has no ModuleVersion.");
        Assert.Equal(NumericVersion, moduleVersion.Groups[1].Value);
        var prerelease = Regex.Match(manifest, @"(?m)^\s*Prerelease\s*=\s*'([^']*)'");
        Assert.Equal(Version.Contains('-') ? Version[(Version.IndexOf('-') + 1)..] : string.Empty, prerelease.Success ? prerelease.Groups[1].Value : string.Empty);
        Assert.Contains($"ProjectUri = '{RepositoryUrl}'", manifest, StringComparison.Ordinal);

        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("ArkManager.Images.psm1", names);
        Assert.Contains("ArkManager.Images.Format.ps1xml", names);
        foreach (var framework in Frameworks)
        {
            Assert.Contains($"{framework}/ArkManager.Images.PowerShell.dll", names);
            Assert.Contains(names, n => n.StartsWith(framework + "/", StringComparison.Ordinal) && n.EndsWith("/ArkManager.Images.dll", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(names, n => n.EndsWith("System.Management.Automation.dll", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_assembled_module_folder_is_stamped_with_the_package_version()
    {
        // Only meaningful right after Pack (Build copies the manifest from module/ as it is): the Pack target runs it.

        var manifest = File.ReadAllText(Path.Combine(Artifacts, "module", "ArkManager.Images", "ArkManager.Images.psd1"));
        Assert.Matches($@"(?m)^\s*ModuleVersion\s*=\s*'{Regex.Escape(NumericVersion)}'", manifest);
    }
}
