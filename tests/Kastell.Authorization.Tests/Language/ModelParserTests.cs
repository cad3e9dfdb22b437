using Kastell.Authorization.Language;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Tests.Language;

public sealed class ModelParserTests
{
    private const string Dsl = """
        model
          schema 1.1

        type user

        type group
          relations
            define member: [user, group#member, user:*, user with in_office]

        type document
          relations
            define parent: [group]
            define owner: [user]
            define viewer: (owner or member from parent) but not blocked
            define blocked: [user]

        condition in_office(ip: ipaddress, allowed: list<string>) {
          ip.in_cidr("10.0.0.0/8") &&
            "x" in allowed
        }
        """;

    [Fact]
    public void Parse_builds_the_typed_model()
    {
        var model = ModelParser.Parse(Dsl);

        var member = model.FindType("group")!.FindRelation("member")!;
        Assert.Equal(This.Instance, member.Rewrite);
        Assert.Equal(
            [new RelationReference("user"), new RelationReference("group", "member"), new RelationReference("user", Wildcard: true), new RelationReference("user", Condition: "in_office")],
            member.DirectlyRelatedUserTypes);
        var viewer = model.FindType("document")!.FindRelation("viewer")!;
        Assert.Equal(
            new Difference(new Union([new ComputedUserset("owner"), new TupleToUserset("parent", "member")]), new ComputedUserset("blocked")),
            viewer.Rewrite,
            UsersetComparer.Instance);
        var condition = model.Conditions["in_office"];
        Assert.Equal("ip.in_cidr(\"10.0.0.0/8\") &&\n    \"x\" in allowed", condition.Expression);
        Assert.Equal(ConditionTypeName.IpAddress, condition.Parameters["ip"].TypeName);
        Assert.Equal(ConditionTypeName.String, condition.Parameters["allowed"].GenericTypes.Single().TypeName);
    }

    [Fact]
    public void Json_and_dsl_round_trip_keep_the_model()
    {
        var model = ModelParser.Parse(Dsl);

        var again = ModelParser.Parse(ModelDslWriter.Write(ModelJson.FromJson(ModelJson.ToJson(model))));

        JsonAssert.Equivalent(ModelJson.ToJson(model), ModelJson.ToJson(again));
    }

    [Fact]
    public void Syntax_errors_are_thrown_with_position()
    {
        var error = Assert.Throws<ModelSyntaxException>(() => ModelParser.Parse("model\n  schema 1.1\ntype user\n  relations\n    define a [user]"));

        var single = Assert.Single(error.Errors);
        Assert.Equal((4, 13, 14), (single.LineStart, single.ColumnStart, single.ColumnEnd));
        Assert.StartsWith("missing ':' at '['", single.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Semantic_errors_are_values_from_Analyze_and_thrown_from_Parse()
    {
        const string cyclic = "model\n  schema 1.1\ntype document\n  relations\n    define a: b\n    define b: a";

        var result = ModelParser.Analyze(cyclic);

        Assert.False(result.IsValid);
        Assert.Null(result.Model);
        Assert.Equal(["relation-no-entry-point", "relation-no-entry-point"], result.Errors.Select(e => e.ErrorType));
        Assert.Throws<ModelValidationException>(() => ModelParser.Parse(cyclic));
    }

    [Fact]
    public void Dsl_writer_rejects_direct_assignment_it_cannot_express()
    {
        var model = new AuthorizationModel(
            "1.1",
            [new TypeDefinition("user", [new RelationDefinition("r", new Difference(new ComputedUserset("s"), This.Instance), [new RelationReference("user")]), new RelationDefinition("s", This.Instance, [new RelationReference("user")])])],
            new Dictionary<string, ConditionDefinition>());

        var error = Assert.Throws<UnsupportedDslNestingException>(() => ModelDslWriter.Write(model));

        Assert.Equal(("user", "r"), (error.TypeName, error.RelationName));
    }

    /// <summary>Records holding lists compare by reference; this compares rewrites structurally.</summary>
    private sealed class UsersetComparer : IEqualityComparer<Userset>
    {
        public static readonly UsersetComparer Instance = new();

        public bool Equals(Userset? x, Userset? y) => (x, y) switch
        {
            (Union a, Union b) => a.Children.SequenceEqual(b.Children, this),
            (Intersection a, Intersection b) => a.Children.SequenceEqual(b.Children, this),
            (Difference a, Difference b) => Equals(a.Base, b.Base) && Equals(a.Subtract, b.Subtract),
            _ => EqualityComparer<Userset?>.Default.Equals(x, y),
        };

        public int GetHashCode(Userset obj) => obj.GetType().GetHashCode();
    }
}
