namespace Kastell.Server.Platform.Http;

/// <summary>Reading values of form posts strictly.</summary>
public static class FormValues
{
    /// <summary>
    /// The enum member with exactly this name, or null. <c>Enum.TryParse</c> would also take numbers ("3") and flag
    /// combinations ("Admin, Owner"), which no form offers and none may smuggle in.
    /// </summary>
    public static TEnum? Named<TEnum>(string? value)
        where TEnum : struct, Enum
    {
        foreach (var member in Enum.GetValues<TEnum>())
        {
            if (string.Equals(member.ToString(), value, StringComparison.Ordinal))
            {
                return member;
            }
        }

        return null;
    }
}
