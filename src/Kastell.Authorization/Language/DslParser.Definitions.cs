using Kastell.Authorization.Model;

namespace Kastell.Authorization.Language;

internal sealed partial class DslParser
{
    private static readonly TokenKind[] RewriteStart = [TokenKind.LParen, .. IdentifierKinds];
    private static readonly TokenKind[] RelationStart = [TokenKind.LBracket, .. RewriteStart];

    private void ParseTypeDefinition()
    {
        var isExtension = false;
        if (Is(TokenKind.Extend))
        {
            Consume();
            Match(TokenKind.Whitespace, TokenKind.Type);
            isExtension = true;
        }

        Match(TokenKind.Type, TokenKind.Whitespace);
        Match(TokenKind.Whitespace, TokenKind.Identifier);
        var name = MatchIdentifier();
        if (isExtension && _document.ModuleName is null)
        {
            _errors.Add(new ModelError("extend can only be used in a modular model", name.Line, name.Line, name.Column, name.Column + name.Text.Length, null, name.Text));
        }

        if (isExtension && _document.Types.Any(t => t.IsExtension && t.Name == name.Text))
        {
            _errors.Add(new ModelError($"'{name.Text}' is already extended in file.", name.Line, name.Line, name.Column, name.Column + name.Text.Length, null, name.Text));
        }

        var type = new DslType(name.Text, SourceSpan.Of(name), isExtension, []);
        _document.Types.Add(type);
        if (!(Is(TokenKind.Newline) && Is(TokenKind.Relations, 2)))
        {
            return;
        }

        Consume();
        Consume();
        var first = true;
        while (Is(TokenKind.Newline) && (Is(TokenKind.Define, 2) || first))
        {
            var newline = Consume();
            if (!Is(TokenKind.Define))
            {
                throw NoViableAlternative(newline);
            }

            ParseRelation(type);
            first = false;
        }

        if (first)
        {
            throw Mismatch([TokenKind.Newline]);
        }
    }

    private void ParseRelation(DslType type)
    {
        Consume();
        Match(TokenKind.Whitespace, IdentifierKinds);
        var name = MatchIdentifier();
        if (Sync(TokenKind.Colon, TokenKind.Whitespace) && Is(TokenKind.Whitespace))
        {
            Consume();
        }

        Match(TokenKind.Colon, [TokenKind.Whitespace, .. RelationStart]);
        if (Sync([TokenKind.Whitespace, .. RelationStart]) && Is(TokenKind.Whitespace))
        {
            Consume();
        }

        var rewrite = ParseRelationDefinition(allowDirect: true);
        if (type.Relations.Any(r => r.Name == name.Text))
        {
            _errors.Add(new ModelError($"'{name.Text}' is already defined in '{type.Name}'", name.Line, name.Line, name.Column, name.Column + name.Text.Length, null, name.Text));
            return;
        }

        type.Relations.Add(new DslRelation(name.Text, SourceSpan.Of(name), rewrite));
    }

    private DslExpression ParseRelationDefinition(bool allowDirect)
    {
        var first = ParseOperand(allowDirect);
        if (!Is(TokenKind.Whitespace))
        {
            return first;
        }

        var op = La(2).Kind;
        if (op is not (TokenKind.Or or TokenKind.And or TokenKind.ButNot))
        {
            return first;
        }

        var children = new List<DslExpression> { first };
        do
        {
            Consume();
            Consume();
            Match(TokenKind.Whitespace, RewriteStart);
            children.Add(ParseOperand(allowDirect: false));
        }
        while (op != TokenKind.ButNot && Is(TokenKind.Whitespace) && Is(op, 2));

        var kind = op switch
        {
            TokenKind.Or => DslOperator.Union,
            TokenKind.And => DslOperator.Intersection,
            _ => DslOperator.Exclusion,
        };
        return new DslOperation(kind, children);
    }

