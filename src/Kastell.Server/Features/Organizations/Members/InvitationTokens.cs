using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Kastell.Server.Features.Organizations.Members;

/// <summary>
/// Invitation tokens: "{organization id}.{256 random bits}", base64url. The organization part lets the accept page
/// enter the right tenant before looking the invitation up (row-level security would hide it otherwise); the
/// random part is the secret. Only the SHA-256 of the whole token is stored.
/// </summary>
internal static class InvitationTokens
{
    public static string Create(Guid organizationId) =>
        organizationId.ToString("N") + "." + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The organization a well-formed token names, or null for anything malformed.</summary>
    public static Guid? OrganizationOf(string? token)
    {
        if (token is null || token.Length is < 40 or > 100)
        {
            return null;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        return dot == 32 && Guid.TryParseExact(token[..dot], "N", out var organizationId) && token.Length > dot + 1
            ? organizationId
            : null;
    }
}
