namespace Kastell.Authorization.Tests.Conditions;

public sealed class SmokeTests
{
    [Fact]
    public void TemporalAccess_IsMetOnlyWithinTheGrant()
    {
        const string parameters = "current_time: timestamp, grant_duration: duration, grant_time: timestamp";
        const string expression = "current_time < grant_time + grant_duration";
        var inside = Cel.Context(("current_time", "2023-01-01T00:09:59Z"), ("grant_duration", "10m"), ("grant_time", "2023-01-01T00:00:00Z"));
        var outside = Cel.Context(("current_time", "2023-01-01T00:10:00Z"), ("grant_duration", "10m"), ("grant_time", "2023-01-01T00:00:00Z"));

        Assert.True(Cel.IsMet(expression, parameters, inside));
        Assert.False(Cel.IsMet(expression, parameters, outside));
    }
}
