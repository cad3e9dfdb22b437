using System.Text.Encodings.Web;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Identity;
using QRCoder;

namespace Kastell.Server.Features.Accounts.Mfa;

/// <summary>TOTP enrolment: a secret per user, its QR code rendered on the server, ten single-use recovery codes.</summary>
internal sealed class MfaEnrolment(UserManager<KastellUser> users, IAuditLog audit)
{
    public const int RecoveryCodeCount = 10;
    private const string Issuer = "Kastell";

    public async Task<string> GetOrCreateKeyAsync(KastellUser user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }

        return key!;
    }

    public static string AuthenticatorUri(string email, string key) =>
        $"otpauth://totp/{UrlEncoder.Default.Encode(Issuer)}:{UrlEncoder.Default.Encode(email)}?secret={key}&issuer={UrlEncoder.Default.Encode(Issuer)}&digits=6&period=30";

    /// <summary>An SVG QR code (no script, no external request; allowed by the CSP as inline markup).</summary>
    public static string QrCodeSvg(string uri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(4, "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
    }

    /// <summary>Groups the secret in fours so it can be typed by hand.</summary>
    public static string FormatKey(string key) =>
        string.Join(' ', key.ToLowerInvariant().Chunk(4).Select(c => new string(c)));

    /// <summary>
    /// Verifies the first code, turns MFA on and issues recovery codes. The password-only session is not upgraded in
    /// place: the caller ends it and hands the browser a new one (see <see cref="SessionHandoff"/>).
    /// </summary>
    public async Task<IReadOnlyList<string>?> ConfirmAsync(KastellUser user, string code)
    {
        code = new string(code.Where(char.IsDigit).ToArray());
        if (code.Length != 6
            || !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            return null;
        }

        // Saved by SetTwoFactorEnabledAsync, in the same transaction as the change.
        audit.Record(new(AccountEvents.MfaEnrolled, AuditActor.User(user.Id), AuditTarget.User(user.Id), Details: new Dictionary<string, string> { ["method"] = "totp" }));
        await users.SetTwoFactorEnabledAsync(user, true);
        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount);
        return [.. codes ?? []];
    }
}
