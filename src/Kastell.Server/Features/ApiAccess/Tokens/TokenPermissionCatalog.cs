using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Identity.Tokens;

namespace Kastell.Server.Features.ApiAccess.Tokens;

/// <summary>One permission a token can carry, e.g. <c>space:can_upload</c>.</summary>
public sealed record TokenPermission(string Type, string Permission)
{
    public string Name => ApiTokenReach.Name(Type, Permission);
}

/// <summary>
/// The permissions a token can carry, read from the authorization model: every <c>can_…</c> permission of every type
/// a token can reach (the types that define <c>token_reach</c>), so a feature's new permission is offered without
/// touching this feature. Entering the organization and a Space is implied and not listed.
/// </summary>
public sealed class TokenPermissionCatalog(KastellModel model)
{
    private IReadOnlyList<TokenPermission>? _all;

    public IReadOnlyList<TokenPermission> All => _all ??= [.. model.Model.TypeDefinitions
        .Where(t => t.Relations.Any(r => r.Name == ApiTokenReach.Relation))
        .SelectMany(t => t.Relations.Where(r => r.Name.StartsWith("can_", StringComparison.Ordinal) && !ApiTokenReach.IsEntry(t.Name, r.Name))
            .Select(r => new TokenPermission(t.Name, r.Name)))
        .OrderBy(p => p.Type == "organization" ? 0 : p.Type == "space" ? 1 : 2).ThenBy(p => p.Type, StringComparer.Ordinal).ThenBy(p => p.Permission, StringComparer.Ordinal)];

    public TokenPermission? Find(string name) => All.FirstOrDefault(p => p.Name == name);
}
