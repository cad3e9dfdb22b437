using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Organizations.Members;

/// <summary>
/// <c>Kastell:Invitations</c>: how many invitations (mails to addresses of the sender's choosing) one person and one
/// organization may send in any hour. Beyond that an invitation is refused with 429 and <c>Retry-After</c>.
/// </summary>
public sealed class InvitationOptions
{
    public const string Section = "Kastell:Invitations";

    /// <summary>Per person, across all their organizations. Default 20.</summary>
    [OptionRange(1, 1_000)]
    public int PerInviterPerHour { get; set; } = 20;

    /// <summary>Per organization, whoever sends them. Default 60.</summary>
    [OptionRange(1, 10_000)]
    public int PerOrganizationPerHour { get; set; } = 60;
}

[OptionsValidator]
internal sealed partial class InvitationOptionsValidator : IValidateOptions<InvitationOptions>;
