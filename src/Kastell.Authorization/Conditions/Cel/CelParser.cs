namespace Kastell.Authorization.Conditions.Cel;

/// <summary>
/// Recursive-descent parser for CEL expressions (the grammar of the CEL language definition, without message
/// construction). Recursion is bounded by <see cref="CelLimits.MaxNestingDepth"/>, and chains of <c>&amp;&amp;</c>
/// and <c>||</c> are built as balanced trees (as cel-go does) so that long flat conditions stay shallow.
/// </summary>
internal sealed class CelParser
{
    private static readonly HashSet<string> ReservedWords =
    [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package",
        "namespace", "return", "var", "void", "while",
    ];

    private readonly List<CelToken> _tokens;
    private int _index;
    private int _depth;

    private CelParser(string source)
    {
        _tokens = new CelLexer(source).Tokenize();
    }

    public static CelExpr Parse(string source)
    {
        if (source.Length > CelLimits.MaxExpressionLength)
        {
            throw new CelSyntaxException(0, $"expression is longer than {CelLimits.MaxExpressionLength} characters");
        }

        var parser = new CelParser(source);
        var expr = parser.Expression();
        if (parser.Current.Kind != CelTokenKind.End)
        {
            throw new CelSyntaxException(parser.Current.Position, $"unexpected '{parser.Current.Text}'");
        }

        return expr;
    }

    private CelToken Current => _tokens[_index];

    private bool IsPunct(string p) => Current.Kind == CelTokenKind.Punctuation && Current.Text == p;

    private bool IsIdent(string name) => Current.Kind == CelTokenKind.Identifier && Current.Text == name;

    private bool Accept(string p)
    {
        if (!IsPunct(p))
        {
            return false;
        }

        _index++;
        return true;
    }

    private CelToken Expect(string p)
    {
        if (!IsPunct(p))
        {
            var found = Current.Kind == CelTokenKind.End ? "end of expression" : $"'{Current.Text}'";
            throw new CelSyntaxException(Current.Position, $"expected '{p}' but found {found}");
        }

        return _tokens[_index++];
    }

    private T Nested<T>(Func<T> parse)
    {
        if (++_depth > CelLimits.MaxNestingDepth)
        {
            throw new CelSyntaxException(Current.Position, $"expression nests deeper than {CelLimits.MaxNestingDepth} levels");
        }

        try
        {
            return parse();
        }
        finally
        {
            _depth--;
        }
    }

    private CelExpr Checked(CelExpr expr)
    {
        if (expr.Depth > CelLimits.MaxNestingDepth)
        {
            throw new CelSyntaxException(expr.Position, $"expression nests deeper than {CelLimits.MaxNestingDepth} levels");
        }

        return expr;
    }

    private CelExpr Expression() => Nested(() =>
    {
        var condition = LogicalChain("||", "_||_", () => LogicalChain("&&", "_&&_", Relation));
        if (!IsPunct("?"))
        {
            return condition;
        }

        var position = Current.Position;
        _index++;
        var whenTrue = LogicalChain("||", "_||_", () => LogicalChain("&&", "_&&_", Relation));
        Expect(":");
        var whenFalse = Expression();
        return Checked(new CelCall(position, "_?_:_", null, [condition, whenTrue, whenFalse]));
    });

    private CelExpr LogicalChain(string op, string function, Func<CelExpr> operand)
    {
        var operands = new List<CelExpr> { operand() };
        var positions = new List<int>();
        while (IsPunct(op))
        {
            positions.Add(Current.Position);
            _index++;
            operands.Add(operand());
        }

        return Balance(operands, positions, 0, operands.Count, function);
    }

    private CelExpr Balance(List<CelExpr> operands, List<int> positions, int from, int to, string function)
    {
        if (to - from == 1)
        {
            return operands[from];
        }

        var mid = (from + to) / 2;
        var left = Balance(operands, positions, from, mid, function);
        var right = Balance(operands, positions, mid, to, function);
        return Checked(new CelCall(positions[mid - 1], function, null, [left, right]));
    }

