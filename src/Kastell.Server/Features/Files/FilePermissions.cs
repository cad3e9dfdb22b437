using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Files;

/// <summary>
/// Who may do what with a Space's files. Every Space role reads them — viewers, and organization auditors, whom the
/// tenant middleware lets into every Space as viewers; editors and managers (organization owners and admins count
/// as managers) also upload and delete.
/// </summary>
internal static class FilePermissions
{
    public static bool CanRead(TenantAccess access) => access.SpaceRole is not null;

    public static bool CanChange(TenantAccess access) => access.SpaceRole is SpaceRole.Editor or SpaceRole.Manager;
}
