using Kastell.Authorization.Engine;
using Kastell.Authorization.Language;

namespace Kastell.Authorization.Tests.Engine;

/// <summary>The reverse-expansion edges ListObjects follows are built once per model, each edge once.</summary>
public sealed class CompiledModelTests
{
    [Fact]
    public void DependencyEdges_AreRecordedOnce_WhenAModelNamesTheSameOperandOrRestrictionTwice()
    {
        var model = new CompiledModel(ModelParser.Parse("""
            model
              schema 1.1
            type user
            type group
              relations
                define member: [user]
            type folder
              relations
                define viewer: [user]
            type document
              relations
                define parent: [folder, folder with always]
                define editor: [user, group#member, group#member with always]
                define approved: [user]
                define viewer: editor or (editor and approved) or viewer from parent or (viewer from parent and approved)
            condition always(x: int) {
              x == x
            }
            """), conditionEvaluator: null);

        var viewer = model.FindRelation("document", "viewer")!;
        Assert.Equal([viewer], model.FindRelation("document", "editor")!.ComputedDependents);
        Assert.Equal([viewer], model.FindRelation("document", "approved")!.ComputedDependents);
        Assert.Equal([(viewer, model.FindRelation("document", "parent")!)], model.FindRelation("folder", "viewer")!.TupleToUsersetDependents);
        Assert.Equal([model.FindRelation("document", "editor")!], model.FindRelation("group", "member")!.UsersetDependents);
    }
}
