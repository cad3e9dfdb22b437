using System.Text.RegularExpressions;

namespace Kastell.Authorization.Language;

/// <summary>
/// OpenFGA's object-id rule: letters, digits and <c>_ | * @ . + / -</c>; never <c>#</c>, <c>:</c>, a comma or
/// whitespace, and not starting with <c>*</c> (which would read as a wildcard).
/// </summary>
public static partial class ObjectIdRules
{
    public static bool IsValid(string objectId) => ObjectId().IsMatch(objectId);

    [GeneratedRegex(@"^[A-Za-z0-9_|@.+/\-][A-Za-z0-9_|*@.+/\-]*$")]
    private static partial Regex ObjectId();
}
