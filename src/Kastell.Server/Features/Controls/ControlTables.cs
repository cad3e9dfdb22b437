using Kastell.Server.Features.Controls.Adoption;
using Kastell.Server.Features.Controls.Applicability;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Controls;

/// <summary>The tables this feature owns, on the shared data context; other features call its queries instead.</summary>
internal static class ControlTables
{
    extension(KastellDbContext db)
    {
        public DbSet<FrameworkAdoption> FrameworkAdoptions => db.Set<FrameworkAdoption>();

        public DbSet<Control> Controls => db.Set<Control>();

        public DbSet<ControlRequirement> ControlRequirements => db.Set<ControlRequirement>();

        public DbSet<ApplicabilityEntry> ApplicabilityEntries => db.Set<ApplicabilityEntry>();
    }
}