    private CelExpr Relation()
    {
        var left = Addition();
        while (true)
        {
            var position = Current.Position;
            string? function = Current switch
            {
                { Kind: CelTokenKind.Punctuation, Text: "<" } => "_<_",
                { Kind: CelTokenKind.Punctuation, Text: "<=" } => "_<=_",
                { Kind: CelTokenKind.Punctuation, Text: ">" } => "_>_",
                { Kind: CelTokenKind.Punctuation, Text: ">=" } => "_>=_",
                { Kind: CelTokenKind.Punctuation, Text: "==" } => "_==_",
                { Kind: CelTokenKind.Punctuation, Text: "!=" } => "_!=_",
                { Kind: CelTokenKind.Identifier, Text: "in" } => "@in",
                _ => null,
            };
            if (function is null)
            {
                return left;
            }

            _index++;
            left = Checked(new CelCall(position, function, null, [left, Addition()]));
        }
    }

    private CelExpr Addition()
    {
        var left = Multiplication();
        while (IsPunct("+") || IsPunct("-"))
        {
            var token = _tokens[_index++];
            left = Checked(new CelCall(token.Position, token.Text == "+" ? "_+_" : "_-_", null, [left, Multiplication()]));
        }

        return left;
    }

    private CelExpr Multiplication()
    {
        var left = Unary();
        while (IsPunct("*") || IsPunct("/") || IsPunct("%"))
        {
            var token = _tokens[_index++];
            var function = token.Text switch { "*" => "_*_", "/" => "_/_", _ => "_%_" };
            left = Checked(new CelCall(token.Position, function, null, [left, Unary()]));
        }

        return left;
    }

