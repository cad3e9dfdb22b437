namespace Kastell.Authorization.Conditions.Cel;

/// <summary>
/// Tree-walking evaluation of a checked expression. Errors and unknowns (absent parameters) are values, so that
/// <c>&amp;&amp;</c>, <c>||</c>, the ternary and the macros can absorb them as CEL specifies. Every node visit and
/// comprehension iteration spends one step of a fixed budget, which bounds the work of any single evaluation.
/// </summary>
internal sealed class CelInterpreter
{
    private readonly IReadOnlyDictionary<string, object> _bindings;
    private readonly IReadOnlySet<string> _declared;
    private int _steps;

    private CelInterpreter(IReadOnlyDictionary<string, object> bindings, IReadOnlySet<string> declared)
    {
        _bindings = bindings;
        _declared = declared;
    }

    /// <summary>Evaluates <paramref name="expr"/>; the result may be a <see cref="CelError"/> or a <see cref="CelUnknown"/>.</summary>
    public static object Evaluate(CelExpr expr, IReadOnlyDictionary<string, object> bindings, IReadOnlySet<string> declaredParameters) =>
        new CelInterpreter(bindings, declaredParameters).Eval(expr, null);

    private object Eval(CelExpr expr, Scope? scope)
    {
        Step();
        return expr switch
        {
            CelLiteral literal => literal.Value,
            CelIdent ident => Resolve(ident.Name, scope),
            CelSelect select => EvalSelect(select, scope),
            CelList list => EvalList(list, scope),
            CelMap map => EvalMap(map, scope),
            CelComprehension comprehension => EvalComprehension(comprehension, scope),
            CelCall call => EvalCall(call, scope),
            _ => new CelError("unsupported expression"),
        };
    }

    private void Step(int cost = 1)
    {
        _steps += cost;
        if (_steps > CelLimits.MaxEvaluationSteps)
        {
            throw new CelLimitException($"evaluation exceeded the limit of {CelLimits.MaxEvaluationSteps} steps");
        }
    }

    private object Resolve(string name, Scope? scope)
    {
        for (var s = scope; s is not null; s = s.Parent)
        {
            if (s.Name == name)
            {
                return s.Value;
            }
        }

        if (_bindings.TryGetValue(name, out var value))
        {
            return value;
        }

        return _declared.Contains(name) ? new CelUnknown([name]) : new CelError($"no such attribute '{name}'");
    }

    private static bool IsAbsorbing(object value) => value is CelError or CelUnknown;

    private object EvalSelect(CelSelect select, Scope? scope)
    {
        var operand = Eval(select.Operand, scope);
        if (IsAbsorbing(operand))
        {
            return operand;
        }

        if (operand is not CelMapValue map)
        {
            return new CelError($"type '{CelValues.TypeName(operand)}' does not support field selection");
        }

        if (select.TestOnly)
        {
            return map.TryGet(select.Field, out _);
        }

        return map.TryGet(select.Field, out var value) ? value : new CelError($"no such key: {select.Field}");
    }

    private object EvalList(CelList list, Scope? scope)
    {
        var values = new object[list.Elements.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Eval(list.Elements[i], scope);
        }

        return FirstAbsorbing(values) ?? values;
    }

    private object EvalMap(CelMap map, Scope? scope)
    {
        var entries = new Dictionary<object, object>(CelMapValue.KeyComparer);
        var pending = new List<object>();
        foreach (var (keyExpr, valueExpr) in map.Entries)
        {
            var key = Eval(keyExpr, scope);
            var value = Eval(valueExpr, scope);
            pending.Add(key);
            pending.Add(value);
            if (IsAbsorbing(key) || IsAbsorbing(value))
            {
                continue;
            }

            if (key is not (string or long or ulong or bool))
            {
                return new CelError($"unsupported map key type '{CelValues.TypeName(key)}'");
            }

            if (!entries.TryAdd(key, value))
            {
                return new CelError($"Failed with repeated key: {key}");
            }
        }

        return FirstAbsorbing(pending) ?? new CelMapValue(entries);
    }

    /// <summary>Unknowns win over errors, so that absent parameters are reported rather than masked by an error they cause.</summary>
    private static object? FirstAbsorbing(IEnumerable<object> values)
    {
        CelUnknown? unknown = null;
        CelError? error = null;
        foreach (var value in values)
        {
            if (value is CelUnknown u)
            {
                unknown = CelUnknown.Merge(unknown, u);
            }
            else if (value is CelError e)
            {
                error ??= e;
            }
        }

        return (object?)unknown ?? error;
    }

    private object EvalComprehension(CelComprehension c, Scope? scope)
    {
        var range = Eval(c.Range, scope);
        if (IsAbsorbing(range))
        {
            return range;
        }

