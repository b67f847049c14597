using System;
using System.Collections.Generic;
using System.IO;
using System.Security.AccessControl;
using System.Security.Principal;

namespace ArkManager.Images.Internal
{
    /// <summary>Who a rule of the state directory's Windows ACL is for.</summary>
    internal enum StateDirectoryPrincipal
    {
        /// <summary>NT AUTHORITY\SYSTEM (S-1-5-18): services and scheduled tasks running as SYSTEM.</summary>
        LocalSystem,

        /// <summary>BUILTIN\Administrators (S-1-5-32-544).</summary>
        BuiltinAdministrators,

        /// <summary>The account that creates the directory.</summary>
        CurrentUser,
    }

    /// <summary>One allow rule of the state directory's ACL: full control of the directory, its subfolders and files.</summary>
    internal sealed class StateDirectoryAclRule
    {
        public StateDirectoryAclRule(StateDirectoryPrincipal principal)
        {
            Principal = principal;
        }

        public StateDirectoryPrincipal Principal { get; }

        /// <summary>Full control (the only right granted; nobody else gets any).</summary>
        public bool FullControl => true;

        /// <summary>The rule applies to subfolders and files (container and object inherit).</summary>
        public bool AppliesToChildren => true;

        /// <summary>The well-known SID of the principal, or null for <see cref="StateDirectoryPrincipal.CurrentUser"/>.</summary>
        public string? WellKnownSid => Principal switch
        {
            StateDirectoryPrincipal.LocalSystem => "S-1-5-18",
            StateDirectoryPrincipal.BuiltinAdministrators => "S-1-5-32-544",
            _ => null,
        };
    }

    /// <summary>
    /// The Windows ACL of the state directory, as data (so that a test can check it on any platform) and its
    /// application: inheritance from the parent is off (a folder under %ProgramData% would otherwise be readable by
    /// every local user), and only SYSTEM, Administrators and the creating account get access. Subfolders and files
    /// inherit it. On Unix the directory is 0700 instead (<see cref="StateDirectory"/>).
    /// </summary>
    internal static class StateDirectoryAcl
    {
        /// <summary>Inherited entries of the parent are not applied (the ACL is protected) and none are kept.</summary>
        public const bool ProtectedFromInheritance = true;

        /// <summary>The allow rules; there are no others.</summary>
        public static readonly IReadOnlyList<StateDirectoryAclRule> Rules = new[]
        {
            new StateDirectoryAclRule(StateDirectoryPrincipal.LocalSystem),
            new StateDirectoryAclRule(StateDirectoryPrincipal.BuiltinAdministrators),
            new StateDirectoryAclRule(StateDirectoryPrincipal.CurrentUser),
        };

        /// <summary>The ACL for a directory created by the account <paramref name="currentUser"/>.</summary>
#if NET
        [System.Runtime.Versioning.SupportedOSPlatform("windows")]
#endif
        public static DirectorySecurity Build(SecurityIdentifier currentUser)
        {
            var security = new DirectorySecurity();
            security.SetAccessRuleProtection(ProtectedFromInheritance, false);
            foreach (var rule in Rules)
            {
                var sid = rule.WellKnownSid is null ? currentUser : new SecurityIdentifier(rule.WellKnownSid);
                security.AddAccessRule(new FileSystemAccessRule(
                    sid,
                    rule.FullControl ? FileSystemRights.FullControl : FileSystemRights.ReadAndExecute,
                    rule.AppliesToChildren ? InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit : InheritanceFlags.None,
                    PropagationFlags.None,
                    AccessControlType.Allow));
            }

            return security;
        }

        /// <summary>Creates <paramref name="path"/> with the protected ACL in one call (no moment with the parent's ACL).</summary>
#if NET
        [System.Runtime.Versioning.SupportedOSPlatform("windows")]
#endif
        public static void CreateProtected(string path)
        {
            var user = WindowsIdentity.GetCurrent().User
                ?? throw new InvalidOperationException("The current Windows account has no SID: cannot make the state directory owner-only.");
            new DirectoryInfo(path).Create(Build(user));
        }
    }
}