    private DslExpression ParseOperand(bool allowDirect)
    {
        TokenKind[] expected = allowDirect ? RelationStart : RewriteStart;
        if (!Sync(expected))
        {
            throw Mismatch(expected);
        }

        if (Is(TokenKind.LBracket))
        {
            return ParseDirect();
        }

        if (Is(TokenKind.LParen))
        {
            return ParseParenthesized(allowDirect);
        }

        var computed = MatchIdentifier();
        if (Is(TokenKind.Whitespace) && Is(TokenKind.From, 2))
        {
            Consume();
            Consume();
            Match(TokenKind.Whitespace, IdentifierKinds);
            var tupleset = MatchIdentifier();
            return new DslTupleToUserset(computed.Text, SourceSpan.Of(computed), tupleset.Text, SourceSpan.Of(tupleset));
        }

        return new DslComputed(computed.Text, SourceSpan.Of(computed));
    }

    private DslExpression ParseParenthesized(bool allowDirect)
    {
        Consume();
        SkipWhitespace();
        var inner = ParseRelationDefinition(allowDirect);
        SkipWhitespace();
        while (!Is(TokenKind.RParen) && !Is(TokenKind.Newline) && !Is(TokenKind.Eof))
        {
            // Like OpenFGA: report the stray token, skip to the next whitespace or parenthesis, and try again.
            Report($"extraneous input {Quote(La())} expecting {Expecting([TokenKind.RParen, TokenKind.Whitespace])}", La());
            while (!Is(TokenKind.RParen) && !Is(TokenKind.Whitespace) && !Is(TokenKind.Newline) && !Is(TokenKind.Eof))
            {
                Consume();
            }

            SkipWhitespace();
        }

        Match(TokenKind.RParen);
        return inner;
    }

    private void SkipWhitespace()
    {
        while (Is(TokenKind.Whitespace))
        {
            Consume();
        }
    }

    private DslDirect ParseDirect()
    {
        Consume();
        TokenKind[] firstExpected = [TokenKind.Newline, .. IdentifierKinds];
        if (!Sync([TokenKind.Whitespace, .. firstExpected]))
        {
            throw Mismatch([TokenKind.Whitespace, .. firstExpected]);
        }

        if (Is(TokenKind.Whitespace))
        {
            Consume();
            if (!Sync(firstExpected))
            {
                throw Mismatch(firstExpected);
            }
        }

        var types = new List<DslTypeReference> { ParseTypeRestriction() };
        while (true)
        {
            if (!Sync(TokenKind.Comma, TokenKind.Whitespace, TokenKind.RBracket))
            {
                throw Mismatch([TokenKind.Comma, TokenKind.Whitespace, TokenKind.RBracket]);
            }

            if (Is(TokenKind.Whitespace))
            {
                Consume();
                if (!Sync(TokenKind.Comma, TokenKind.RBracket))
                {
                    throw Mismatch([TokenKind.Comma, TokenKind.RBracket]);
                }
            }

            if (Is(TokenKind.RBracket))
            {
                Consume();
                return new DslDirect(types);
            }

            Consume();
            if (Is(TokenKind.Whitespace))
            {
                Consume();
            }

            types.Add(ParseTypeRestriction());
        }
    }

    private DslTypeReference ParseTypeRestriction()
    {
        if (Is(TokenKind.Newline))
        {
            Consume();
        }

        if (!IsIdentifier(La()) && !IsIdentifier(La(2)))
        {
            // OpenFGA reports the mismatch, skips to whatever may follow a restriction and carries on with the list.
            Report($"mismatched input {Quote(La())} expecting {Expecting(IdentifierKinds)}", La());
            var skipped = La();
            while (!Is(TokenKind.Whitespace) && !Is(TokenKind.Comma) && !Is(TokenKind.RBracket) && !Is(TokenKind.Eof))
            {
                Consume();
            }

            return new DslTypeReference(skipped.Text, null, false, null, SourceSpan.Of(skipped), null);
        }

        var type = MatchIdentifier();
        string? relation = null;
        var wildcard = false;
        var end = type;
        if (Is(TokenKind.Colon))
        {
            Consume();
            end = Match(TokenKind.Star);
            wildcard = true;
        }
        else if (Is(TokenKind.Hash))
        {
            Consume();
            end = MatchIdentifier();
            relation = end.Text;
        }

        string? condition = null;
        SourceSpan? conditionSpan = null;
        if (Is(TokenKind.Whitespace) && Is(TokenKind.With, 2))
        {
            Consume();
            Consume();
            Match(TokenKind.Whitespace, TokenKind.Identifier);
            var name = MatchIdentifier();
            condition = name.Text;
            conditionSpan = SourceSpan.Of(name);
        }

        if (Is(TokenKind.Newline))
        {
            Consume();
        }

        var span = new SourceSpan(type.Line, type.Column, end.Line == type.Line ? end.Column + end.Text.Length : type.Column + type.Text.Length);
        return new DslTypeReference(type.Text, relation, wildcard, condition, span, conditionSpan);
    }

