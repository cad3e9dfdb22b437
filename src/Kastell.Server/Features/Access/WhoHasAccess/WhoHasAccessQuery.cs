using Kastell.Server.Platform.Authorization;

namespace Kastell.Server.Features.Access.WhoHasAccess;

/// <summary>A person with access to an object: the strongest level they hold and every way they hold it.</summary>
public sealed record AccessRow(Guid UserId, string Name, string Email, AccessLevel Level, IReadOnlyList<AccessReason> Reasons, bool MoreReasons);

/// <summary>Everyone with access to one object, and the engine's list was complete unless <see cref="Truncated"/>; <see cref="Everyone"/> for a grant to all users.</summary>
public sealed record AccessList(IReadOnlyList<AccessRow> Rows, bool Truncated, bool Everyone);

/// <summary>
/// Who has access to an object, and why: the engine's ListUsers for each level (strongest first), and its Explain for
/// the strongest level each person holds. Nothing here decides access; it shows the engine's decisions and their paths.
/// </summary>
internal sealed class WhoHasAccessQuery(Permissions permissions, AccessNames names)
{
    public AccessNames Names => names;

    public async Task<AccessList> ListAsync(string type, Guid id, IReadOnlyList<AccessLevel> levels, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<Guid, (AccessLevel Level, IReadOnlyList<AccessReason> Reasons, bool More)>();
        var truncated = false;
        var everyone = false;
        foreach (var level in levels)
        {
            var reach = await permissions.UsersAsync(type, id, level.Permission, cancellationToken);
            truncated |= reach.Truncated;
            everyone |= reach.Everyone;
            foreach (var user in reach.Ids.Where(u => !found.ContainsKey(u)))
            {
                var explained = await permissions.ExplainAsync(type, id, level.Permission, user, cancellationToken);
                found[user] = (level, AccessReason.From(explained.Proofs), explained.Truncated);
            }
        }

        await names.LoadAsync(found.Values.SelectMany(f => f.Reasons), cancellationToken);
        var people = await names.PeopleAsync(found.Keys, cancellationToken);
        var rows = found
            .Select(f => people.TryGetValue(f.Key, out var person)
                ? new AccessRow(f.Key, person.Name, person.Email, f.Value.Level, f.Value.Reasons, f.Value.More)
                : new AccessRow(f.Key, f.Key.ToString("D"), "", f.Value.Level, f.Value.Reasons, f.Value.More))
            .OrderBy(r => levels.ToList().IndexOf(r.Level))
            .ThenBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase)
            .ToList();
        return new(rows, truncated, everyone);
    }
}