        IEnumerable<object>? items = range switch
        {
            IReadOnlyList<object> list => list,
            CelMapValue map => map.Entries.Keys,
            _ => null,
        };
        if (items is null)
        {
            return new CelError($"type '{CelValues.TypeName(range)}' cannot be iterated");
        }

        return c.Kind switch
        {
            CelMacroKind.All => Quantify(c, scope, items, stopOn: false),
            CelMacroKind.Exists => Quantify(c, scope, items, stopOn: true),
            CelMacroKind.ExistsOne => ExistsOne(c, scope, items),
            _ => MapOrFilter(c, scope, items),
        };
    }

    /// <summary>
    /// <c>all</c> (stops on false) and <c>exists</c> (stops on true). A deciding element wins over errors and unknowns
    /// elsewhere in the range, just as for chained <c>&amp;&amp;</c> / <c>||</c>.
    /// </summary>
    private object Quantify(CelComprehension c, Scope? scope, IEnumerable<object> items, bool stopOn)
    {
        object? pending = null;
        foreach (var item in items)
        {
            Step();
            var value = Eval(c.Body, new Scope(c.Variable, item, scope));
            if (value is bool b)
            {
                if (b == stopOn)
                {
                    return stopOn;
                }

                continue;
            }

            pending = FirstAbsorbing(pending is null ? [AsAbsorbing(value)] : [pending, AsAbsorbing(value)]);
        }

        return pending ?? !stopOn;
    }

    private object ExistsOne(CelComprehension c, Scope? scope, IEnumerable<object> items)
    {
        var count = 0;
        foreach (var item in items)
        {
            Step();
            var value = Eval(c.Body, new Scope(c.Variable, item, scope));
            if (value is not bool b)
            {
                return AsAbsorbing(value);
            }

            if (b)
            {
                count++;
            }
        }

        return count == 1;
    }

    private object MapOrFilter(CelComprehension c, Scope? scope, IEnumerable<object> items)
    {
        var results = new List<object>();
        foreach (var item in items)
        {
            Step();
            var inner = new Scope(c.Variable, item, scope);
            var predicate = c.Kind == CelMacroKind.Filter ? c.Body : c.Filter;
            if (predicate is not null)
            {
                var keep = Eval(predicate, inner);
                if (keep is not bool k)
                {
                    return AsAbsorbing(keep);
                }

                if (!k)
                {
                    continue;
                }
            }

            var value = c.Kind == CelMacroKind.Filter ? item : Eval(c.Body, inner);
            if (IsAbsorbing(value))
            {
                return value;
            }

            results.Add(value);
        }

        return results.ToArray();
    }

    private static object AsAbsorbing(object value) =>
        IsAbsorbing(value) ? value : new CelError($"expected a bool but found '{CelValues.TypeName(value)}'");

    private object EvalCall(CelCall call, Scope? scope)
    {
        switch (call.Function)
        {
            case "_&&_":
                return Logical(call, scope, decisive: false);
            case "_||_":
                return Logical(call, scope, decisive: true);
            case "_?_:_":
                var condition = Eval(call.Args[0], scope);
                return condition switch
                {
                    bool b => Eval(call.Args[b ? 1 : 2], scope),
                    _ => AsAbsorbing(condition),
                };
        }

        var values = new object[call.Args.Count + (call.Target is null ? 0 : 1)];
        var offset = 0;
        if (call.Target is not null)
        {
            values[0] = Eval(call.Target, scope);
            offset = 1;
        }

        for (var i = 0; i < call.Args.Count; i++)
        {
            values[i + offset] = Eval(call.Args[i], scope);
        }

        foreach (var value in values)
        {
            Step(value switch
            {
                IReadOnlyList<object> list => list.Count,
                CelMapValue map => map.Count,
                _ => 0,
            });
        }

        return FirstAbsorbing(values) ?? CelBuiltins.Invoke(call, values);
    }

    /// <summary>
    /// CEL's commutative logic: either side can decide (<c>false &amp;&amp; x</c> is false even if <c>x</c> is an error or
    /// unknown); only when neither decides does an unknown, then an error, surface.
    /// </summary>
    private object Logical(CelCall call, Scope? scope, bool decisive)
    {
        var left = Eval(call.Args[0], scope);
        if (left is bool l && l == decisive)
        {
            return decisive;
        }

        var right = Eval(call.Args[1], scope);
        if (right is bool r)
        {
            return r == decisive ? decisive : left is bool ? !decisive : AsAbsorbing(left);
        }

        return left is bool ? AsAbsorbing(right) : FirstAbsorbing([AsAbsorbing(left), AsAbsorbing(right)])!;
    }

    private sealed record Scope(string Name, object Value, Scope? Parent);
}

/// <summary>A resource limit hit during evaluation; unlike a <see cref="CelError"/> nothing may absorb it.</summary>
internal sealed class CelLimitException(string message) : Exception(message);
