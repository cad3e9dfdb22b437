using Kastell.Authorization.Conditions.Cel;

namespace Kastell.Authorization.Tests.Conditions;

/// <summary>Shape of the syntax tree: precedence, associativity, literals and positions.</summary>
public sealed class ParserTests
{
    [Fact]
    public void MultiplicationBindsTighterThanAddition_AndRelationsLooserStill()
    {
        var root = Assert.IsType<CelCall>(CelParser.Parse("1 + 2 * 3 < 10"));

        Assert.Equal("_<_", root.Function);
        var sum = Assert.IsType<CelCall>(root.Args[0]);
        Assert.Equal("_+_", sum.Function);
        Assert.Equal("_*_", Assert.IsType<CelCall>(sum.Args[1]).Function);
    }

    [Fact]
    public void AndBindsTighterThanOr_AndTernaryIsLoosest()
    {
        var root = Assert.IsType<CelCall>(CelParser.Parse("a || b && c ? d : e"));

        Assert.Equal("_?_:_", root.Function);
        var or = Assert.IsType<CelCall>(root.Args[0]);
        Assert.Equal("_||_", or.Function);
        Assert.Equal("_&&_", Assert.IsType<CelCall>(or.Args[1]).Function);
    }

    [Fact]
    public void Subtraction_IsLeftAssociative()
    {
        var root = Assert.IsType<CelCall>(CelParser.Parse("10 - 4 - 3"));

        Assert.Equal(3L, Assert.IsType<CelLiteral>(root.Args[1]).Value);
        Assert.Equal("_-_", Assert.IsType<CelCall>(root.Args[0]).Function);
    }

    [Fact]
    public void LogicalChain_IsBalanced()
    {
        var expr = CelParser.Parse(string.Join(" || ", Enumerable.Repeat("a", 64)));

        Assert.Equal(7, expr.Depth);
    }

    [Fact]
    public void Literals_HaveTheirCelTypes()
    {
        var list = Assert.IsType<CelList>(CelParser.Parse("[1, 1u, 1.0, 'a', true, null, b'x', -9223372036854775808]"));

        Assert.Equal(
            [typeof(long), typeof(ulong), typeof(double), typeof(string), typeof(bool), typeof(CelNull), typeof(byte[]), typeof(long)],
            list.Elements.Select(e => Assert.IsType<CelLiteral>(e).Value.GetType()));
        Assert.Equal(long.MinValue, ((CelLiteral)list.Elements[7]).Value);
    }

    [Fact]
    public void MemberCalls_SelectsIndexesAndMacros_AreDistinguished()
    {
        var root = Assert.IsType<CelCall>(CelParser.Parse("m.k[0].startsWith('a') && l.exists(x, x > 0) && has(m.k)"));
        // Three operands balance as a && (b && c).
        var call = Assert.IsType<CelCall>(root.Args[0]);
        var right = Assert.IsType<CelCall>(root.Args[1]);
        var exists = Assert.IsType<CelComprehension>(right.Args[0]);
        var has = Assert.IsType<CelSelect>(right.Args[1]);

        Assert.Equal("startsWith", call.Function);
        Assert.Equal("_[_]", Assert.IsType<CelCall>(call.Target).Function);
        Assert.Equal((CelMacroKind.Exists, "x"), (exists.Kind, exists.Variable));
        Assert.True(has.TestOnly);
    }

    [Fact]
    public void Nodes_CarryTheirSourceOffsets()
    {
        var root = Assert.IsType<CelCall>(CelParser.Parse("abc  <  12"));

        Assert.Equal(5, root.Position);
        Assert.Equal(0, root.Args[0].Position);
        Assert.Equal(8, root.Args[1].Position);
    }
}
