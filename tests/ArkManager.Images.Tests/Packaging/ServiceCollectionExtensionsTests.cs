using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArkManager.Images.Tests.Packaging;

/// <summary>AddArkImageManagement: what it registers, how the options are built, and when (no Docker daemon needed).</summary>
[Trait("Category", "Unit")]
public sealed class ServiceCollectionExtensionsTests : IDisposable
{
    // A daemon that cannot exist: nothing here connects, and a test that did would fail rather than reach a real engine.
    private const string NoDaemon = "unix:///tmp/arkmgr-di-test-nonexistent.sock";

    private readonly string _dir = Directory.CreateTempSubdirectory("arkdi-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string StateDir => Path.Combine(_dir, "state");

    private string WriteConfig(string json)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Registers_the_manager_and_its_options_as_singletons_built_on_first_use()
    {
        var services = new ServiceCollection();

        var returned = services.AddArkImageManagement(o => o with { DockerHost = NoDaemon });

        Assert.Same(services, returned);
        var manager = Assert.Single(services, d => d.ServiceType == typeof(IArkImageManager));
        Assert.Equal(ServiceLifetime.Singleton, manager.Lifetime);
        Assert.NotNull(manager.ImplementationFactory);
        var options = Assert.Single(services, d => d.ServiceType == typeof(ArkManagerOptions));
        Assert.Equal(ServiceLifetime.Singleton, options.Lifetime);
        Assert.NotNull(options.ImplementationFactory);
    }

    [Fact]
    public void Resolves_one_manager_with_the_changed_options_without_connecting()
    {
        var services = new ServiceCollection();
        services.AddArkImageManagement(o => o with { DockerHost = NoDaemon, StateDirectory = StateDir, MaxConcurrentChecks = 3 });

        using var provider = services.BuildServiceProvider();
        var first = provider.GetRequiredService<IArkImageManager>();
        var second = provider.GetRequiredService<IArkImageManager>();

        Assert.Same(first, second);
        Assert.IsType<ArkImageManager>(first);
        Assert.Equal(NoDaemon, first.Options.DockerHost);
        Assert.Equal(3, first.Options.MaxConcurrentChecks);
        Assert.Same(first.Options, provider.GetRequiredService<ArkManagerOptions>());
    }

    [Fact]
    public void Without_arguments_uses_the_options_ArkManagerOptions_Load_finds()
    {
        var expected = ArkManagerOptions.Load();
        var services = new ServiceCollection();
        services.AddArkImageManagement();

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<ArkManagerOptions>();

        Assert.Equal(expected.DockerHost, options.DockerHost);
        Assert.Equal(expected.SourceFile, options.SourceFile);
        Assert.Equal(expected.RequiredImages, options.RequiredImages);
        Assert.Equal(expected.StateDirectory, options.StateDirectory);
    }

    [Fact]
    public void Takes_an_options_instance_as_it_is()
    {
        var given = new ArkManagerOptions { DockerHost = NoDaemon, StateDirectory = StateDir, RequiredImages = new[] { "example/a:1" } };
        var services = new ServiceCollection();
        services.AddArkImageManagement(given);

        using var provider = services.BuildServiceProvider();

        Assert.Same(given, provider.GetRequiredService<IArkImageManager>().Options);
    }

    [Fact]
    public void Reads_a_configuration_file_when_first_resolved_then_applies_the_change()
    {
        var path = WriteConfig($$"""{ "dockerHost": "{{NoDaemon}}", "requiredImages": ["example/a:1", "example/b:2"] }""");
        var services = new ServiceCollection();
        services.AddArkImageManagement(path, o => o with { StateDirectory = StateDir });

        // Registration reads nothing: a change to the file before first use is seen.
        File.WriteAllText(path, $$"""{ "dockerHost": "{{NoDaemon}}", "requiredImages": ["example/c:3"] }""");
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IArkImageManager>().Options;

        Assert.Equal(NoDaemon, options.DockerHost);
        Assert.Equal(new[] { "example/c:3" }, options.RequiredImages);
        Assert.Equal(StateDir, options.StateDirectory);
        Assert.Equal(Path.GetFullPath(path), options.SourceFile);
    }

    [Fact]
    public void A_missing_configuration_file_fails_on_resolution_not_on_registration()
    {
        var services = new ServiceCollection();
        services.AddArkImageManagement(Path.Combine(_dir, "absent.json"));

        using var provider = services.BuildServiceProvider();

        Assert.Throws<ArkConfigurationException>(() => provider.GetRequiredService<IArkImageManager>());
    }

    [Fact]
    public void Invalid_options_fail_on_resolution()
    {
        var services = new ServiceCollection();
        services.AddArkImageManagement(o => o with { DockerHost = NoDaemon, MaxConcurrentChecks = 0 });

        using var provider = services.BuildServiceProvider();

        Assert.Throws<ArgumentException>(() => provider.GetRequiredService<IArkImageManager>());
    }

    [Fact]
    public void The_builder_overload_applies_factory_then_changes_in_order()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new Marker(NoDaemon));
        services.AddArkImageManagement(ark =>
        {
            ark.ConfigFile = Path.Combine(_dir, "ignored-because-of-the-factory.json");
            ark.OptionsFactory = sp => new ArkManagerOptions { DockerHost = sp.GetRequiredService<Marker>().Value, MaxConcurrentChecks = 2 };
            ark.Configure(o => o with { MaxConcurrentChecks = o.MaxConcurrentChecks * 10 })
               .Configure(o => o with { MaxConcurrentChecks = o.MaxConcurrentChecks + 1, StateDirectory = StateDir });
        });

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<ArkManagerOptions>();

