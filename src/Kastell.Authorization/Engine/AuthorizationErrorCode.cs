namespace Kastell.Authorization.Engine;

/// <summary>The subset of OpenFGA's <c>ErrorCode</c> values (openfga/api errors.proto) the engine raises, with OpenFGA's numbers.</summary>
public enum AuthorizationErrorCode
{
    ValidationError = 2000,
    AuthorizationModelResolutionTooComplex = 2002,
    CannotAllowDuplicateTuplesInOneRequest = 2004,
    WriteFailedDueToInvalidInput = 2017,
    TypeNotFound = 2021,
    RelationNotFound = 2022,
    InvalidTuple = 2027,
    InvalidAuthorizationModel = 2056,

    /// <summary>OpenFGA's <c>InternalErrorCode.deadline_exceeded</c>: a list query ran out of time before it could answer.</summary>
    DeadlineExceeded = 4004,
}
