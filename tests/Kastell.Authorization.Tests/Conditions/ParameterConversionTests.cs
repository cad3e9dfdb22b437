using Kastell.Authorization.Conditions;

namespace Kastell.Authorization.Tests.Conditions;

/// <summary>Context values convert to their declared parameter types with OpenFGA's rules.</summary>
public sealed class ParameterConversionTests
{
    public static TheoryData<string, string, object?, bool> Conversions => new()
    {
        { "x == 5", "x: int", 5.0, true },
        { "x == 5", "x: int", "5", true },
        { "x == 1000", "x: int", "1e3", true },
        { "x == -5", "x: int", -5.0, true },
        { "x == 9223372036854775807", "x: int", 1e30, true },
        { "x == 5u", "x: uint", 5.0, true },
        { "x == 2.5", "x: double", 2.5, true },
        { "x == 2.5", "x: double", "2.5", true },
        { "x", "x: bool", true, true },
        { "x == 'hi'", "x: string", "hi", true },
        { "x == duration('90m')", "x: duration", "1h30m", true },
        { "x == duration('-1m')", "x: duration", "-1m", true },
        { "x == duration('1.5h')", "x: duration", "90m", true },
        { "x == duration('0s')", "x: duration", "0", true },
        { "x == timestamp('2023-10-11T10:00:00Z')", "x: timestamp", "2023-10-11T12:00:00+02:00", true },
        { "x.in_cidr('192.168.0.0/16')", "x: ipaddress", "192.168.10.1", true },
        { "x.in_cidr('fd00::/8')", "x: ipaddress", "fd12:3456::1", true },
        { "x == ['a', 'b']", "x: list<string>", new List<object?> { "a", "b" }, true },
        { "x[1] == 2", "x: list<int>", new List<object?> { 1.0, 2.0 }, true },
        { "x['k'] == 'v'", "x: map<string>", new Dictionary<string, object?> { ["k"] = "v" }, true },
        { "x.k == duration('1s')", "x: map<duration>", new Dictionary<string, object?> { ["k"] = "1s" }, true },
        { "x.all(t, t < timestamp('2030-01-01T00:00:00Z'))", "x: list<timestamp>", new List<object?> { "2023-01-01T00:00:00Z" }, true },
        { "x[0][0] == 1", "x: list<list<int>>", new List<object?> { new List<object?> { 1.0 } }, true },
        { "x == 5.0", "x: any", 5.0, true },
        { "x == 5", "x: any", 5.0, true },
        { "x == null", "x: any", null, true },
        { "x.a[0] == 'b'", "x: any", new Dictionary<string, object?> { ["a"] = new List<object?> { "b" } }, true },
        { "x.missing == 1", "x: any", new Dictionary<string, object?>(), false },
    };

    [Theory]
    [MemberData(nameof(Conversions))]
    public void ContextValue_ConvertsToParameterType(string expression, string parameters, object? value, bool expected)
    {
        var compiled = Cel.Compile(expression, parameters);
        if (expected)
        {
            Assert.True(compiled.Evaluate(null, Cel.Context(("x", value))).IsMet);
        }
        else
        {
            Assert.Throws<ConditionException>(() => compiled.Evaluate(null, Cel.Context(("x", value))));
        }
    }

    public static TheoryData<string, object?, string> Mismatches => new()
    {
        { "x: int", 1.5, "expected an int value, but found numeric value '1.5'" },
        { "x: int", "abc", "expected an int, but found string 'abc'" },
        { "x: int", true, "expected an int, but found bool true" },
        { "x: int", null, "expected an int, but found null" },
        { "x: uint", -1.0, "expected a uint value, but found negative value '-1'" },
        { "x: double", "NaNish", "expected a double" },
        { "x: bool", "true", "expected a bool, but found string 'true'" },
        { "x: string", 5.0, "expected a string, but found number 5" },
        { "x: duration", "5 minutes", "expected a duration string" },
        { "x: duration", 5.0, "expected a duration string" },
        { "x: timestamp", "2023-10-11", "expected an RFC 3339 timestamp string" },
        { "x: timestamp", "2023-02-30T00:00:00Z", "expected an RFC 3339 timestamp string" },
        { "x: ipaddress", "10.0.0", "expected a well-formed IP address string" },
        { "x: ipaddress", "10.0.0.1/8", "expected a well-formed IP address string" },
        { "x: list<int>", "1,2", "expected a list" },
        { "x: list<int>", new List<object?> { 1.0, "b" }, "found an invalid list item at index 1: expected an int, but found string 'b'" },
        { "x: map<timestamp>", new Dictionary<string, object?> { ["k"] = "soon" }, "found an invalid value for key 'k': expected an RFC 3339" },
        { "x: map<int>", new List<object?>(), "expected a map" },
        { "x: double", double.PositiveInfinity, "(a finite number)" },
        { "x: any", double.NaN, "expected a JSON value" },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public void ValueThatDoesNotFit_ThrowsNamingTheParameter(string parameters, object? value, string messagePart)
    {
        var compiled = Cel.Compile("true", parameters);
        var error = Assert.Throws<ConditionException>(() => compiled.Evaluate(null, Cel.Context(("x", value))));
        Assert.Contains("failed to convert context parameter 'x'", error.Message, StringComparison.Ordinal);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }
}
