using OtpNet;

namespace Kastell.Browser.Tests;

/// <summary>What a user's authenticator app does: RFC 6238 codes (SHA-1, 6 digits, 30 s) from the key shown at enrolment.</summary>
public sealed class Authenticator
{
    private readonly Totp totp;
    private long lastUsedStep = -1;

    /// <param name="displayedKey">The key as the setup page shows it: base32 in groups of four, possibly lower case.</param>
    public Authenticator(string displayedKey)
    {
        var secret = new string(displayedKey.Where(c => !char.IsWhiteSpace(c)).ToArray()).ToUpperInvariant();
        Assert.Matches("^[A-Z2-7]{16,}=*$", secret);
        totp = new Totp(Base32Encoding.ToBytes(secret));
    }

    /// <summary>
    /// A code from a time step not used before. A server may accept each step only once (replay protection), so when
    /// the current step was already used this waits for the next one, up to 30 s.
    /// </summary>
    public async Task<string> NextCodeAsync(CancellationToken cancellationToken)
    {
        while (CurrentStep() <= lastUsedStep)
        {
            await Task.Delay(TimeSpan.FromSeconds(totp.RemainingSeconds() + 1), cancellationToken);
        }

        var now = DateTime.UtcNow;
        lastUsedStep = CurrentStep(now);
        return totp.ComputeTotp(now);
    }

    private static long CurrentStep(DateTime? at = null) =>
        new DateTimeOffset(at ?? DateTime.UtcNow).ToUnixTimeSeconds() / 30;
}
