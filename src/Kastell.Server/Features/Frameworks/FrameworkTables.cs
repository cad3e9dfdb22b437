using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Frameworks;

/// <summary>The tables this feature owns, on the shared data context; other features call its queries instead.</summary>
internal static class FrameworkTables
{
    extension(KastellDbContext db)
    {
        public DbSet<Framework> Frameworks => db.Set<Framework>();

        public DbSet<FrameworkVersion> FrameworkVersions => db.Set<FrameworkVersion>();

        public DbSet<Requirement> Requirements => db.Set<Requirement>();

        public DbSet<RequirementChange> RequirementChanges => db.Set<RequirementChange>();
    }
}
