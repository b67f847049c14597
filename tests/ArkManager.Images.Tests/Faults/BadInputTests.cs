using System.Net;
using System.Text;
using ArkManager.Images.Backups;
using ArkManager.Images.Configuration;
using ArkManager.Images.Registry;
using ArkManager.Images.Tests.Infrastructure;
using ArkManager.Images.Tests.Registry;
using Xunit.Abstractions;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// Thousands of generated hostile inputs (seeded: a failure names its seed and index): image references, server names,
/// configuration files and restore archives. Every refusal is an ArkManagerException with an ErrorId (or an
/// ArgumentException for a null/empty argument), nothing is written outside the state directory, and every archive the
/// validator accepts stays inside its volumes when listed again entry by entry (names and link targets resolved).
/// </summary>
[Trait("Category", "Unit")]
public sealed class BadInputTests(ITestOutputHelper output)
{
    private const int Seed = 20261203;

    /// <summary>Records an exception that is not a proper refusal.</summary>
    private static string? Improper(Exception ex, string? input)
    {
        if (ex is ArkManagerException ark)
        {
            return string.IsNullOrWhiteSpace(ark.ErrorId) ? $"{ex.GetType().Name} without ErrorId" : null;
        }

        if (ex is ArgumentException && string.IsNullOrWhiteSpace(input))
        {
            return null;
        }

        return $"{ex.GetType().FullName}: {ex.Message}";
    }

    private static string Show(string? s) => s is null ? "null" : s.Length > 80 ? $"{s[..80]}…({s.Length} chars)" : s;

