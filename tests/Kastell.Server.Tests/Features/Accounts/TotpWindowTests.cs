using Kastell.Server.Features.Accounts;
using Kastell.Server.Features.Accounts.Mfa;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Platform.Tenancy;
using OtpNet;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>
/// TOTP accepts one 30-second step of clock drift either way and no more: a code two steps (a minute) old or ahead
/// is refused, so a code read over someone's shoulder is useless a minute later.
/// </summary>
/// <remarks>
/// The verification reads the system clock (Otp.NET's, not the host's <see cref="TimeProvider"/>), so the test
/// computes codes for steps relative to the current one and repeats a check if the step changed while it ran: the
/// outcome never depends on where in a 30-second step the test happens to start.
/// </remarks>
public sealed class TotpWindowTests
{
    private const string Secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(-2, false)]
    [InlineData(2, false)]
    [InlineData(-10, false)]
    [InlineData(10, false)]
    public void CodeOfAStepAway_IsAcceptedWithinOneStep_AndRefusedBeyond(int stepsAway, bool accepted)
    {
        var totp = new Totp(Base32Encoding.ToBytes(Secret));
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = DateTime.UtcNow;
            var step = CurrentStep(now);
            var code = totp.ComputeTotp(now.AddSeconds(30 * stepsAway));

            var matched = ReplayProtectedAuthenticatorTokenProvider.Matches(Secret, code, out var matchedStep);

            if (CurrentStep(DateTime.UtcNow) != step)
            {
                continue; // the step changed during the check: its answer was for another offset
            }

            // A code of another step may collide with one inside the window by chance (1 in 10^6 per step).
            var collides = !accepted && Enumerable.Range(-1, 3).Any(d => totp.ComputeTotp(now.AddSeconds(30 * d)) == code);
            Assert.Equal(accepted || collides, matched);
            if (accepted)
            {
                Assert.Equal(step + stepsAway, matchedStep);
            }

            return;
        }

        Assert.Fail("The time step changed during every attempt.");
    }

    private static long CurrentStep(DateTime utc) => new DateTimeOffset(utc).ToUnixTimeSeconds() / 30;
}
