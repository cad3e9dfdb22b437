namespace Kastell.Authorization.Conditions.Cel;

/// <summary>
/// The functions a condition may call: the CEL standard library subset cel-go offers (operators, conversions,
/// string and time functions) plus OpenFGA's <c>ipaddress</c> extension. Polymorphic built-ins
/// (<c>==</c>, <c>in</c>, indexing, <c>size</c>, <c>dyn</c>, the ternary and the logical operators) are typed and
/// evaluated directly by the checker and the interpreter.
/// </summary>
internal static partial class CelStandardLibrary
{
    private static readonly CelType T = CelType.Timestamp;
    private static readonly CelType D = CelType.Duration;
    private static readonly CelType I = CelType.Int;
    private static readonly CelType U = CelType.Uint;
    private static readonly CelType F = CelType.Double;
    private static readonly CelType S = CelType.String;
    private static readonly CelType B = CelType.Bool;
    private static readonly CelType Y = CelType.Bytes;

    public static readonly IReadOnlyDictionary<string, CelOverload[]> Functions = Build();

    private static Dictionary<string, CelOverload[]> Build()
    {
        var all = new List<CelOverload>();
        void Fn(string name, CelType[] parameters, CelType result, Func<object[], object> invoke) =>
            all.Add(new CelOverload(name, false, parameters, result, invoke));
        void RuntimeOnly(string name, CelType[] parameters, CelType result, Func<object[], object> invoke) =>
            all.Add(new CelOverload(name, false, parameters, result, invoke) { RuntimeOnly = true });
        void Member(string name, CelType[] parameters, CelType result, Func<object[], object> invoke) =>
            all.Add(new CelOverload(name, true, parameters, result, invoke));

        AddArithmetic(Fn);
        AddComparisons(Fn, RuntimeOnly);
        AddConversions(Fn);
        AddStrings(Member, Fn);
        AddTime(Member);

        Fn("!_", [B], B, a => !(bool)a[0]);
        Fn("ipaddress", [S], CelType.IpAddress, a => IpAddresses.TryParse((string)a[0], out var ip)
            ? ip
            : new CelError($"'{a[0]}' is not a well-formed IP address"));
        Member("in_cidr", [CelType.IpAddress, S], B, a => IpAddresses.InCidr((CelIpAddress)a[0], (string)a[1]) is { } inside
            ? inside
            : new CelError($"'{a[1]}' is a malformed CIDR string"));

        return all.GroupBy(o => o.Function).ToDictionary(g => g.Key, g => g.ToArray());
    }

    private static void AddComparisons(
        Action<string, CelType[], CelType, Func<object[], object>> fn,
        Action<string, CelType[], CelType, Func<object[], object>> runtimeOnly)
    {
        (string Name, Func<int, bool> Test)[] operators =
        [
            ("_<_", c => c < 0), ("_<=_", c => c <= 0), ("_>_", c => c > 0), ("_>=_", c => c >= 0),
        ];
        CelType[] sameTypeOrdered = [B, S, Y, T, D];
        CelType[] numbers = [I, U, F];
        foreach (var (name, test) in operators)
        {
            object Invoke(object[] a) => CelValues.Compare(a[0], a[1]) is { } c ? test(c) : false;

            foreach (var type in sameTypeOrdered)
            {
                fn(name, [type, type], B, Invoke);
            }

            foreach (var left in numbers)
            {
                foreach (var right in numbers)
                {
                    // int < 1.5 is a type error, dyn(1) < 1.5 is true: cel-go's default checker and runtime.
                    (left == right ? fn : runtimeOnly)(name, [left, right], B, Invoke);
                }
            }
        }
    }
}
