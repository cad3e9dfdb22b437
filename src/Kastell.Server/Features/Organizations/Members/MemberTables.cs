using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Members;

/// <summary>The tables this feature owns, on the shared data context; other features call its commands instead.</summary>
internal static class MemberTables
{
    extension(KastellDbContext db)
    {
        public DbSet<Invitation> Invitations => db.Set<Invitation>();
    }
}
