using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Evidence;

/// <summary>The tables this feature owns, on the shared data context; other features call its queries instead.</summary>
internal static class EvidenceTables
{
    extension(KastellDbContext db)
    {
        public DbSet<EvidenceItem> EvidenceItems => db.Set<EvidenceItem>();

        public DbSet<EvidenceVersion> EvidenceVersions => db.Set<EvidenceVersion>();
    }
}
