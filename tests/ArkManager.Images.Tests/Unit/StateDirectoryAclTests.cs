using System.Security.AccessControl;
using System.Security.Principal;
using ArkManager.Images.Internal;

namespace ArkManager.Images.Tests.Unit;

/// <summary>
/// The Windows ACL of the state directory, checked as data on any platform (the Windows application itself cannot run
/// on the Linux build machines): protected from inheritance, full control for SYSTEM, Administrators and the creating
/// account only, inherited by subfolders and files.
/// </summary>
public sealed class StateDirectoryAclTests
{
    [Fact]
    public void Only_system_administrators_and_the_creator_get_access_and_the_parent_acl_is_not_inherited()
    {
        Assert.True(StateDirectoryAcl.ProtectedFromInheritance);
        Assert.Equal(
            new[] { StateDirectoryPrincipal.LocalSystem, StateDirectoryPrincipal.BuiltinAdministrators, StateDirectoryPrincipal.CurrentUser },
            StateDirectoryAcl.Rules.Select(r => r.Principal).ToArray());
        Assert.All(StateDirectoryAcl.Rules, r => Assert.True(r.FullControl));
        Assert.All(StateDirectoryAcl.Rules, r => Assert.True(r.AppliesToChildren));
        Assert.Equal(new[] { "S-1-5-18", "S-1-5-32-544", null }, StateDirectoryAcl.Rules.Select(r => r.WellKnownSid).ToArray());
        Assert.DoesNotContain(StateDirectoryAcl.Rules, r => r.WellKnownSid is "S-1-1-0" or "S-1-5-32-545" or "S-1-5-11"); // Everyone, Users, Authenticated Users
    }

    [Fact]
    public void The_built_security_descriptor_holds_exactly_those_rules()
    {
        if (!OperatingSystem.IsWindows())
        {
            // SecurityIdentifier and DirectorySecurity throw PlatformNotSupportedException off Windows: prove that
            // rather than pass silently, and leave the descriptor itself to a Windows run.
#pragma warning disable CA1416 // the point: it is not supported here
            Assert.Throws<PlatformNotSupportedException>(() => new SecurityIdentifier("S-1-5-18"));
#pragma warning restore CA1416
            return;
        }

        CheckDescriptor();
    }

    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private static void CheckDescriptor()
    {
        var user = new SecurityIdentifier("S-1-5-21-1000000000-1000000000-1000000000-1001");
        var security = StateDirectoryAcl.Build(user);
        Assert.True(security.AreAccessRulesProtected);
        var rules = security.GetAccessRules(true, true, typeof(SecurityIdentifier)).Cast<FileSystemAccessRule>().ToList();
        Assert.Equal(new[] { "S-1-5-18", "S-1-5-32-544", user.Value }.OrderBy(s => s), rules.Select(r => r.IdentityReference.Value).OrderBy(s => s));
        Assert.All(rules, r =>
        {
            Assert.Equal(AccessControlType.Allow, r.AccessControlType);
            Assert.Equal(FileSystemRights.FullControl, r.FileSystemRights & FileSystemRights.FullControl);
            Assert.Equal(InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit, r.InheritanceFlags);
            Assert.False(r.IsInherited);
        });
    }
}
