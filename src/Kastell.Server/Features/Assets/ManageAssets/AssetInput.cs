using Kastell.Server.Features.Assets.Inheritance;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Assets.ManageAssets;

/// <summary>One goal as a form or the API sends it: level, justification, override level (empty: none) and its justification.</summary>
public sealed record NeedInput(string? Level, string? Justification, string? Override = null, string? OverrideJustification = null);

/// <summary>Everything an asset's form sends, as typed (validated by <see cref="AssetInputs"/>). Owner: <c>user:…</c>, <c>team:…</c> or empty.</summary>
public sealed record AssetInput(string? Name, string? Kind, string? Description, string? Owner, NeedInput? Confidentiality, NeedInput? Integrity, NeedInput? Availability)
{
    public NeedInput? For(ProtectionGoal goal) => goal switch
    {
        ProtectionGoal.Confidentiality => Confidentiality,
        ProtectionGoal.Integrity => Integrity,
        _ => Availability,
    };
}

/// <summary>An <see cref="AssetInput"/> that passed validation.</summary>
internal sealed record ValidAsset(string Name, AssetKind Kind, string Description, Subject? Owner, IReadOnlyList<ProtectionNeed> Needs);

/// <summary>Validates what a form or the API sends for an asset, the same for creating and editing.</summary>
internal static class AssetInputs
{
    public static readonly ProtectionGoal[] Goals = [ProtectionGoal.Confidentiality, ProtectionGoal.Integrity, ProtectionGoal.Availability];

    /// <summary>
    /// The input cleaned, or the first failure. A need of normal needs no justification (the default assumption of
    /// BSI 200-2); high and very high need one, and so does every override (the distribution effect must be argued).
    /// </summary>
    public static async Task<Result<ValidAsset>> ValidateAsync(AssetInput input, KastellDbContext db, CancellationToken cancellationToken)
    {
        var validated = Validate(input);
        if (validated.Value is not { } valid)
        {
            return validated.Failure!;
        }

        if (valid.Owner is { } owner && !await IsOfTheOrganizationAsync(db, owner, cancellationToken))
        {
            return AssetsErrors.OwnerInvalid;
        }

        return valid;
    }

    /// <summary>
    /// The same checks without the database: whether the owner belongs to the organization is left to the caller
    /// (an import resolves all of its owners at once).
    /// </summary>
    public static Result<ValidAsset> Validate(AssetInput input)
    {
        if (AssetNames.Clean(input.Name, Asset.MaxNameLength, required: true) is not { } name
            || AssetNames.Clean(input.Description, Asset.MaxDescriptionLength, required: false, multiline: true) is not { } description)
        {
            return AssetsErrors.AssetInvalid;
        }

        if (FormValues.Named<AssetKind>(input.Kind) is not { } kind)
        {
            return AssetsErrors.KindInvalid;
        }

        var needs = new List<ProtectionNeed>();
        foreach (var goal in Goals)
        {
            var need = input.For(goal) ?? new NeedInput(null, null);
            var level = string.IsNullOrEmpty(need.Level) ? ProtectionLevel.Normal : FormValues.Named<ProtectionLevel>(need.Level);
            ProtectionLevel? overridden = null;
            if (!string.IsNullOrEmpty(need.Override))
            {
                overridden = FormValues.Named<ProtectionLevel>(need.Override);
                if (overridden is null)
                {
                    return AssetsErrors.LevelInvalid;
                }
            }

            if (level is not { } own)
            {
                return AssetsErrors.LevelInvalid;
            }

            var justification = AssetNames.Clean(need.Justification, Asset.MaxJustificationLength, required: own != ProtectionLevel.Normal, multiline: true);
            var overrideJustification = AssetNames.Clean(need.OverrideJustification, Asset.MaxJustificationLength, required: overridden is not null, multiline: true);
            if (justification is null || overrideJustification is null)
            {
                return AssetsErrors.JustificationRequired;
            }

            needs.Add(new ProtectionNeed(own, justification, overridden, overridden is null ? "" : overrideJustification));
        }

        Subject? owner = null;
        if (!string.IsNullOrEmpty(input.Owner))
        {
            if (!Subject.TryParse(input.Owner, out var subject))
            {
                return AssetsErrors.OwnerInvalid;
            }

            owner = subject;
        }

        return new ValidAsset(name, kind, description, owner, needs);
    }

    private static async Task<bool> IsOfTheOrganizationAsync(KastellDbContext db, Subject subject, CancellationToken cancellationToken) =>
        subject.Kind == SubjectKind.Person
            ? await db.OrganizationMembers.AnyAsync(m => m.UserId == subject.Id, cancellationToken)
            : await db.Teams.AnyAsync(t => t.Id == subject.Id, cancellationToken);
}
