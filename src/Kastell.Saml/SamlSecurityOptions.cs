namespace Kastell.Saml;

/// <summary>
/// The checks a connection may tune. Defaults are the safe choice; options that weaken a check are named
/// <c>Allow…Insecure…</c> or <c>Allow…</c> and say why they are not recommended. <see cref="Validate"/> throws on an
/// out-of-range value, so a bad configuration stops the caller instead of silently disabling a check.
/// </summary>
public sealed class SamlSecurityOptions
{
    /// <summary>The largest clock skew accepted by <see cref="Validate"/>.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Require a signature on the assertion itself (default <see langword="true"/>, matching the
    /// <c>WantAssertionsSigned="true"</c> of the exported metadata). When off, a signature on the response that
    /// covers the assertion is enough.
    /// </summary>
    public bool RequireSignedAssertion { get; init; } = true;

    /// <summary>Require the assertion to arrive encrypted for this service provider.</summary>
    public bool RequireEncryptedAssertion { get; init; }

    /// <summary>
    /// Accept responses that answer no request of ours (IdP-initiated sign-in). NOT recommended: an unsolicited
    /// assertion cannot be bound to the browser that started a sign-in, which allows login CSRF and widens the window
    /// for a stolen assertion. Only when the organization explicitly enables IdP-initiated sign-in.
    /// </summary>
    public bool AllowUnsolicitedResponses { get; init; }

    /// <summary>
    /// Accept SHA-1 in signature and digest algorithms. NOT recommended: SHA-1 collisions are practical, so a
    /// signature over SHA-1 no longer proves what was signed. Only for an identity provider that cannot do better,
    /// when the organization explicitly allows it.
    /// </summary>
    public bool AllowInsecureSha1 { get; init; }

    /// <summary>How far the identity provider's clock may be from ours (default 2 minutes, at most
    /// <see cref="MaxClockSkew"/>).</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The largest decoded response, in bytes (default 256 KiB); larger ones are refused before parsing.</summary>
    public int MaxResponseBytes { get; init; } = 256 * 1024;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value is outside its range.</summary>
    public void Validate()
    {
        if (ClockSkew < TimeSpan.Zero || ClockSkew > MaxClockSkew)
        {
            throw new ArgumentOutOfRangeException(nameof(ClockSkew), ClockSkew, $"The clock skew must be between 0 and {MaxClockSkew}.");
        }

        if (MaxResponseBytes is < 1024 or > 16 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxResponseBytes), MaxResponseBytes, "The response size limit must be between 1 KiB and 16 MiB.");
        }
    }
}