    /// <summary>
    /// A parameter without a name: like ANTLR's recovery in OpenFGA's <c>condition</c> rule, the rest of the line is
    /// skipped and parsing goes on after it (where a condition body left over is then reported as unexpected input).
    /// </summary>
    private sealed class SkipCondition : Exception;

    private void ParseCondition()
    {
        try
        {
            ParseConditionDeclaration();
        }
        catch (SkipCondition)
        {
            while (!Is(TokenKind.Newline) && !Is(TokenKind.Eof))
            {
                Consume();
            }

            _skippedCondition = true;
        }
    }

    private void ParseConditionDeclaration()
    {
        Consume();
        Match(TokenKind.Whitespace, TokenKind.Identifier);
        var name = Match(TokenKind.Identifier);
        if (Is(TokenKind.Whitespace))
        {
            Consume();
        }

        Match(TokenKind.LParen);
        var parameters = new List<DslParameter>();
        var first = true;
        do
        {
            if (!first)
            {
                Consume();
            }

            if (Is(TokenKind.Whitespace))
            {
                Consume();
            }

            var parameter = ParseParameter(first);
            if (parameters.Any(p => p.Name == parameter.Name))
            {
                var s = parameter.NameSpan;
                _errors.Add(new ModelError($"parameter '{parameter.Name}' is already defined in the condition '{name.Text}'", s.Line, s.Line, s.Column, s.EndColumn, null, parameter.Name));
            }
            else
            {
                parameters.Add(parameter);
            }

            if (Is(TokenKind.Whitespace))
            {
                Consume();
            }

            first = false;
        }
        while (Is(TokenKind.Comma));

        if (Is(TokenKind.Newline))
        {
            Consume();
        }

        Match(TokenKind.RParen);
        if (Is(TokenKind.Whitespace))
        {
            Consume();
        }

        Match(TokenKind.LBrace);
        var expression = new System.Text.StringBuilder();
        while (!Is(TokenKind.RBrace) && !Is(TokenKind.Eof))
        {
            expression.Append(Consume().Text);
        }

        Match(TokenKind.RBrace);
        if (_document.Conditions.Any(c => c.Name == name.Text))
        {
            _errors.Add(new ModelError($"condition '{name.Text}' is already defined in the model", name.Line, name.Line, name.Column, name.Column + name.Text.Length, null, name.Text));
            return;
        }

        _document.Conditions.Add(new DslCondition(name.Text, SourceSpan.Of(name), parameters, expression.ToString().Trim()));
    }

    private DslParameter ParseParameter(bool first)
    {
        if (Is(TokenKind.Newline))
        {
            Consume();
        }

        if (!Is(TokenKind.Identifier))
        {
            Report($"mismatched input {Quote(La())} expecting {Expecting(first ? [TokenKind.Whitespace, TokenKind.Identifier, TokenKind.Newline] : [TokenKind.Identifier, TokenKind.Newline])}", La());
            throw new SkipCondition();
        }

        var name = Consume();
        if (Is(TokenKind.Whitespace))
        {
            Consume();
        }

        Match(TokenKind.Colon, TokenKind.Whitespace, TokenKind.ConditionParamType, TokenKind.ConditionParamContainer);
        if (Is(TokenKind.Whitespace))
        {
            Consume();
        }

        ConditionParameterType type;
        if (Is(TokenKind.ConditionParamContainer))
        {
            var container = Consume();
            Match(TokenKind.Less, TokenKind.ConditionParamType);
            var inner = Match(TokenKind.ConditionParamType, TokenKind.Greater);
            Match(TokenKind.Greater);
            type = new ConditionParameterType(ConditionTypeNames.FromDsl(container.Text), [ConditionParameterType.Of(ConditionTypeNames.FromDsl(inner.Text))]);
        }
        else
        {
            type = ConditionParameterType.Of(ConditionTypeNames.FromDsl(Match(TokenKind.ConditionParamType).Text));
        }

        return new DslParameter(name.Text, SourceSpan.Of(name), type);
    }
}
