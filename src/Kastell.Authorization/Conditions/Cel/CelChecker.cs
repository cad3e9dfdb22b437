namespace Kastell.Authorization.Conditions.Cel;

/// <summary>
/// Static type checking of a parsed expression against the declared parameters, in the manner of cel-go's checker:
/// unknown names, calls without a matching overload and ill-typed operands are rejected before any evaluation.
/// Values typed <c>dyn</c> (from <c>any</c> parameters) are checked at run time instead.
/// </summary>
internal sealed class CelChecker(IReadOnlyDictionary<string, CelType> parameters)
{
    public CelType Check(CelExpr expr) => Check(expr, null);

    private CelType Check(CelExpr expr, Scope? scope) => expr switch
    {
        CelLiteral literal => LiteralType(literal.Value),
        CelIdent ident => Scope.Find(scope, ident.Name)
            ?? (parameters.TryGetValue(ident.Name, out var type) ? type : throw Error(ident, $"undeclared reference to '{ident.Name}'")),
        CelSelect select => CheckSelect(select, scope),
        CelList list => CelType.ListOf(list.Elements.Select(e => Check(e, scope)).DefaultIfEmpty(CelType.Dyn).Aggregate(CelType.Join)),
        CelMap map => CheckMap(map, scope),
        CelComprehension comprehension => CheckComprehension(comprehension, scope),
        CelCall call => CheckCall(call, scope),
        _ => throw Error(expr, "unsupported expression"),
    };

    private static CelType LiteralType(object value) => value switch
    {
        CelNull => CelType.Null,
        _ => new CelType(CelValues.KindOf(value)),
    };

    private CelType CheckSelect(CelSelect select, Scope? scope)
    {
        var operand = Check(select.Operand, scope);
        var fieldType = operand.Kind switch
        {
            CelKind.Dyn => CelType.Dyn,
            CelKind.Map when operand.Key!.Accepts(CelType.String) => operand.Element!,
            _ => throw Error(select, $"type '{operand}' does not support field selection"),
        };
        return select.TestOnly ? CelType.Bool : fieldType;
    }

    private CelType CheckMap(CelMap map, Scope? scope)
    {
        var key = CelType.Dyn;
        var value = CelType.Dyn;
        for (var i = 0; i < map.Entries.Count; i++)
        {
            var (keyExpr, valueExpr) = map.Entries[i];
            var k = Check(keyExpr, scope);
            if (k.Kind is not (CelKind.Dyn or CelKind.Int or CelKind.Uint or CelKind.Bool or CelKind.String))
            {
                throw Error(keyExpr, $"unsupported map key type '{k}'");
            }

            var v = Check(valueExpr, scope);
            key = i == 0 ? k : CelType.Join(key, k);
            value = i == 0 ? v : CelType.Join(value, v);
        }

        return CelType.MapOf(key, value);
    }

    private CelType CheckComprehension(CelComprehension c, Scope? scope)
    {
        var range = Check(c.Range, scope);
        var variable = range.Kind switch
        {
            CelKind.List => range.Element!,
            CelKind.Map => range.Key!,
            CelKind.Dyn => CelType.Dyn,
            _ => throw Error(c, $"expression of type '{range}' cannot be the range of a comprehension (must be list, map, or dynamic)"),
        };
        var inner = new Scope(c.Variable, variable, scope);
        if (c.Filter is not null)
        {
            ExpectBool(c.Filter, Check(c.Filter, inner));
        }

        var body = Check(c.Body, inner);
        switch (c.Kind)
        {
            case CelMacroKind.Map:
                return CelType.ListOf(body);
            case CelMacroKind.Filter:
                ExpectBool(c.Body, body);
                return range.Kind == CelKind.Dyn ? CelType.ListOf(CelType.Dyn) : CelType.ListOf(variable);
            default:
                ExpectBool(c.Body, body);
                return CelType.Bool;
        }
    }