    private CelExpr Unary() => Nested(() =>
    {
        var position = Current.Position;
        if (Accept("!"))
        {
            return Checked(new CelCall(position, "!_", null, [Unary()]));
        }

        if (Accept("-"))
        {
            // A negated integer literal is one literal, so that the minimum int64 can be written.
            if (Current.Kind == CelTokenKind.Int && !IsMemberContinuation(1))
            {
                var magnitude = (ulong)_tokens[_index++].Value!;
                if (magnitude > (ulong)long.MaxValue + 1)
                {
                    throw new CelSyntaxException(position, "integer literal is out of range");
                }

                return new CelLiteral(position, magnitude == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)magnitude);
            }

            return Checked(new CelCall(position, "-_", null, [Unary()]));
        }

        return Member();
    });

    private bool IsMemberContinuation(int ahead)
    {
        var token = _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];
        return token.Kind == CelTokenKind.Punctuation && token.Text is "." or "[";
    }

    private CelExpr Member()
    {
        var expr = Primary();
        while (true)
        {
            var position = Current.Position;
            if (Accept("."))
            {
                var name = Identifier();
                expr = IsPunct("(")
                    ? MemberCall(position, expr, name)
                    : Checked(new CelSelect(position, expr, name, TestOnly: false));
            }
            else if (Accept("["))
            {
                var index = Expression();
                Expect("]");
                expr = Checked(new CelCall(position, "_[_]", null, [expr, index]));
            }
            else
            {
                return expr;
            }
        }
    }

    private CelExpr MemberCall(int position, CelExpr target, string name)
    {
        var args = Arguments();
        var kind = name switch
        {
            "all" => CelMacroKind.All,
            "exists" => CelMacroKind.Exists,
            "exists_one" => CelMacroKind.ExistsOne,
            "map" => CelMacroKind.Map,
            "filter" => CelMacroKind.Filter,
            _ => (CelMacroKind?)null,
        };
        if (kind is not { } macro)
        {
            return Checked(new CelCall(position, name, target, args));
        }

        var expectedArgs = macro == CelMacroKind.Map ? args.Count is 2 or 3 : args.Count == 2;
        if (!expectedArgs || args[0] is not CelIdent variable)
        {
            throw new CelSyntaxException(position, $"{name}() expects an iteration variable and {(macro == CelMacroKind.Map ? "one or two expressions" : "a predicate")}");
        }

        return args.Count == 3
            ? Checked(new CelComprehension(position, macro, target, variable.Name, args[2], args[1]))
            : Checked(new CelComprehension(position, macro, target, variable.Name, args[1], null));
    }

    private List<CelExpr> Arguments()
    {
        Expect("(");
        var args = new List<CelExpr>();
        if (Accept(")"))
        {
            return args;
        }

        do
        {
            args.Add(Expression());
        }
        while (Accept(","));

        Expect(")");
        return args;
    }

    private string Identifier()
    {
        if (Current.Kind != CelTokenKind.Identifier)
        {
            throw new CelSyntaxException(Current.Position, $"expected an identifier but found '{Current.Text}'");
        }

        var name = Current.Text;
        if (ReservedWords.Contains(name) || name is "true" or "false" or "null" or "in")
        {
            throw new CelSyntaxException(Current.Position, $"reserved identifier '{name}'");
        }

        _index++;
        return name;
    }

    private CelExpr Primary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case CelTokenKind.Int:
                _index++;
                var magnitude = (ulong)token.Value!;
                if (magnitude > long.MaxValue)
                {
                    throw new CelSyntaxException(token.Position, $"integer literal '{token.Text}' is out of range");
                }

                return new CelLiteral(token.Position, (long)magnitude);
            case CelTokenKind.Uint:
                _index++;
                return new CelLiteral(token.Position, (ulong)token.Value!);
            case CelTokenKind.Double or CelTokenKind.String or CelTokenKind.Bytes:
                _index++;
                return new CelLiteral(token.Position, token.Value!);
            case CelTokenKind.Identifier:
                return IdentifierOrCall();
            case CelTokenKind.End:
                throw new CelSyntaxException(token.Position, "unexpected end of expression");
        }

        if (Accept("("))
        {
            var inner = Expression();
            Expect(")");
            return inner;
        }

        if (Accept("["))
        {
            var elements = Nested(() => ExpressionList("]"));
            return Checked(new CelList(token.Position, elements));
        }

        if (Accept("{"))
        {
            var entries = Nested(MapEntries);
            return Checked(new CelMap(token.Position, entries));
        }

        if (Accept("."))
        {
            // A leading dot names the root scope; conditions have no containers, so it is the plain name.
            return IdentifierOrCall();
        }

        throw new CelSyntaxException(token.Position, $"unexpected '{token.Text}'");
    }

    private CelExpr IdentifierOrCall()
    {
        var token = Current;
        switch (token.Text)
        {
            case "true":
                _index++;
                return new CelLiteral(token.Position, true);
            case "false":
                _index++;
                return new CelLiteral(token.Position, false);
            case "null":
                _index++;
                return new CelLiteral(token.Position, CelNull.Instance);
        }

        var name = Identifier();
        if (!IsPunct("("))
        {
            return new CelIdent(token.Position, name);
        }

        var args = Arguments();
        if (name != "has")
        {
            return Checked(new CelCall(token.Position, name, null, args));
        }

        if (args is not [CelSelect select])
        {
            throw new CelSyntaxException(token.Position, "has() requires a field selection such as has(m.key)");
        }

        return Checked(select with { TestOnly = true });
    }

    private List<CelExpr> ExpressionList(string close)
    {
        var items = new List<CelExpr>();
        while (!Accept(close))
        {
            items.Add(Expression());
            if (!Accept(","))
            {
                Expect(close);
                break;
            }
        }

        return items;
    }

    private List<(CelExpr, CelExpr)> MapEntries()
    {
        var entries = new List<(CelExpr, CelExpr)>();
        while (!Accept("}"))
        {
            var key = Expression();
            Expect(":");
            entries.Add((key, Expression()));
            if (!Accept(","))
            {
                Expect("}");
                break;
            }
        }

        return entries;
    }
}
