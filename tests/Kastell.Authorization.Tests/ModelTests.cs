using Kastell.Authorization.Model;

namespace Kastell.Authorization.Tests;

public sealed class ModelTests
{
    [Fact]
    public void FindRelation_ReturnsDeclaredRelation_AndNullForUnknown()
    {
        var doc = new TypeDefinition("document", [new RelationDefinition("viewer", This.Instance, [new RelationReference("user")])]);
        var model = new AuthorizationModel("1.1", [new TypeDefinition("user", []), doc], new Dictionary<string, ConditionDefinition>());

        Assert.Same(doc, model.FindType("document"));
        Assert.Equal("viewer", model.FindType("document")!.FindRelation("viewer")!.Name);
        Assert.Null(model.FindType("document")!.FindRelation("editor"));
        Assert.Null(model.FindType("folder"));
    }
}
