using Kastell.Authorization.Conditions;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Tests.Conditions;

/// <summary>Invalid conditions are rejected at Compile, with the position of the problem.</summary>
public sealed class CompileErrorTests
{
    public static TheoryData<string, string, string> InvalidExpressions => new()
    {
        // Syntax.
        { "x <", "x: int", "syntax error at 1:4" },
        { "x < 100)", "x: int", "syntax error at 1:8" },
        { "(x < 100", "x: int", "expected ')'" },
        { "x < 100 &&\n  y >", "x: int, y: int", "syntax error at 2:6" },
        { "'unterminated", "", "unterminated string" },
        { "'bad \\q escape' == ''", "", "invalid escape" },
        { "9223372036854775808 > 0", "", "out of range" },
        { "x # 1", "x: int", "unexpected character '#'" },
        { "if == 1", "", "reserved identifier 'if'" },
        { "has(x)", "x: map<string>", "has() requires a field selection" },
        { "[1].all(1, true)", "", "iteration variable" },
        { "", "", "unexpected end" },
        // Names and types.
        { "y < 100", "x: int", "undeclared reference to 'y'" },
        { "x.foo()", "x: string", "undeclared reference to 'foo'" },
        { "x < 1.5", "x: string", "found no matching overload for '<' applied to '(string, double)'" },
        { "x + 1u > 0", "x: int", "found no matching overload for '+' applied to '(int, uint)'" },
        { "x == 1.0", "x: int", "found no matching overload for '==' applied to '(int, double)'" },
        { "x < 1.5", "x: int", "found no matching overload for '<' applied to '(int, double)'" },
        { "x > 1u", "x: int", "found no matching overload for '>' applied to '(int, uint)'" },
        { "1.0 <= x", "x: uint", "found no matching overload for '<=' applied to '(double, uint)'" },
        { "x == null", "x: int", "found no matching overload for '=='" },
        { "x.startsWith(1)", "x: string", "no matching overload for 'startsWith'" },
        { "x.in_cidr('10.0.0.0/8')", "x: string", "no matching overload for 'in_cidr'" },
        { "x + 1", "x: int", "expected a bool condition expression output, but got 'int'" },
        { "x", "x: any", "expected a bool condition expression output, but got 'dyn'" },
        { "x['k']", "x: map<any>", "but got 'dyn'" },
        { "x && true", "x: string", "expected type 'bool' but found 'string'" },
        { "x.field == 1", "x: int", "does not support field selection" },
        { "1 in x", "x: list<string>", "no matching overload for 'in'" },
        { "x[0] == 'a'", "x: map<string>", "no matching overload for '[]'" },
        { "x.all(e, e)", "x: list<int>", "expected type 'bool' but found 'int'" },
        { "x ? 1 : 'a'", "x: bool", "no matching overload for '?:'" },
        { "timestamp(x) > timestamp(1)", "x: bool", "no matching overload for 'timestamp'" },
        { "int(x) > 0", "x: duration", "no matching overload for 'int' applied to '(google.protobuf.Duration)'" },
    };

    [Theory]
    [MemberData(nameof(InvalidExpressions))]
    public void InvalidCondition_ThrowsAtCompile(string expression, string parameters, string messagePart)
    {
        var error = Assert.Throws<ConditionException>(() => Cel.Compile(expression, parameters));
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("condition 'test': ", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> ValidExpressions => new()
    {
        { "_duration != null && _duration > duration('0s')", "_duration: duration" },
        { "_timestamp != null", "_timestamp: timestamp" },
        { "_ip != null && _ip != ipaddress('192.0.0.1')", "_ip: ipaddress" },
        { "x.a == 1.0", "x: any" },
        { "x.nested.deep == 'v'", "x: map<any>" },
        { "x.exists(e, e.size() > 2)", "x: list<string>" },
        { "x.all(k, x[k] > 0)", "x: map<int>" },
        { "x.map(e, e * 2).exists(e, e > 4)", "x: list<int>" },
        { "x.filter(e, e > 1u).size() == 1", "x: list<uint>" },
        { "x < 2 || dyn(x) > 2u || dyn(x) >= 1.5", "x: int" },
        { "x.n > 1.5 && x.n < 2", "x: map<any>" },
        { "dyn(x) == 1.0", "x: int" },
        { "[x, 'a'].size() == 2", "x: int" },
        { "x == [] && y == {}", "x: list<string>, y: map<int>" },
        { "// comment\nx", "x: bool" },
    };

    [Theory]
    [MemberData(nameof(ValidExpressions))]
    public void ValidCondition_Compiles(string expression, string parameters)
    {
        var compiled = Cel.Compile(expression, parameters);
        Assert.Equal(expression, compiled.Definition.Expression);
    }

    [Fact]
    public void ParameterTypeWithWrongGenerics_IsRejected()
    {
        var evaluator = new CelConditionEvaluator();
        var noGeneric = new ConditionDefinition("c", "true", new Dictionary<string, ConditionParameterType>
        {
            ["l"] = ConditionParameterType.Of(ConditionTypeName.List),
        });
        var extraGeneric = new ConditionDefinition("c", "true", new Dictionary<string, ConditionParameterType>
        {
            ["i"] = new(ConditionTypeName.Int, [ConditionParameterType.Of(ConditionTypeName.String)]),
        });
        var unspecified = new ConditionDefinition("c", "true", new Dictionary<string, ConditionParameterType>
        {
            ["u"] = ConditionParameterType.Of(ConditionTypeName.Unspecified),
        });

        Assert.Contains("requires 1 generic type", Assert.Throws<ConditionException>(() => evaluator.Compile(noGeneric)).Message, StringComparison.Ordinal);
        Assert.Contains("takes no generic types", Assert.Throws<ConditionException>(() => evaluator.Compile(extraGeneric)).Message, StringComparison.Ordinal);
        Assert.Contains("unsupported parameter type", Assert.Throws<ConditionException>(() => evaluator.Compile(unspecified)).Message, StringComparison.Ordinal);
    }
}