    [Fact]
    public async Task Generated_image_references_are_parsed_or_refused_cleanly_and_accepted_ones_cost_one_HEAD_each()
    {
        var g = new BadInputGenerator(Seed);
        var problems = new List<string>();
        var requests = 0;
        using var config = new TempDirectory();
        var handler = new FakeHandler(_ =>
        {
            Interlocked.Increment(ref requests);
            var response = new HttpResponseMessage(HttpStatusCode.OK);
            response.Headers.Add("Docker-Content-Digest", "sha256:" + new string('a', 64));
            return response;
        });
        using var client = new RegistryClient(new RegistryClientOptions { DockerConfigDirectory = config.Path, Timeout = TimeSpan.FromSeconds(5) }, new ListLogger(), handler);
        int generated = 0, refused = 0, accepted = 0;
        foreach (var reference in Enumerable.Range(0, 5000).Select(_ => g.ImageReference("127.0.0.1:5999")).Prepend(null).Prepend(""))
        {
            generated++;
            var tried = ImageReference.TryParse(reference, out var parsed, out var error);
            ImageReference? viaParse = null;
            try
            {
                viaParse = ImageReference.Parse(reference);
            }
            catch (Exception ex)
            {
                if (Improper(ex, reference) is { } p)
                {
                    problems.Add($"#{generated} Parse('{Show(reference)}'): {p}");
                }
            }

            if (tried != (viaParse != null))
            {
                problems.Add($"#{generated} TryParse and Parse disagree on '{Show(reference)}'");
            }

            if (!tried)
            {
                refused++;
                if (string.IsNullOrWhiteSpace(error))
                {
                    problems.Add($"#{generated} refused without a reason: '{Show(reference)}'");
                }

                continue;
            }

            accepted++;
            var before = Volatile.Read(ref requests);
            try
            {
                await client.GetManifestDigestAsync(parsed!, default);
            }
            catch (Exception ex)
            {
                if (Improper(ex, reference) is { } p)
                {
                    problems.Add($"#{generated} check of accepted '{Show(reference)}': {p}");
                }
            }

            if (Volatile.Read(ref requests) - before != 1)
            {
                problems.Add($"#{generated} accepted '{Show(reference)}' cost {Volatile.Read(ref requests) - before} requests");
            }
        }

        output.WriteLine($"references: {generated} generated, {accepted} accepted, {refused} refused, {problems.Count} problems");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(30)));
        Assert.True(refused > 1000 && accepted > 500, $"the generator must cover both sides: {accepted} accepted, {refused} refused");
        ReliabilityFigures.Record("badInput", "imageReferences", new Dictionary<string, object>
        {
            ["seed"] = Seed, ["generated"] = generated, ["accepted"] = accepted, ["refused"] = refused, ["registryRequestsForAccepted"] = requests, ["unhandledExceptions"] = problems.Count,
        });
    }

    [Fact]
    public async Task Generated_server_names_are_refused_before_any_path_or_engine_is_touched()
    {
        var g = new BadInputGenerator(Seed + 1);
        var problems = new List<string>();
        using var root = new TempDirectory();
        var state = Path.Combine(root.Path, "a", "b", "c", "state");
        var target = Path.Combine(root.Path, "a", "b", "c", "backups");
        Directory.CreateDirectory(target);
        var archive = Path.Combine(target, "some.tar");
        File.WriteAllBytes(archive, new byte[1024]);
        using var manager = new ArkImageManager(new ArkManagerOptions
        {
            DockerHost = "unix://" + Path.Combine(root.Path, "no-engine.sock"),
            StateDirectory = state,
            DockerConfigDirectory = Path.Combine(root.Path, "dockercfg"),
            ConnectTimeout = TimeSpan.FromSeconds(1),
        });
        int generated = 0, invalid = 0, valid = 0, refusedBeforeEngine = 0, calls = 0;
        foreach (var name in Enumerable.Range(0, 3000).Select(_ => g.ServerName()).Prepend(null).Prepend(""))
        {
            generated++;
            if (ServerSpecParser.IsValidName(name))
            {
                valid++;
                continue;
            }

            invalid++;
            var operations = new (string Name, Func<Task> Run)[]
            {
                ("NewServer", () => manager.NewServerAsync(new ServerSpec { Name = name!, Image = "127.0.0.1:5999/tbro98/ase-server:latest" })),
                ("Recreate", () => manager.RecreateContainerAsync(name!)),
                ("Rollback", () => manager.RollbackAsync(name!)),
                ("Backup", () => manager.BackupServerAsync(name!, target)),
                ("Restore", () => manager.RestoreServerAsync(name!, archive)),
                ("Start", () => manager.StartServerAsync(name!)),
            };
            var op = operations[g.Next(operations.Length)];
            calls++;
            try
            {
                await op.Run();
                problems.Add($"#{generated} {op.Name}('{Show(name)}') succeeded");
            }
            catch (Exception ex)
            {
                if (Improper(ex, name) is { } p)
                {
                    problems.Add($"#{generated} {op.Name}('{Show(name)}'): {p}");
                }
                else if (ex is not DockerUnavailableException)
                {
                    refusedBeforeEngine++;
                }
            }
        }

        // Nothing outside the state directory and the backup folder; nothing in the state directory named after a refused name.
        var stray = Directory.EnumerateFileSystemEntries(root.Path, "*", SearchOption.AllDirectories)
            .Where(p => !p.StartsWith(state, StringComparison.Ordinal) && !p.StartsWith(target, StringComparison.Ordinal) &&
                        p != Path.Combine(root.Path, "a") && p != Path.Combine(root.Path, "a", "b") && p != Path.Combine(root.Path, "a", "b", "c") &&
                        !p.StartsWith(Path.Combine(root.Path, "dockercfg"), StringComparison.Ordinal))
            .ToList();
        var backups = Directory.EnumerateFileSystemEntries(target, "*", SearchOption.AllDirectories).Where(p => p != archive).ToList();
        output.WriteLine($"names: {generated} generated, {valid} valid, {invalid} invalid, {calls} calls, {refusedBeforeEngine} refused before the engine, {problems.Count} problems, {stray.Count} stray paths");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(30)));
        Assert.Empty(stray);
        Assert.Empty(backups);
        Assert.True(invalid > 1000, invalid.ToString());
        Assert.Equal(calls, refusedBeforeEngine);
        ReliabilityFigures.Record("badInput", "serverNames", new Dictionary<string, object>
        {
            ["seed"] = Seed + 1, ["generated"] = generated, ["valid"] = valid, ["invalid"] = invalid, ["operationsCalled"] = calls,
            ["refusedBeforeEngine"] = refusedBeforeEngine, ["pathsWrittenOutsideState"] = stray.Count, ["unhandledExceptions"] = problems.Count,
        });
    }

    [Fact]
    public void Generated_configuration_files_load_or_are_refused_with_InvalidConfiguration()
    {
        var g = new BadInputGenerator(Seed + 2);
        var problems = new List<string>();
        using var dir = new TempDirectory();
        int generated = 0, loaded = 0, refused = 0, refusedByValidate = 0;
        for (var i = 0; i < 3000; i++)
        {
            generated++;
            var bytes = g.ConfigFile();
            var path = dir.File("c" + (i % 50) + ".json");
            ArkManagerOptions? options = null;
            try
            {
                if (i % 10 == 0)
                {
                    File.WriteAllBytes(path, bytes);
                    options = ArkManagerOptions.Load(path);
                }
                else
                {
                    options = ConfigFileReader.Parse(path, bytes);
                }
            }
            catch (Exception ex)
            {
                if (ex is not ArkConfigurationException)
                {
                    problems.Add($"#{i} '{Show(Encoding.UTF8.GetString(bytes))}': {ex.GetType().FullName}: {ex.Message}");
                }
                else if (!ex.Message.Contains(path, StringComparison.Ordinal))
                {
                    problems.Add($"#{i} the refusal does not name the file: {ex.Message}");
                }

                refused++;
                continue;
            }

            loaded++;
            try
            {
                options.Validate();
            }
            catch (Exception ex)
            {
                refusedByValidate++;
                if (Improper(ex, null) is { } p && ex is not ArgumentException)
                {
                    problems.Add($"#{i} Validate of a loaded file: {p}");
                }
            }
        }

        output.WriteLine($"configs: {generated} generated, {loaded} loaded, {refused} refused, {refusedByValidate} refused by Validate, {problems.Count} problems");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(30)));
        Assert.True(refused > 1000 && loaded > 50, $"{loaded} loaded, {refused} refused");
        ReliabilityFigures.Record("badInput", "configFiles", new Dictionary<string, object>
        {
            ["seed"] = Seed + 2, ["generated"] = generated, ["loaded"] = loaded, ["refused"] = refused, ["refusedByValidate"] = refusedByValidate, ["unhandledExceptions"] = problems.Count,
        });
    }

    [Fact]
    public async Task Generated_restore_archives_are_refused_cleanly_and_accepted_ones_stay_inside_their_volumes()
    {
        var g = new BadInputGenerator(Seed + 3);
        var problems = new List<string>();
        var kinds = new SortedDictionary<string, int[]>(StringComparer.Ordinal);
        int generated = 0, accepted = 0, refused = 0;
        for (var i = 0; i < 3000; i++)
        {
            generated++;
            var (bytes, kind) = await HostileArchives.GenerateAsync(g);
            if (!kinds.TryGetValue(kind, out var counts))
            {
                kinds[kind] = counts = new int[2];
            }

            try
            {
                await VolumeBackupService.ValidateArchiveAsync(new MemoryStream(bytes), "fuzz.tar", default);
                accepted++;
                counts[0]++;
                if (await EscapesAsync(bytes) is { } escape)
                {
                    problems.Add($"#{i} ({kind}) accepted but {escape}");
                }
            }
            catch (Exception ex)
            {
                refused++;
                counts[1]++;
                if (ex is not BackupArchiveException || Improper(ex, "x") is not null)
                {
                    problems.Add($"#{i} ({kind}): {ex.GetType().FullName}: {ex.Message}");
                }
            }
        }

        output.WriteLine($"archives: {generated} generated, {accepted} accepted, {refused} refused, {problems.Count} problems; " + string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value[0]}/{k.Value[1]}")));
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(30)));
        Assert.True(accepted > 50 && refused > 1000, $"{accepted} accepted, {refused} refused");
        ReliabilityFigures.Record("badInput", "restoreArchives", new Dictionary<string, object>
        {
            ["seed"] = Seed + 3, ["generated"] = generated, ["accepted"] = accepted, ["refused"] = refused, ["unhandledExceptions"] = problems.Count,
            ["acceptedEscapingTheVolume"] = problems.Count(p => p.Contains("accepted but", StringComparison.Ordinal)),
            ["byKind"] = kinds.ToDictionary(k => k.Key, k => new Dictionary<string, int> { ["accepted"] = k.Value[0], ["refused"] = k.Value[1] }),
        });
    }

    /// <summary>
    /// Lists an accepted archive entry by entry (the library's reader, which follows Go's archive/tar, the reader of the
    /// Docker archive API that a restore feeds) and says how an entry or link would leave its volume; null when none does.
    /// </summary>
    private static async Task<string?> EscapesAsync(byte[] bytes)
    {
        Stream stream = new MemoryStream(bytes);
        if (bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            stream = new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress);
        }

        var reader = new ArkManager.Images.Backups.Tar.TarReader(stream);
        while (await reader.GetNextEntryAsync(default) is { } entry)
        {
            var name = entry.Name;
            if (name == BackupManifest.EntryName)
            {
                continue;
            }

            var parts = name.Split('/');
            if (parts.Length < 2 || parts[0] != "volumes" || !int.TryParse(parts[1], out _))
            {
                return $"'{name}' is outside volumes/<n>/";
            }

            var volumeRoot = "/v";
            var inside = Normalize(volumeRoot + "/" + string.Join("/", parts.Skip(2)));
            if (inside is null || !(inside == volumeRoot || inside.StartsWith(volumeRoot + "/", StringComparison.Ordinal)))
            {
                return $"'{name}' resolves outside its volume";
            }

            if (entry.Type == ArkManager.Images.Backups.Tar.TarEntryType.SymbolicLink)
            {
                var link = entry.LinkName;
                var resolved = link.StartsWith('/') ? Normalize(link) : Normalize(inside[..inside.LastIndexOf('/')] + "/" + link);
                if (resolved is null || !(resolved == volumeRoot || resolved.StartsWith(volumeRoot + "/", StringComparison.Ordinal)))
                {
                    return $"symlink '{name}' -> '{link}' points outside its volume";
                }
            }

            if (entry.Type == ArkManager.Images.Backups.Tar.TarEntryType.HardLink && !entry.LinkName.StartsWith(string.Join("/", parts.Take(2)) + "/", StringComparison.Ordinal))
            {
                return $"hard link '{name}' -> '{entry.LinkName}' points outside its volume";
            }
        }

        return null;
    }

    private static string? Normalize(string path)
    {
        var stack = new List<string>();
        foreach (var part in path.Split('/', '\\'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (stack.Count == 0)
                {
                    return null;
                }

                stack.RemoveAt(stack.Count - 1);
                continue;
            }

            stack.Add(part);
        }

        return "/" + string.Join("/", stack);
    }
}