    private CelType CheckCall(CelCall call, Scope? scope)
    {
        var target = call.Target is null ? null : Check(call.Target, scope);
        var args = call.Args.Select(a => Check(a, scope)).ToArray();
        switch (call.Function)
        {
            case "_&&_" or "_||_":
                ExpectBool(call.Args[0], args[0]);
                ExpectBool(call.Args[1], args[1]);
                return CelType.Bool;
            case "_?_:_":
                ExpectBool(call.Args[0], args[0]);
                return Unify(args[1], args[2]) ?? throw NoOverload(call, args);
            case "_==_" or "_!=_":
                return Unify(args[0], args[1]) is null ? throw NoOverload(call, args) : CelType.Bool;
            case "@in":
                return CheckIn(call, args);
            case "_[_]":
                return CheckIndex(call, args);
            case "size" when (target is null ? args.Length == 1 : args.Length == 0):
                var sized = target ?? args[0];
                return sized.Kind is CelKind.Dyn or CelKind.String or CelKind.Bytes or CelKind.List or CelKind.Map
                    ? CelType.Int
                    : throw NoOverload(call, [sized]);
            case "_+_" when args[0].Kind == CelKind.List || args[1].Kind == CelKind.List:
                return Unify(args[0], args[1]) is { Kind: CelKind.List } list ? list : throw NoOverload(call, args);
            case "dyn" when target is null && args.Length == 1:
                return CelType.Dyn;
        }

        if (!CelStandardLibrary.Functions.TryGetValue(call.Function, out var overloads))
        {
            throw Error(call, $"undeclared reference to '{call.Function}'");
        }

        var actual = target is null ? args : args.Prepend(target).ToArray();
        var matching = overloads
            .Where(o => !o.RuntimeOnly && o.IsMember == (target is not null) && o.Parameters.Length == actual.Length
                && o.Parameters.Zip(actual).All(p => p.First.Accepts(p.Second)))
            .ToArray();
        if (matching.Length == 0)
        {
            throw NoOverload(call, actual);
        }

        var result = matching[0].Result;
        return matching.All(o => o.Result == result) ? result : CelType.Dyn;
    }

    private CelType CheckIn(CelCall call, CelType[] args)
    {
        var (element, container) = (args[0], args[1]);
        var ok = container.Kind switch
        {
            CelKind.Dyn => true,
            CelKind.List => Unify(element, container.Element!) is not null,
            CelKind.Map => Unify(element, container.Key!) is not null,
            _ => false,
        };
        return ok ? CelType.Bool : throw NoOverload(call, args);
    }

    private CelType CheckIndex(CelCall call, CelType[] args)
    {
        var (container, index) = (args[0], args[1]);
        return container.Kind switch
        {
            CelKind.Dyn when index.Kind is CelKind.Dyn or CelKind.Int or CelKind.Uint or CelKind.Bool or CelKind.String => CelType.Dyn,
            CelKind.List when index.Kind is CelKind.Dyn or CelKind.Int => container.Element!,
            CelKind.Map when Unify(index, container.Key!) is not null => container.Element!,
            _ => throw NoOverload(call, args),
        };
    }

    /// <summary>The common type of two operands that must agree (equality, ternary branches), or null if they cannot.</summary>
    private static CelType? Unify(CelType a, CelType b)
    {
        if (a.IsDyn || b.IsDyn)
        {
            return a.IsDyn ? b : a;
        }

        if (a.Kind == CelKind.Null && b.IsNullable)
        {
            return b;
        }

        if (b.Kind == CelKind.Null && a.IsNullable)
        {
            return a;
        }

        if (a.Kind != b.Kind)
        {
            return null;
        }

        return a.Kind switch
        {
            CelKind.List => Unify(a.Element!, b.Element!) is { } e ? CelType.ListOf(e) : null,
            CelKind.Map => Unify(a.Key!, b.Key!) is { } k && Unify(a.Element!, b.Element!) is { } v ? CelType.MapOf(k, v) : null,
            _ => a,
        };
    }

    private static void ExpectBool(CelExpr expr, CelType type)
    {
        if (!CelType.Bool.Accepts(type))
        {
            throw Error(expr, $"expected type 'bool' but found '{type}'");
        }
    }

    private static CelCheckException NoOverload(CelCall call, IEnumerable<CelType> args)
    {
        var name = call.Function switch
        {
            "@in" => "in",
            ['_', .. var op, '_'] when op.Length <= 2 => op,
            "_[_]" => "[]",
            "_?_:_" => "?:",
            ['!', '_'] => "!",
            ['-', '_'] => "-",
            var f => f,
        };
        return Error(call, $"found no matching overload for '{name}' applied to '({string.Join(", ", args)})'");
    }

    private static CelCheckException Error(CelExpr expr, string message) => new(expr.Position, message);

    /// <summary>Comprehension variables in scope, innermost first; they shadow parameters of the same name.</summary>
    private sealed record Scope(string Name, CelType Type, Scope? Parent)
    {
        public static CelType? Find(Scope? scope, string name)
        {
            for (var s = scope; s is not null; s = s.Parent)
            {
                if (s.Name == name)
                {
                    return s.Type;
                }
            }

            return null;
        }
    }
}

/// <summary>A type error at a source offset.</summary>
internal sealed class CelCheckException(int position, string message) : Exception(message)
{
    public int Position { get; } = position;
}
