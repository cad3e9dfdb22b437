namespace Kastell.Authorization.Conditions.Cel;

/// <summary>
/// One typed signature of a function. <see cref="IsMember"/> overloads are called as <c>target.name(args)</c>;
/// for them the receiver is the first of <see cref="Parameters"/> and of the values passed to <see cref="Invoke"/>.
/// </summary>
internal sealed record CelOverload(string Function, bool IsMember, CelType[] Parameters, CelType Result, Func<object[], object> Invoke)
{
    /// <summary>
    /// Dispatched at run time but invisible to the checker: cel-go's cross-type numeric ordering, which its checker
    /// only offers behind an option OpenFGA leaves off, while values typed dyn still compare across types.
    /// </summary>
    public bool RuntimeOnly { get; init; }

    /// <summary>Whether run-time argument values fit this overload (dispatch for arguments typed dyn at check time).</summary>
    public bool MatchesValues(object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var expected = Parameters[i];
            if (!expected.IsDyn && CelValues.KindOf(values[i]) != expected.Kind)
            {
                return false;
            }
        }

        return true;
    }
}
