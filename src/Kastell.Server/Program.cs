using Kastell.Server.Platform.Hosting;

// The platform, then each feature's module once: a new feature adds its line here and touches nothing else outside
// its folder (see docs/adding-a-feature.md).
return await KastellApplication.RunAsync(
    args,
    new Kastell.Server.Features.Accounts.AccountsModule(),
    new Kastell.Server.Features.Organizations.OrganizationsModule(),
    new Kastell.Server.Features.Files.FilesModule(),
    new Kastell.Server.Features.AuditTrail.AuditTrailModule(),
    new Kastell.Server.Features.Teams.TeamsModule(),
    new Kastell.Server.Features.Access.AccessModule(),
    new Kastell.Server.Features.ApiAccess.ApiAccessModule(),
    new Kastell.Server.Features.Frameworks.FrameworksModule(),
    new Kastell.Server.Features.Controls.ControlsModule(),
    new Kastell.Server.Features.Domains.DomainsModule(),
    new Kastell.Server.Features.Assets.AssetsModule(),
    new Kastell.Server.Features.Evidence.EvidenceModule(),
    new Kastell.Server.Features.SingleSignOn.SingleSignOnModule());

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
