using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.Domains;

/// <summary>The Domains feature's expected failures (codes documented in docs/error-codes.md).</summary>
internal static class DomainsErrors
{
    public static readonly Failure NameInvalid = new("domain.name-invalid", StatusCodes.Status400BadRequest, "DomainNameInvalid");

    public static readonly Failure PublicSuffix = new("domain.public-suffix", StatusCodes.Status400BadRequest, "DomainIsPublicSuffix");

    public static readonly Failure AlreadyAdded = new("domain.already-added", StatusCodes.Status409Conflict, "DomainAlreadyAdded");

    public static readonly Failure TakenByAnotherOrganization = new("domain.taken", StatusCodes.Status409Conflict, "DomainTaken");

    public static readonly Failure TooMany = new("domain.too-many", StatusCodes.Status409Conflict, "DomainTooMany");

    public static readonly Failure RecordMissing = new("domain.record-missing", StatusCodes.Status422UnprocessableEntity, "DomainRecordMissing");

    public static readonly Failure ResolverUnreachable = new("domain.resolver-unreachable", StatusCodes.Status503ServiceUnavailable, "DomainResolverUnreachable");
}
