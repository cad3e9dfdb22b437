using Kastell.Authorization.Conditions;
using Kastell.Authorization.Conditions.Cel;

namespace Kastell.Authorization.Tests.Conditions;

/// <summary>Pathological input fails cleanly instead of exhausting stack, memory or time.</summary>
public sealed class LimitTests
{
    [Fact]
    public void OverlongExpression_IsRejected()
    {
        var expression = "x == '" + new string('a', CelLimits.MaxExpressionLength) + "'";

        var error = Assert.Throws<ConditionException>(() => Cel.Compile(expression, "x: string"));

        Assert.Contains("longer than", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(", ")")]
    [InlineData("[", "][0]")]
    [InlineData("!", "")]
    [InlineData("-", "")]
    [InlineData("{'k': ", "}.k")]
    public void DeepNesting_IsRejectedWithoutStackOverflow(string open, string close)
    {
        // As deep as the length limit allows: far beyond the nesting limit, and enough to overflow an unguarded parser.
        var depth = (CelLimits.MaxExpressionLength - 1) / (open.Length + close.Length);
        var expression = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
        Assert.True(depth > CelLimits.MaxNestingDepth * 5);

        var error = Assert.Throws<ConditionException>(() => Cel.Compile(expression));

        Assert.Contains("nests deeper than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LongLeftAssociativeChain_IsRejectedByDepth()
    {
        var expression = string.Join(" + ", Enumerable.Repeat("x", 500)) + " > 0";

        var error = Assert.Throws<ConditionException>(() => Cel.Compile(expression, "x: int"));

        Assert.Contains("nests deeper than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LongLogicalChain_IsBalanced_AndAccepted()
    {
        var expression = string.Join(" && ", Enumerable.Range(0, 500).Select(i => $"x != {i}"));

        Assert.True(Cel.IsMet(expression, "x: int", Cel.Context(("x", -1.0))));
        Assert.False(Cel.IsMet(expression, "x: int", Cel.Context(("x", 499.0))));
    }

    [Fact]
    public void NestedComprehensions_StopAtTheStepBudget()
    {
        var list = Enumerable.Range(0, 100).Select(i => (object?)(double)i).ToList();
        var compiled = Cel.Compile("l.all(a, l.all(b, l.all(c, a + b + c >= 0)))", "l: list<int>");

        var error = Assert.Throws<ConditionException>(() => compiled.Evaluate(null, Cel.Context(("l", list))));

        Assert.Contains("exceeded the limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MembershipInLargeLists_PaysForItsLinearWork()
    {
        // 2 000 iterations, each scanning 2 000 elements: 4 million comparisons, far beyond the step budget.
        var list = Enumerable.Range(0, 2_000).Select(i => (object?)(double)i).ToList();
        var compiled = Cel.Compile("l.all(x, x in l)", "l: list<int>");

        var error = Assert.Throws<ConditionException>(() => compiled.Evaluate(null, Cel.Context(("l", list))));

        Assert.Equal($"condition 'test': evaluation exceeded the limit of {CelLimits.MaxEvaluationSteps} steps", error.Message);
        Assert.True(Cel.IsMet("l.all(x, x in l)", "l: list<int>", Cel.Context(("l", list.Take(100).ToList()))));
    }

    [Fact]
    public void DeeplyNestedContextValue_IsRejected()
    {
        object? value = "leaf";
        for (var i = 0; i < 100_000; i++)
        {
            value = new List<object?> { value };
        }

        var compiled = Cel.Compile("x != null", "x: any");

        var error = Assert.Throws<ConditionException>(() => compiled.Evaluate(null, Cel.Context(("x", value))));

        Assert.Contains($"value nests deeper than {CelLimits.MaxValueDepth} levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CatastrophicRegex_FinishesQuickly()
    {
        // (a+)+$ against "aaaa...!" takes exponential time in a backtracking engine; the non-backtracking one is linear.
        var compiled = Cel.Compile("s.matches('^(a+)+$')", "s: string");
        var input = new string('a', 5_000) + "!";
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var result = compiled.Evaluate(null, Cel.Context(("s", input)));

        Assert.False(result.IsMet);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public void OverlongRegex_IsRejected()
    {
        var compiled = Cel.Compile("s.matches(p)", "s: string, p: string");

        var error = Assert.Throws<ConditionException>(() =>
            compiled.Evaluate(null, Cel.Context(("s", "a"), ("p", new string('a', CelLimits.MaxRegexLength + 1)))));

        Assert.Contains("regular expression is longer", error.Message, StringComparison.Ordinal);
    }
}
