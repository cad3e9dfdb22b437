namespace Kastell.Saml;

/// <summary>A refused response: a stable reason for the audit log and a short detail for the operator.</summary>
/// <param name="Reason">What failed.</param>
/// <param name="Detail">Which value failed; may quote (cleaned, shortened) text from the unverified message, so it is
/// for logs and the audit trail, never for the user's page.</param>
public sealed record SamlRefusal(SamlRefusalReason Reason, string Detail);

/// <summary>The outcome of <see cref="SamlResponseValidator.ValidateAsync"/>: a principal or a refusal, never both.</summary>
public sealed class SamlValidationResult
{
    private SamlValidationResult(SamlPrincipal? principal, SamlRefusal? refusal)
    {
        Principal = principal;
        Refusal = refusal;
    }

    /// <summary>The validated principal, when <see cref="Succeeded"/>.</summary>
    public SamlPrincipal? Principal { get; }

    /// <summary>Why the response was refused, when not <see cref="Succeeded"/>.</summary>
    public SamlRefusal? Refusal { get; }

    /// <summary>Whether every check passed and the assertion id was recorded in the replay store.</summary>
    public bool Succeeded => Principal is not null;

    internal static SamlValidationResult Success(SamlPrincipal principal) => new(principal, null);

    internal static SamlValidationResult Refused(SamlRefusal refusal) => new(null, refusal);

    /// <inheritdoc />
    public override string ToString() =>
        Succeeded ? $"accepted {Principal!.NameId}" : $"refused {Refusal!.Reason} ({(int)Refusal.Reason}): {Refusal.Detail}";
}

/// <summary>A SAML attribute of the validated assertion.</summary>
/// <param name="Name">The attribute's <c>Name</c>.</param>
/// <param name="NameFormat">The attribute's <c>NameFormat</c>, if given.</param>
/// <param name="FriendlyName">The attribute's <c>FriendlyName</c>, if given.</param>
/// <param name="Values">The text values; values with element content are left out.</param>
public sealed record SamlAttribute(string Name, string? NameFormat, string? FriendlyName, IReadOnlyList<string> Values);

/// <summary>
/// The subject of an accepted response. Every value comes from the element that a signature verified with a pinned
/// certificate covers (the response, or the assertion), and was read as plain text without comments.
/// </summary>
public sealed record SamlPrincipal
{
    /// <summary>The identity provider's entity id (the assertion's issuer).</summary>
    public required string Issuer { get; init; }

    /// <summary>The subject's NameID text.</summary>
    public required string NameId { get; init; }

    /// <summary>The NameID's <c>Format</c>, if given.</summary>
    public string? NameIdFormat { get; init; }

    /// <summary>The AuthnStatement's <c>SessionIndex</c>, if given (needed for single logout).</summary>
    public string? SessionIndex { get; init; }

    /// <summary>When the identity provider authenticated the subject.</summary>
    public required DateTimeOffset AuthnInstant { get; init; }

    /// <summary>The AuthnContextClassRef, if given (what the server maps to "multi-factor").</summary>
    public string? AuthnContextClassRef { get; init; }

    /// <summary>The AuthnStatement's <c>SessionNotOnOrAfter</c>, if given.</summary>
    public DateTimeOffset? SessionNotOnOrAfter { get; init; }

    /// <summary>The attributes, in document order.</summary>
    public required IReadOnlyList<SamlAttribute> Attributes { get; init; }

    /// <summary>The assertion's ID (recorded in the replay store).</summary>
    public required string AssertionId { get; init; }

    /// <summary>The request id this response answers (the caller removes it from its outstanding ids), or
    /// <see langword="null"/> for an unsolicited response.</summary>
    public string? InResponseTo { get; init; }

    /// <summary>Whether the response element carried a verified signature.</summary>
    public required bool ResponseSigned { get; init; }

    /// <summary>Whether the assertion carried a verified signature.</summary>
    public required bool AssertionSigned { get; init; }

    /// <summary>Whether the assertion arrived encrypted.</summary>
    public required bool AssertionEncrypted { get; init; }
}
