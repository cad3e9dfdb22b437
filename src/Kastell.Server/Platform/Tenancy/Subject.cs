using Kastell.Server.Platform.Authorization;

namespace Kastell.Server.Platform.Tenancy;

public enum SubjectKind
{
    Person,
    Team,
}

/// <summary>
/// Someone a role or a team membership can be given to: a person or (all members of) a team. Forms name them
/// <c>user:&lt;id&gt;</c> and <c>team:&lt;id&gt;</c>; in tuples a team stands for its members (<c>team:&lt;id&gt;#member</c>).
/// Parsing checks the shape only: whether the person is a member or the team exists is the command's question.
/// </summary>
public readonly record struct Subject(SubjectKind Kind, Guid Id)
{
    public static Subject Person(Guid userId) => new(SubjectKind.Person, userId);

    public static Subject Team(Guid teamId) => new(SubjectKind.Team, teamId);

    /// <summary>A form value (<c>user:…</c>, <c>team:…</c>) or a tuple's user (<c>user:…</c>, <c>team:…#member</c>).</summary>
    public static bool TryParse(string? value, out Subject subject)
    {
        subject = default;
        if (value is null || value.Length > 64)
        {
            return false;
        }

        if (value.StartsWith("user:", StringComparison.Ordinal) && Guid.TryParseExact(value[5..], "D", out var user))
        {
            subject = Person(user);
            return true;
        }

        var team = value.EndsWith("#member", StringComparison.Ordinal) ? value[..^7] : value;
        if (team.StartsWith("team:", StringComparison.Ordinal) && Guid.TryParseExact(team[5..], "D", out var id))
        {
            subject = Team(id);
            return true;
        }

        return false;
    }

    /// <summary>The user of the tuples that name this subject: the person, or the team's members.</summary>
    public string TupleUser => Kind == SubjectKind.Team ? Memberships.TeamMembers(Id) : Permissions.User(Id);

    /// <summary>The form value.</summary>
    public override string ToString() => Permissions.Object(Kind == SubjectKind.Team ? "team" : "user", Id);
}
