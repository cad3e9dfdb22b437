// Deliberate violations of the feature contract, for ArchitectureTests to prove each rule can fail. They live in the
// test assembly under their own root namespace, so Kastell's own check never sees them.
#pragma warning disable CA1812, CA1822
using Kastell.Server.Platform.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Tests.Architecture
{
    internal static class PlantedViolations
    {
        public const string Root = "Kastell.Server.Tests.Architecture.Samples";
    }
}

namespace Kastell.Server.Tests.Architecture.Samples.Platform
{
    /// <summary>Platform code reaching into a feature.</summary>
    internal sealed class Clock
    {
        public string Describe(Features.Widgets.Widget widget) => widget.Name;
    }
}

namespace Kastell.Server.Tests.Architecture.Samples.Features.Widgets
{
    internal sealed class Widget
    {
        public int Id { get; set; }

        public string Name { get; set; } = "";
    }

    internal sealed class WidgetConfiguration : IEntityTypeConfiguration<Widget>
    {
        public void Configure(EntityTypeBuilder<Widget> builder) => builder.HasKey(w => w.Id);
    }

    /// <summary>A feature writing its own table: allowed; and using Gadgets, which uses Widgets back: a cycle.</summary>
    internal sealed class WidgetCommand(DbSet<Widget> widgets)
    {
        public void Run() => widgets.Add(new Widget { Name = Gadgets.GadgetCommand.Label });
    }
}

namespace Kastell.Server.Tests.Architecture.Samples.Features.Gadgets
{
    /// <summary>A feature writing another feature's table three ways instead of calling its command.</summary>
    internal sealed class GadgetCommand(DbSet<Widgets.Widget> widgets)
    {
        // A property, not a constant: the compiler copies a constant's value into its user, leaving no reference behind.
        public static string Label => "gadget";

        public void Run(Widgets.Widget existing)
        {
            widgets.Add(new Widgets.Widget());
            existing.Name = "renamed";
        }

        public Task<int> PurgeAsync() => widgets.ExecuteDeleteAsync();
    }
}

namespace Kastell.Server.Tests.Architecture.Samples.Events
{
    /// <summary>An event outside its class's block.</summary>
    [AuditEventBlock(1000, 1499)]
    internal static class BadEvents
    {
        public static readonly AuditEventType Stray = new(1500);
    }
}
