namespace Kastell.Authorization.Conditions.Cel;

internal static partial class CelStandardLibrary
{
    private static readonly CelError Overflow = new("integer overflow");

    private static void AddArithmetic(Action<string, CelType[], CelType, Func<object[], object>> fn)
    {
        fn("_+_", [I, I], I, a => Checked(() => checked((long)a[0] + (long)a[1])));
        fn("_+_", [U, U], U, a => Checked(() => checked((ulong)a[0] + (ulong)a[1])));
        fn("_+_", [F, F], F, a => (double)a[0] + (double)a[1]);
        fn("_+_", [S, S], S, a => string.Concat((string)a[0], (string)a[1]));
        fn("_+_", [Y, Y], Y, a => ((byte[])a[0]).Concat((byte[])a[1]).ToArray());
        fn("_+_", [T, D], T, a => AddToTimestamp((CelTimestamp)a[0], ((CelDuration)a[1]).Nanoseconds));
        fn("_+_", [D, T], T, a => AddToTimestamp((CelTimestamp)a[1], ((CelDuration)a[0]).Nanoseconds));
        fn("_+_", [D, D], D, a => Checked(() => new CelDuration(checked(((CelDuration)a[0]).Nanoseconds + ((CelDuration)a[1]).Nanoseconds))));

        fn("_-_", [I, I], I, a => Checked(() => checked((long)a[0] - (long)a[1])));
        fn("_-_", [U, U], U, a => Checked(() => checked((ulong)a[0] - (ulong)a[1])));
        fn("_-_", [F, F], F, a => (double)a[0] - (double)a[1]);
        fn("_-_", [T, T], D, a => TimestampDifference((CelTimestamp)a[0], (CelTimestamp)a[1]));
        fn("_-_", [T, D], T, a => ((CelDuration)a[1]).Nanoseconds == long.MinValue
            ? Overflow
            : AddToTimestamp((CelTimestamp)a[0], -((CelDuration)a[1]).Nanoseconds));
        fn("_-_", [D, D], D, a => Checked(() => new CelDuration(checked(((CelDuration)a[0]).Nanoseconds - ((CelDuration)a[1]).Nanoseconds))));

        fn("_*_", [I, I], I, a => Checked(() => checked((long)a[0] * (long)a[1])));
        fn("_*_", [U, U], U, a => Checked(() => checked((ulong)a[0] * (ulong)a[1])));
        fn("_*_", [F, F], F, a => (double)a[0] * (double)a[1]);

        fn("_/_", [I, I], I, a => (long)a[1] == 0 ? new CelError("division by zero")
            : (long)a[0] == long.MinValue && (long)a[1] == -1 ? Overflow : (long)a[0] / (long)a[1]);
        fn("_/_", [U, U], U, a => (ulong)a[1] == 0 ? new CelError("division by zero") : (ulong)a[0] / (ulong)a[1]);
        fn("_/_", [F, F], F, a => (double)a[0] / (double)a[1]);

        fn("_%_", [I, I], I, a => (long)a[1] == 0 ? new CelError("modulus by zero")
            : (long)a[0] == long.MinValue && (long)a[1] == -1 ? Overflow : (long)a[0] % (long)a[1]);
        fn("_%_", [U, U], U, a => (ulong)a[1] == 0 ? new CelError("modulus by zero") : (ulong)a[0] % (ulong)a[1]);

        fn("-_", [I], I, a => (long)a[0] == long.MinValue ? Overflow : -(long)a[0]);
        fn("-_", [F], F, a => -(double)a[0]);
        fn("-_", [D], D, a => ((CelDuration)a[0]).Nanoseconds == long.MinValue ? Overflow : new CelDuration(-((CelDuration)a[0]).Nanoseconds));
    }

    private static object Checked(Func<object> compute)
    {
        try
        {
            return compute();
        }
        catch (OverflowException)
        {
            return Overflow;
        }
    }

    private static object AddToTimestamp(CelTimestamp timestamp, long nanoseconds)
    {
        var result = timestamp.Add(nanoseconds);
        return result.IsInRange ? result : new CelError("timestamp out of range");
    }

    private static object TimestampDifference(CelTimestamp a, CelTimestamp b)
    {
        var difference = a.UnixNanoseconds - b.UnixNanoseconds;
        return difference > long.MaxValue || difference < long.MinValue ? new CelError("duration out of range") : new CelDuration((long)difference);
    }
}
