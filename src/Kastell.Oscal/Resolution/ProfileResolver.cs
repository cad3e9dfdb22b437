namespace Kastell.Oscal.Resolution;

/// <summary>Resolves profiles into catalogs.</summary>
public static class ProfileResolver
{
}