        Assert.Equal(NoDaemon, options.DockerHost);
        Assert.Equal(21, options.MaxConcurrentChecks);
    }

    [Fact]
    public void A_change_or_factory_returning_null_is_reported()
    {
        var services = new ServiceCollection();
        services.AddArkImageManagement(ark => ark.Configure(_ => null!));
        using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ArkManagerOptions>());
        Assert.Contains(nameof(ArkImageManagementOptions.Configure), ex.Message, StringComparison.Ordinal);

        var other = new ServiceCollection();
        other.AddArkImageManagement(ark => ark.OptionsFactory = _ => null!);
        using var otherProvider = other.BuildServiceProvider();
        ex = Assert.Throws<InvalidOperationException>(() => otherProvider.GetRequiredService<ArkManagerOptions>());
        Assert.Contains(nameof(ArkImageManagementOptions.OptionsFactory), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Logs_through_the_containers_logger_factory_when_there_is_one()
    {
        var factory = new RecordingLoggerFactory();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(factory);
        services.AddArkImageManagement(o => o with { DockerHost = NoDaemon, StateDirectory = StateDir });

        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IArkImageManager>();

        Assert.Contains("ArkManager.Images", factory.Categories);
        Assert.Contains("ArkManager.Images.Docker", factory.Categories);
    }

    [Fact]
    public void Can_be_told_not_to_use_the_containers_logger_factory()
    {
        var factory = new RecordingLoggerFactory();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(factory);
        services.AddArkImageManagement(ark =>
        {
            ark.Options = new ArkManagerOptions { DockerHost = NoDaemon, StateDirectory = StateDir };
            ark.UseLoggerFactory = false;
        });

        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IArkImageManager>();

        // The library's own categories are not asked for (the host's IHttpClientFactory still logs its named clients, as it does for any client).
        Assert.DoesNotContain(factory.Categories, c => c.StartsWith("ArkManager.Images", StringComparison.Ordinal));
        Assert.Contains(factory.Categories, c => c.StartsWith("System.Net.Http.HttpClient.ArkManager.Images.Registry", StringComparison.Ordinal));
    }

    [Fact]
    public void Works_with_AddLogging()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
        services.AddArkImageManagement(o => o with { DockerHost = NoDaemon, StateDirectory = StateDir });

        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.NotNull(provider.GetRequiredService<IArkImageManager>());
    }

    [Fact]
    public void A_later_call_replaces_the_options_of_an_earlier_one()
    {
        var services = new ServiceCollection();
        services.AddArkImageManagement(o => o with { DockerHost = "unix:///tmp/first.sock", StateDirectory = StateDir });
        services.AddArkImageManagement(new ArkManagerOptions { DockerHost = NoDaemon, StateDirectory = StateDir });

        Assert.Single(services, d => d.ServiceType == typeof(IArkImageManager));
        Assert.Single(services, d => d.ServiceType == typeof(ArkManagerOptions));
        using var provider = services.BuildServiceProvider();
        Assert.Equal(NoDaemon, provider.GetRequiredService<IArkImageManager>().Options.DockerHost);
    }

    [Fact]
    public void Keeps_a_manager_registered_before()
    {
        IServiceCollection services = new ServiceCollection();
        var own = ServiceDescriptor.Singleton<IArkImageManager>(_ => throw new NotSupportedException("test double"));
        services.Add(own);

        services.AddArkImageManagement(o => o with { DockerHost = NoDaemon });

        Assert.Same(own, Assert.Single(services, d => d.ServiceType == typeof(IArkImageManager)));
    }

    [Fact]
    public void The_container_disposes_the_manager()
    {
        var services = new ServiceCollection();
        services.AddArkImageManagement(o => o with { DockerHost = NoDaemon, StateDirectory = StateDir });
        var provider = services.BuildServiceProvider();
        var manager = provider.GetRequiredService<IArkImageManager>();

        provider.Dispose();

        Assert.Throws<ObjectDisposedException>(() => { _ = manager.GetEngineInfoAsync(); });
    }

    [Fact]
    public void Rejects_null_and_blank_arguments()
    {
        var services = new ServiceCollection();

        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddArkImageManagement());
        Assert.Throws<ArgumentNullException>(() => services.AddArkImageManagement((ArkManagerOptions)null!));
        Assert.Throws<ArgumentNullException>(() => services.AddArkImageManagement((Action<ArkImageManagementOptions>)null!));
        Assert.Throws<ArgumentException>(() => services.AddArkImageManagement(" "));
        Assert.Throws<ArgumentNullException>(() => new ArkImageManagementOptions().Configure(null!));
        Assert.Empty(services);
    }

    private sealed record Marker(string Value);

    private sealed class RecordingLoggerFactory : ILoggerFactory
    {
        public List<string> Categories { get; } = new();

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName)
        {
            lock (Categories)
            {
                Categories.Add(categoryName);
            }

            return NullLogger.Instance;
        }

        public void Dispose()
        {
        }
    }
}
