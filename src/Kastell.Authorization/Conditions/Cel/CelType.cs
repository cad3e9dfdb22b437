namespace Kastell.Authorization.Conditions.Cel;

internal enum CelKind
{
    Dyn,
    Null,
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Timestamp,
    Duration,
    IpAddress,
    List,
    Map,
}

/// <summary>A static CEL type as the checker sees it. <see cref="CelKind.Dyn"/> is "known only at run time".</summary>
internal sealed record CelType(CelKind Kind, CelType? Element = null, CelType? Key = null)
{
    public static readonly CelType Dyn = new(CelKind.Dyn);
    public static readonly CelType Null = new(CelKind.Null);
    public static readonly CelType Bool = new(CelKind.Bool);
    public static readonly CelType Int = new(CelKind.Int);
    public static readonly CelType Uint = new(CelKind.Uint);
    public static readonly CelType Double = new(CelKind.Double);
    public static readonly CelType String = new(CelKind.String);
    public static readonly CelType Bytes = new(CelKind.Bytes);
    public static readonly CelType Timestamp = new(CelKind.Timestamp);
    public static readonly CelType Duration = new(CelKind.Duration);
    public static readonly CelType IpAddress = new(CelKind.IpAddress);

    public static CelType ListOf(CelType element) => new(CelKind.List, element);

    public static CelType MapOf(CelType key, CelType value) => new(CelKind.Map, value, key);

    public bool IsDyn => Kind == CelKind.Dyn;

    /// <summary>Types a <c>null</c> literal may be compared with: CEL's message-like and well-known types.</summary>
    public bool IsNullable => Kind is CelKind.Null or CelKind.Dyn or CelKind.Timestamp or CelKind.Duration or CelKind.IpAddress;

    /// <summary>
    /// Whether a value of type <paramref name="actual"/> may stand where this type is expected; <c>dyn</c> on either side
    /// defers the decision to run time, as in CEL's gradual typing.
    /// </summary>
    public bool Accepts(CelType actual)
    {
        if (IsDyn || actual.IsDyn)
        {
            return true;
        }

        if (Kind != actual.Kind)
        {
            return false;
        }

        return Kind switch
        {
            CelKind.List => Element!.Accepts(actual.Element!),
            CelKind.Map => Key!.Accepts(actual.Key!) && Element!.Accepts(actual.Element!),
            _ => true,
        };
    }

    /// <summary>The most specific type both may have: equal types stay, anything else widens to dyn.</summary>
    public static CelType Join(CelType a, CelType b)
    {
        if (a == b)
        {
            return a;
        }

        if (a.Kind == b.Kind && a.Kind == CelKind.List)
        {
            return ListOf(Join(a.Element!, b.Element!));
        }

        if (a.Kind == b.Kind && a.Kind == CelKind.Map)
        {
            return MapOf(Join(a.Key!, b.Key!), Join(a.Element!, b.Element!));
        }

        return Dyn;
    }

    public override string ToString() => Kind switch
    {
        CelKind.List => $"list({Element})",
        CelKind.Map => $"map({Key}, {Element})",
        CelKind.Null => "null_type",
        CelKind.Timestamp => "google.protobuf.Timestamp",
        CelKind.Duration => "google.protobuf.Duration",
        CelKind.IpAddress => "IPAddress",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
