namespace Kastell.Authorization.Tests.Conditions;

/// <summary>Merging of tuple and request context, and OpenFGA's reporting of missing parameters.</summary>
public sealed class ContextMergeTests
{
    [Fact]
    public void TupleContext_WinsOverRequestContext()
    {
        var compiled = Cel.Compile("x < 100", "x: int");

        Assert.True(compiled.Evaluate(Cel.Context(("x", 10.0)), Cel.Context(("x", 500.0))).IsMet);
        Assert.False(compiled.Evaluate(Cel.Context(("x", 500.0)), Cel.Context(("x", 10.0))).IsMet);
    }

    [Fact]
    public void ParametersCombine_FromBothContexts()
    {
        var compiled = Cel.Compile("user_ip.in_cidr(cidr)", "cidr: string, user_ip: ipaddress");

        var result = compiled.Evaluate(Cel.Context(("cidr", "10.0.0.0/8")), Cel.Context(("user_ip", "10.1.1.1")));

        Assert.True(result.IsMet);
        Assert.False(result.HasMissingParameters);
    }

    [Fact]
    public void UndeclaredContextKeys_AreIgnored()
    {
        var compiled = Cel.Compile("x == 1", "x: int");

        var result = compiled.Evaluate(null, Cel.Context(("x", 1.0), ("y", "not an int"), ("z", null)));

        Assert.True(result.IsMet);
        Assert.Empty(result.MissingParameters);
    }

    [Fact]
    public void AbsentParameters_AreReportedSorted_AndTheConditionIsNotMet()
    {
        var compiled = Cel.Compile("b < 1 && a < 1 && c < 1", "c: int, a: int, b: int");

        var none = compiled.Evaluate(null, null);
        var some = compiled.Evaluate(null, Cel.Context(("b", 0.0)));

        Assert.False(none.IsMet);
        Assert.Equal(["a", "b", "c"], none.MissingParameters);
        Assert.False(some.IsMet);
        Assert.Equal(["a", "c"], some.MissingParameters);
    }

    [Fact]
    public void PartialEvaluation_DecidesWhenKnownValuesSuffice_ButStillReportsTheAbsentOnes()
    {
        // OpenFGA: Check fails on any missing parameter, ListObjects uses the decided result (openfga#1567).
        var compiled = Cel.Compile("x < 100 || y < 50", "x: int, y: int");

        var decided = compiled.Evaluate(null, Cel.Context(("x", 10.0)));
        var undecided = compiled.Evaluate(null, Cel.Context(("x", 101.0)));
        var refuted = Cel.Compile("x < 100 && y < 50", "x: int, y: int").Evaluate(null, Cel.Context(("x", 101.0)));

        Assert.True(decided.IsMet);
        Assert.Equal(["y"], decided.MissingParameters);
        Assert.False(undecided.IsMet);
        Assert.Equal(["y"], undecided.MissingParameters);
        Assert.False(refuted.IsMet);
        Assert.Equal(["y"], refuted.MissingParameters);
    }

    [Fact]
    public void MissingParameter_MasksAnErrorElsewhere()
    {
        var compiled = Cel.Compile("1 / zero == 1 || y", "zero: int, y: bool");

        var result = compiled.Evaluate(null, Cel.Context(("zero", 0.0)));

        Assert.False(result.IsMet);
        Assert.Equal(["y"], result.MissingParameters);
    }

    [Fact]
    public void DeclaredButUnusedParameter_IsStillReportedMissing_AsOpenFgaDoes()
    {
        var compiled = Cel.Compile("x == 1", "x: int, unused: string");

        var result = compiled.Evaluate(null, Cel.Context(("x", 1.0)));

        Assert.True(result.IsMet);
        Assert.Equal(["unused"], result.MissingParameters);
    }

    [Fact]
    public void ConditionWithoutParameters_RejectsAnyContext_AsOpenFgaDoes()
    {
        var compiled = Cel.Compile("true");

        Assert.True(compiled.Evaluate(null, new Dictionary<string, object?>()).IsMet);
        var error = Assert.Throws<Kastell.Authorization.Conditions.ConditionException>(() => compiled.Evaluate(null, Cel.Context(("x", 1.0))));
        Assert.Contains("no parameters defined for the condition", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CompiledCondition_IsReusableAcrossThreads()
    {
        var compiled = Cel.Compile("x.exists(e, e == target)", "x: list<int>, target: int");
        var list = Enumerable.Range(0, 50).Select(i => (object?)(double)i).ToList();

        var results = Enumerable.Range(0, 200).AsParallel()
            .Select(i => compiled.Evaluate(Cel.Context(("target", (double)i)), Cel.Context(("x", list))).IsMet)
            .ToArray();

        Assert.Equal(50, results.Count(r => r));
    }
}
