using ArkManager.Images.Tests.Infrastructure;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;

namespace ArkManager.Images.Tests.Integration;

/// <summary>Registering a container that already is a server never takes it out of its owner's scope silently.</summary>
[Trait("Category", "Integration")]
public sealed class ServerRegistrationTests : SandboxTestBase
{
    private async Task<(ArkImageManager Manager, string Container)> PlainContainerAsync(params string[] labels)
    {
        var image = PushFresh("v1");
        var manager = CreateManager(image);
        await manager.PullImageAsync(image);
        var container = UniqueName("adopt");
        TrackContainer(container);
        var args = new List<string> { "create", "--name", container, "--network", "none" };
        foreach (var label in labels)
        {
            args.Add("--label");
            args.Add(label);
        }

        args.Add(image);
        Sandbox.Docker(args.ToArray());
        return (manager, container);
    }

    private static string RegistryFile(ArkImageManager manager) => Path.Combine(manager.Options.EffectiveStateDirectory, "servers.json");

    [Fact]
    public async Task Re_registering_under_another_name_or_owner_is_refused_naming_the_current_name_and_owner_and_changes_nothing()
    {
        var (manager, container) = await PlainContainerAsync();
        using var _ = manager;
        var a = UniqueName("a");
        var b = UniqueName("b");

        var first = await manager.RegisterServerAsync(container, a, owner: "carol");
        Assert.True(first.IsRegistered);
        Assert.Equal(a, first.Name);
        Assert.Equal("carol", first.Owner);
        var fileBefore = File.ReadAllBytes(RegistryFile(manager));
        Assert.Contains(a, System.Text.Encoding.UTF8.GetString(fileBefore));

        var renamed = await Assert.ThrowsAsync<ServerAlreadyRegisteredException>(() => manager.RegisterServerAsync(container, b));
        Assert.Equal("ServerAlreadyRegistered", renamed.ErrorId);
        Assert.Equal(container, renamed.Target);
        Assert.Equal(a, renamed.CurrentName);
        Assert.Equal("carol", renamed.CurrentOwner);
        Assert.False(renamed.IsLabelled);
        Assert.Contains($"'{a}'", renamed.Message);
        Assert.Contains("'carol'", renamed.Message);
        Assert.Contains("-Force", renamed.Message);

        var reowned = await Assert.ThrowsAsync<ServerAlreadyRegisteredException>(() => manager.RegisterServerAsync(container, a, owner: "dave"));
        Assert.Equal("carol", reowned.CurrentOwner);

        // Nothing changed: the file is byte-identical, the server keeps its name and stays in carol's scope.
        Assert.Equal(fileBefore, File.ReadAllBytes(RegistryFile(manager)));
        Assert.Null(await manager.GetServerAsync(b));
        Assert.Equal("carol", (await manager.GetServerAsync(a))!.Owner);
        Assert.Contains(await manager.GetServersAsync(owner: "carol"), s => s.Name == a);

        // The same registration again is no change and no error (with or without repeating the owner).
        Assert.Equal("carol", (await manager.RegisterServerAsync(container, a)).Owner);
        Assert.Equal("carol", (await manager.RegisterServerAsync(container, a, owner: "carol")).Owner);
        Assert.Equal(fileBefore, File.ReadAllBytes(RegistryFile(manager)));
    }

    [Fact]
    public async Task Force_re_registers_keeping_the_owner_unless_a_new_one_is_given_and_says_what_changed()
    {
        var (manager, container) = await PlainContainerAsync();
        using var _ = manager;
        var a = UniqueName("a");
        var b = UniqueName("b");
        await manager.RegisterServerAsync(container, a, owner: "carol");

        var moved = await manager.RegisterServerAsync(container, b, owner: null, force: true);

        Assert.Equal(b, moved.Name);
        Assert.Equal("carol", moved.Owner);
        Assert.Null(await manager.GetServerAsync(a));
        Assert.Contains(await manager.GetServersAsync(owner: "carol"), s => s.Name == b);
        Assert.Contains(Logs.Lines, l => l.Contains($"server name '{a}' -> '{b}'", StringComparison.Ordinal) && l.Contains("owner 'carol' kept", StringComparison.Ordinal));

        var reowned = await manager.RegisterServerAsync(container, b, owner: "dave", force: true);

        Assert.Equal("dave", reowned.Owner);
        Assert.Contains(Logs.Lines, l => l.Contains($"name '{b}' kept", StringComparison.Ordinal) && l.Contains("owner 'carol' -> 'dave'", StringComparison.Ordinal));
        Assert.DoesNotContain(await manager.GetServersAsync(owner: "carol"), s => s.Name == b);
    }

    [Fact]
    public async Task A_labelled_container_keeps_the_name_and_owner_of_its_labels_even_with_Force()
    {
        var name = UniqueName("lab");
        var (manager, container) = await PlainContainerAsync("io.arkmanager.server=" + name, "io.arkmanager.owner=carol");
        using var _ = manager;

        // Positive control: registering it under its own name is accepted.
        Assert.Equal("carol", (await manager.RegisterServerAsync(container, name)).Owner);

        var refused = await Assert.ThrowsAsync<ServerAlreadyRegisteredException>(() => manager.RegisterServerAsync(container, UniqueName("other"), owner: null, force: true));

        Assert.True(refused.IsLabelled);
        Assert.Equal(name, refused.CurrentName);
        Assert.Equal("carol", refused.CurrentOwner);
        Assert.False(File.Exists(RegistryFile(manager)) && File.ReadAllText(RegistryFile(manager)).Contains("other-", StringComparison.Ordinal));
        Assert.Equal(name, ContainerField(Sandbox, container, "{{index .Config.Labels \"io.arkmanager.server\"}}"));
    }
}
