using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Features.Accounts.Sessions;
using Kastell.Server.Features.ApiAccess;
using Kastell.Server.Features.ApiAccess.Tokens;
using Kastell.Server.Features.Assets;
using Kastell.Server.Features.AuditTrail;
using Kastell.Server.Features.Controls;
using Kastell.Server.Features.Domains;
using Kastell.Server.Features.Evidence;
using Kastell.Server.Features.Files;
using Kastell.Server.Features.Frameworks;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.SingleSignOn;
using Kastell.Server.Features.Teams;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Controls;
using Kastell.Server.Tests.Features.Domains;
using Kastell.Server.Tests.Features.Files;
using Kastell.Server.Tests.Features.Frameworks;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Features.SingleSignOn;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Audit;

/// <summary>
/// Every endpoint that can change state writes an audit event. The endpoints come from the application's own
/// endpoint metadata (<see cref="EndpointDataSource"/>), so a new one is found without anyone remembering this test:
/// every server-rendered page (each accepts form posts) and every minimal-API endpoint answering POST, PUT, PATCH,
/// DELETE or any method must be listed either in <see cref="Exercises"/> — with how to drive it and which events it
/// must write — or in <see cref="ChangesNoAuditedState"/> with the reason. GETs can change state too (a session
/// handoff, a confirmation link), so every GET endpoint must either carry <see cref="ReadOnlyEndpoint"/> metadata
/// (<c>.ReadOnly()</c>) or be exercised; exempting a GET by reason is not accepted. An endpoint in neither list fails
/// the test, as does an exercise that writes none of its events, or a page form (<c>[SupplyParameterFromForm]</c>) the
/// exercise does not name.
/// </summary>
public abstract partial class AuditEndpointCoverageTests(KastellHost host)
{
    private const string InviteSubject = "You have been invited";
    private const string ConfirmSubject = "Confirm your e-mail address";
    private const string ResetSubject = "Reset your Kastell password";

    /// <summary>Endpoints that change nothing worth auditing, each with the reason. Keys as in <see cref="DiscoverAsync"/>.</summary>
    private static readonly Dictionary<string, string> ChangesNoAuditedState = new()
    {
        ["POST /culture"] = "stores a display-language preference (cookie and the user's column); no security-relevant state",
        ["* /health/live"] = "liveness probe, reads nothing",
        ["* /health/ready"] = "readiness probe, only reads the database",
        ["PAGE /"] = "start page without forms",
        ["PAGE /not-found"] = "error page without forms",
        ["PAGE /error"] = "error page without forms",
        ["PAGE /account/deleted"] = "confirmation page without forms",
        ["PAGE /account/sign-up/check-email"] = "information page without forms",
        ["PAGE /o/{org}/s/{space}"] = "Space start page without forms (yet)",
        ["PAGE /o/{org}/frameworks/{id:guid}"] = "shows a framework's versions and requirements; its filter is a GET form",
        ["POST /sso/start"] = "sends the browser to its organization's identity provider (or back, with the same answer for an unknown organization and one without single sign-on); the sign-in's outcome is recorded at /sso/complete",
        ["PAGE /account/sign-in/sso"] = "asks for the organization; its form posts to /sso/start",
        ["PAGE /o/{org}/s/{space}/frameworks"] = "lists a Space's adoptions; its adopt and end forms post to their endpoints, exercised there",
        ["PAGE /o/{org}/s/{space}/controls"] = "lists a Space's controls; its create form posts to the create endpoint, exercised there",
        ["PAGE /o/{org}/s/{space}/controls/{id:guid}"] = "shows a control; its edit, link and delete forms post to their endpoints, exercised there",
        ["PAGE /o/{org}/s/{space}/assets"] = "lists a Space's assets; its filter is a GET form",
        ["PAGE /o/{org}/s/{space}/assets/new"] = "the form to add an asset; it posts to the create endpoint, exercised there",
        ["PAGE /o/{org}/s/{space}/assets/import"] = "checks an import file and shows what it would create (changes nothing); the import itself is the confirm endpoint, exercised there",
        ["PAGE /o/{org}/s/{space}/assets/{id:guid}"] = "shows an asset; its dependency and delete forms post to their endpoints, exercised there",
        ["PAGE /o/{org}/s/{space}/assets/{id:guid}/edit"] = "the form to edit an asset; it posts to the update endpoint, exercised there",
        ["PAGE /o/{org}/s/{space}/evidence"] = "lists a Space's evidence; its filter is a GET form, its visibility form posts to its endpoint, exercised there",
        ["PAGE /o/{org}/s/{space}/evidence/new"] = "the forms to add evidence; they post to the create and upload endpoints, exercised there",
        ["PAGE /o/{org}/s/{space}/evidence/{id:guid}"] = "shows an item of evidence; its review and version forms post to their endpoints, exercised there",
        ["PAGE /o/{org}/s/{space}/soa/{framework:guid}"] = "shows a statement of applicability; its forms post to the applicability endpoint, exercised there",
        ["PAGE /o/{org}/s/{space}/files"] = "lists a Space's files; its upload and delete forms post to the file endpoints, exercised there",
        ["PAGE /o/{org}/s/{space}/members"] = "lists a Space's roles; its forms post to the grant and revoke endpoints, exercised there",
        ["PAGE /o/{org}/access"] = "who has access: reads only (the view itself is recorded as an allow of can_see_access)",
        ["PAGE /o/{org}/s/{space}/access"] = "who has access: reads only (the view itself is recorded as an allow of can_see_access)",
        ["PAGE /o/{org}/s/{space}/files/{id:guid}/access"] = "who has access: reads only (the view itself is recorded as an allow of can_see_access)",
        ["PAGE /o/{org}/members/{userId:guid}/access"] = "what a member can reach: reads only (the view itself is recorded as an allow of can_see_access)",
        ["POST /account/passkeys/request-options"] = "hands out a WebAuthn challenge kept in a short-lived cookie; the sign-in that answers it is audited on /account/sign-in",
        ["POST /account/passkeys/creation-options"] = "hands out WebAuthn creation options to a re-authenticated session; adding the passkey is audited on /account/security",
    };

    /// <summary>
    /// GET endpoints that ASP.NET Core maps itself where no convention can reach them to carry <see cref="ReadOnlyEndpoint"/>,
    /// each with the reason it only reads. Nothing of Kastell's own belongs here: mark it <c>.ReadOnly()</c> instead.
    /// </summary>
    private static readonly Dictionary<string, string> FrameworkReadOnlyGets = new()
    {
        ["GET {**path:file}"] = "the static web assets fallback MapStaticAssets adds outside its own convention builder (PlatformSetup calls UseStaticWebAssets): serves build-output files",
    };

    /// <summary>How each state-changing endpoint is driven, in order (later ones use people made by earlier ones).</summary>
    private List<(string Endpoint, Exercise Exercise)> Exercises =>
    [
        ("PAGE /account/sign-up", new(["sign-up"], [AccountEvents.AccountCreated, TenancyEvents.OrganizationCreated], async w =>
        {
            using var browser = host.CreateBrowser();
            Assert.Equal(HttpStatusCode.Redirect, (await Journeys.SignUpAsync(browser, Journeys.UniqueEmail(), "Coverage Org")).StatusCode);
        })),
        ("PAGE /account/sign-in", new(["sign-in", "passkey-sign-in"], [AccountEvents.SignInFailed], async w =>
        {
            using var browser = host.CreateBrowser();
            await Journeys.PasswordStepAsync(browser, Journeys.UniqueEmail(), "not the password");
            using var withPasskey = host.CreateBrowser();
            await withPasskey.SubmitAsync("/account/sign-in", "passkey-sign-in", new Dictionary<string, string> { ["Passkey.CredentialJson"] = "{\"id\":\"AAAA\"}" });
        })),
        ("PAGE /account/mfa/setup", new(["mfa-setup"], [AccountEvents.MfaEnrolled], async w => await w.OwnerAsync())),
        ("PAGE /account/sign-in/mfa", new(["sign-in-mfa"], [AccountEvents.SignInSucceeded], async w =>
        {
            using var browser = host.CreateBrowser();
            await Journeys.SignInAsync(browser, (await w.OwnerAsync()).User);
        })),
        ("PAGE /account/sign-in/recovery", new(["sign-in-recovery"], [AccountEvents.RecoveryCodeUsed], async w =>
        {
            using var browser = host.CreateBrowser();
            await Journeys.SignInWithRecoveryCodeAsync(browser, (await w.OwnerAsync()).User, 0);
        })),
        ("PAGE /account/sessions", new(["revoke-{handle}", "revoke-others"], [AccountEvents.SessionRevoked, AccountEvents.OtherSessionsRevoked], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            using var other = host.CreateBrowser();
            await Journeys.SignInWithRecoveryCodeAsync(other, owner, 1);
            await browser.GetAsync("/account/sessions");
            var handle = RevokeForm().Match(browser.LastPage!).Groups[1].Value;
            Assert.Equal(HttpStatusCode.OK, (await browser.SubmitAsync("/account/sessions", "revoke-" + handle, new Dictionary<string, string>())).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await browser.SubmitAsync("/account/sessions", "revoke-others", new Dictionary<string, string>())).StatusCode);
        })),
        ("PAGE /account/confirm-email/resend", new(["resend-confirmation"], [AccountEvents.EmailConfirmationResent], async w =>
        {
            using var browser = host.CreateBrowser();
            await browser.SubmitAsync("/account/confirm-email/resend", "resend-confirmation", new Dictionary<string, string> { ["Input.Email"] = Journeys.UniqueEmail() });
        })),
        // Confirms on GET (the link in the mail): listed because it changes state although it has no form.
        ("PAGE /account/confirm-email", new([], [AccountEvents.EmailConfirmed], async w =>
        {
            using var browser = host.CreateBrowser();
            var email = Journeys.UniqueEmail("confirm");
            await Journeys.SignUpAsync(browser, email, "Confirming Org");
            var link = Mails.LinkTo(await Mails.WaitAsync(host, email, ConfirmSubject), "/account/confirm-email");
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(link)).StatusCode);
        })),
        ("PAGE /account/forgot-password", new(["forgot-password"], [AccountEvents.PasswordResetRequested], async w =>
        {
            using var browser = host.CreateBrowser();
            await browser.SubmitAsync("/account/forgot-password", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = Journeys.UniqueEmail() });
        })),
        ("PAGE /account/reset-password", new(["reset-password"], [AccountEvents.PasswordReset], async w =>
        {
            using var browser = host.CreateBrowser();
            var user = await Journeys.SignUpAndEnrolAsync(browser);
            using var anonymous = host.CreateBrowser();
            await anonymous.SubmitAsync("/account/forgot-password", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = user.Email });
            var link = Mails.LinkTo(await Mails.WaitAsync(host, user.Email, ResetSubject), "/account/reset-password");
            await anonymous.SubmitAsync(link, "reset-password", new Dictionary<string, string>
            {
                ["Input.Password"] = "a brand new passphrase 77",
                ["Input.ConfirmPassword"] = "a brand new passphrase 77",
            });
        })),
        ("PAGE /account/password", new(["change-password"], [AccountEvents.PasswordChanged], async w =>
        {
            using var browser = host.CreateBrowser();
            var user = await Journeys.SignUpAndEnrolAsync(browser);
            await browser.SubmitAsync("/account/password", "change-password", new Dictionary<string, string>
            {
                ["Input.CurrentPassword"] = user.Password,
                ["Input.Code"] = TestBrowser.NextTotpCode(user.TotpSecret),
                ["Input.NewPassword"] = "another fine passphrase 88",
                ["Input.ConfirmPassword"] = "another fine passphrase 88",
            });
        })),
        ("PAGE /o/{org}/members", new(["invite-member"], [OrganizationEvents.MemberInvited], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            var sent = await browser.SubmitAsync($"/o/{owner.OrganizationSlug}/members", "invite-member", new Dictionary<string, string>
            {
                ["Input.Email"] = Journeys.UniqueEmail("invited"),
                ["Input.Role"] = nameof(OrganizationRole.Member),
            });
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        })),
        ("PAGE /invitations/accept", new(["accept-invitation", "invitation-sign-up"], [OrganizationEvents.InvitationAccepted, OrganizationEvents.MemberAdded, AccountEvents.AccountCreated], async w =>
        {
            await w.MemberAsync(); // a new person signs up through the link
            using var browser = host.CreateBrowser();
            var existing = await Journeys.SignUpAndEnrolAsync(browser);
            var link = await w.InviteAsync(existing.Email, OrganizationRole.Auditor);
            Assert.Equal(HttpStatusCode.OK, (await browser.SubmitAsync(link, "accept-invitation", new Dictionary<string, string>())).StatusCode);
            Assert.Contains("You are now a member of", browser.LastPage, StringComparison.Ordinal);
        })),
        ("PAGE /account/delete", new(["delete-account"], [AccountEvents.AccountDeleted], async w =>
        {
            // Someone who owns no organization (an owner's last organization would refuse the deletion).
            var email = Journeys.UniqueEmail("leaving");
            var link = await w.InviteAsync(email, OrganizationRole.Member);
            using var browser = host.CreateBrowser();
            await InvitationTests.SignUpThroughAsync(browser, link);
            var (secret, _) = await Journeys.EnrolAsync(browser);
            var deleted = await browser.SubmitAsync("/account/delete", "delete-account", new Dictionary<string, string>
            {
                ["Input.Password"] = Journeys.GoodPassword,
                ["Input.Code"] = TestBrowser.NextTotpCode(secret),
            });
            Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        })),
        ("PAGE /o/{org}", new(["create-space"], [OrganizationEvents.SpaceCreated, AuthorizationEvents.AuthorizationDenied], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            Assert.Equal(HttpStatusCode.Redirect, (await TenancyTests.CreateSpaceAsync(browser, owner.OrganizationSlug, "Covered")).StatusCode);
            // A member forges the owner's form post: the page never offered them the form.
            var member = await w.MemberAsync();
            await member.GetAsync($"/o/{owner.OrganizationSlug}");
            var forged = await member.PostAsync($"/o/{owner.OrganizationSlug}", new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = member.AnyAntiforgeryToken(),
                ["_handler"] = "create-space",
                ["Input.Name"] = "Forged",
            });
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode); // the form's permission (can_create_space), refused before the page runs
        })),
        ("PAGE /organizations/new", new(["create-organization"], [TenancyEvents.OrganizationCreated], async w =>
        {
            var (_, browser) = await w.OwnerAsync();
            var created = await browser.SubmitAsync("/organizations/new", "create-organization", new Dictionary<string, string> { ["Input.Name"] = "Covered Too" });
            Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        })),
        ("PAGE /o/{org}/settings/password-policy", new(["password-policy"], [OrganizationEvents.PasswordPolicyChanged], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            var saved = await browser.SubmitAsync($"/o/{owner.OrganizationSlug}/settings/password-policy", "password-policy", new Dictionary<string, string>
            {
                ["Input.MinimumLength"] = "14",
                ["Input.HistoryLength"] = "3",
            });
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        })),
        ("POST /o/{org}/members/invitations/{id:guid}/revoke", new([], [OrganizationEvents.InvitationRevoked, AuthorizationEvents.AuthorizationDenied], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            await w.InviteAsync(Journeys.UniqueEmail("revoked"), OrganizationRole.Member);
            await browser.GetAsync($"/o/{owner.OrganizationSlug}/members");
            var action = RevokeAction().Match(browser.LastPage!).Groups[1].Value;
            var member = await w.MemberAsync();
            await member.GetAsync($"/o/{owner.OrganizationSlug}");
            var forged = await member.PostAsync(action, new Dictionary<string, string> { ["__RequestVerificationToken"] = member.AnyAntiforgeryToken() });
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
            // Binds no form, so only the endpoint's own antiforgery filter stops a forged cross-site post.
            Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsync(action, new Dictionary<string, string>())).StatusCode);
            await browser.GetAsync($"/o/{owner.OrganizationSlug}/members");
            var revoked = await browser.PostAsync(action, new Dictionary<string, string> { ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken() });
            Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        })),
        ("POST /o/{org}/members/{userId:guid}/role", new([], [OrganizationEvents.MemberRoleChanged, AuthorizationEvents.AuthorizationDenied], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            var (_, joined) = await w.JoinAsync(OrganizationRole.Member);
            var members = $"/o/{owner.OrganizationSlug}/members";
            var member = await w.MemberAsync();
            Assert.Equal(HttpStatusCode.Forbidden, (await member.PostFromAsync(members, $"{members}/{joined}/role", new Dictionary<string, string> { ["role"] = "Admin" })).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(members, $"{members}/{joined}/role", new Dictionary<string, string> { ["role"] = "Auditor" })).StatusCode);
        })),
        ("POST /o/{org}/members/{userId:guid}/remove", new([], [OrganizationEvents.MemberRevoked, AuthorizationEvents.AuthorizationDenied], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            var (_, joined) = await w.JoinAsync(OrganizationRole.Member);
            var members = $"/o/{owner.OrganizationSlug}/members";
            var member = await w.MemberAsync();
            Assert.Equal(HttpStatusCode.Forbidden, (await member.PostFromAsync(members, $"{members}/{joined}/remove")).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(members, $"{members}/{joined}/remove")).StatusCode);
        })),
        ("PAGE /o/{org}/teams", new(["create-team"], [TeamEvents.TeamCreated], async w =>
        {
            await w.TeamAsync();
        })),
        ("PAGE /o/{org}/teams/{id:guid}", new(["rename-team"], [TeamEvents.TeamRenamed], async w =>
        {
            var (_, browser) = await w.OwnerAsync();
            var renamed = await browser.SubmitAsync(await w.TeamAsync(), "rename-team", new Dictionary<string, string> { ["Input.Name"] = "Covered team, renamed" });
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        })),
        ("POST /o/{org}/teams/{id:guid}/members/add", new([], [TeamEvents.TeamMemberAdded, AuthorizationEvents.AuthorizationDenied], async w =>
        {
            var (_, browser) = await w.OwnerAsync();
            var team = await w.TeamAsync();
            var (_, joined) = await w.JoinAsync(OrganizationRole.Member);
            var member = await w.MemberAsync();
            var add = new Dictionary<string, string> { ["member"] = $"user:{joined}" };
            Assert.Equal(HttpStatusCode.Forbidden, (await member.PostFromAsync(team, team + "/members/add", add)).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(team, team + "/members/add", add)).StatusCode);
            w.TeamMember = joined;
        })),
        ("POST /o/{org}/teams/{id:guid}/members/remove", new([], [TeamEvents.TeamMemberRemoved], async w =>
        {
            var (_, browser) = await w.OwnerAsync();
            var team = await w.TeamAsync();
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(team, team + "/members/remove", new Dictionary<string, string> { ["member"] = $"user:{w.TeamMember}" })).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/members/grant", new([], [OrganizationEvents.SpaceRoleGranted, AuthorizationEvents.AuthorizationDenied], async w =>
        {
            var (browser, files) = await w.FilesAsync();
            var members = files[..^"/files".Length] + "/members";
            var (joined, id) = await w.JoinAsync(OrganizationRole.Member);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(members, members + "/grant", new Dictionary<string, string> { ["subject"] = $"user:{id}", ["role"] = "Viewer" })).StatusCode);
            // A viewer may read the Space, not give roles in it.
            Assert.Equal(HttpStatusCode.Forbidden, (await joined.PostFromAsync(members, members + "/grant", new Dictionary<string, string> { ["subject"] = $"user:{id}", ["role"] = "Manager" })).StatusCode);
            w.SpaceViewer = id;
        })),
        ("POST /o/{org}/s/{space}/members/revoke", new([], [OrganizationEvents.SpaceRoleRevoked], async w =>
        {
            var (browser, files) = await w.FilesAsync();
            var members = files[..^"/files".Length] + "/members";
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(members, members + "/revoke", new Dictionary<string, string> { ["subject"] = $"user:{w.SpaceViewer}" })).StatusCode);
        })),
        ("POST /o/{org}/teams/{id:guid}/delete", new([], [TeamEvents.TeamDeleted, AuthorizationEvents.AuthorizationDenied], async w =>
        {
            var (_, browser) = await w.OwnerAsync();
            var team = await w.TeamAsync();
            var member = await w.MemberAsync();
            Assert.Equal(HttpStatusCode.Forbidden, (await member.PostFromAsync(team, team + "/delete")).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(team, team + "/delete")).StatusCode);
        })),
        // The page's filter is a GET form and its exports a GET endpoint (audited, see AuditTrailTests); the retention
        // setting is its one state-changing form.
        ("PAGE /o/{org}/audit", new(["audit-retention"], [AuditTrailEvents.AuditRetentionChanged, AuthorizationEvents.AuthorizationDenied], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            var saved = await browser.SubmitAsync($"/o/{owner.OrganizationSlug}/audit", "audit-retention", new Dictionary<string, string> { ["Retention.Days"] = "400" });
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            var member = await w.MemberAsync();
            await member.GetAsync($"/o/{owner.OrganizationSlug}");
            var forged = await member.PostAsync($"/o/{owner.OrganizationSlug}/audit", new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = member.AnyAntiforgeryToken(),
                ["_handler"] = "audit-retention",
                ["Retention.Days"] = "1",
            });
            Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        })),
        // Every form re-authenticates with a TOTP code, and a code works once: a fresh person for each step.
        ("PAGE /account/security", new(["reset-authenticator", "confirm-authenticator", "recovery-codes", "passkey-grant", "add-passkey", "remove-passkey"],
            [AccountEvents.MfaReset, AccountEvents.RecoveryCodesRegenerated, AccountEvents.PasskeyAdded, AccountEvents.PasskeyRemoved], async w =>
        {
            using (var browser = host.CreateBrowser())
            {
                var user = await Journeys.SignUpAndEnrolAsync(browser);
                await browser.SubmitAsync("/account/security", "reset-authenticator", new Dictionary<string, string>
                {
                    ["Reset.Password"] = user.Password,
                    ["Reset.Code"] = TestBrowser.NextTotpCode(user.TotpSecret),
                });
                var newSecret = TestBrowser.TotpSecretFrom(browser.LastPage!);
                var confirmed = await browser.SubmitShownAsync("/account/security", "confirm-authenticator", new Dictionary<string, string> { ["Confirm.Code"] = TestBrowser.TotpCode(newSecret) });
                Assert.Equal("/account/session/renew", TestBrowser.LocationOf(confirmed));
            }

            using (var browser = host.CreateBrowser())
            {
                var user = await Journeys.SignUpAndEnrolAsync(browser);
                var regenerated = await browser.SubmitAsync("/account/security", "recovery-codes", new Dictionary<string, string>
                {
                    ["Codes.Password"] = user.Password,
                    ["Codes.Code"] = TestBrowser.NextTotpCode(user.TotpSecret),
                });
                Assert.Equal(HttpStatusCode.OK, regenerated.StatusCode);
            }

            using (var browser = host.CreateBrowser())
            {
                var user = await Journeys.SignUpAndEnrolAsync(browser);
                await browser.SubmitAsync("/account/security", "passkey-grant", new Dictionary<string, string>
                {
                    ["Grant.Password"] = user.Password,
                    ["Grant.Code"] = TestBrowser.NextTotpCode(user.TotpSecret),
                });
                var addPage = browser.LastPage!;
                await browser.PostAsync("/account/passkeys/creation-options", new Dictionary<string, string> { ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken() });
                // No authenticator here: a forged attestation is refused, and the refusal is what gets audited.
                await browser.SubmitShownAsync("/account/security", "add-passkey", new Dictionary<string, string>
                {
                    ["AddPasskey.Name"] = "Forged",
                    ["AddPasskey.CredentialJson"] = "{\"id\":\"AAAA\",\"rawId\":\"AAAA\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"e30\",\"attestationObject\":\"oA\"},\"clientExtensionResults\":{}}",
                }, addPage);
                Assert.Contains("The passkey was not accepted", browser.LastPage, StringComparison.Ordinal);
            }

            using (var browser = host.CreateBrowser())
            {
                var user = await Journeys.SignUpAndEnrolAsync(browser);
                var id = await AddStoredPasskeyAsync(user.Email);
                var removed = await browser.SubmitAsync("/account/security", "remove-passkey", new Dictionary<string, string>
                {
                    ["Remove.Id"] = id,
                    ["Remove.Password"] = user.Password,
                    ["Remove.Code"] = TestBrowser.NextTotpCode(user.TotpSecret),
                });
                Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
            }
        })),
        // This host has no clamd: a stored upload stays in quarantine (audited as such); the refusals are what is checked.
        ("POST /o/{org}/s/{space}/files/upload", new([], [UploadEvents.FileUploadRefused, AuthorizationEvents.AuthorizationDenied], async w =>
        {
            var (browser, files) = await w.FilesAsync();
            Assert.Equal(files + "?upload=empty", TestBrowser.LocationOf(await FileEndpointTests.UploadAsync(browser, files, "leer.txt", [])));
            Assert.Equal(HttpStatusCode.BadRequest, (await FileEndpointTests.UploadAsync(browser, files, "ohne.txt", "x"u8.ToArray(), token: "none")).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/files/{id:guid}/delete", new([], [FileEvents.FileDeleted, AuthorizationEvents.AuthorizationDenied], async w =>
        {
            var (browser, files) = await w.FilesAsync();
            Assert.Equal(HttpStatusCode.Redirect, (await FileEndpointTests.UploadAsync(browser, files, "weg.txt", "bald weg"u8.ToArray())).StatusCode);
            await browser.GetAsync(files);
            var action = DeleteAction().Match(browser.LastPage!).Groups[1].Value;
            var member = await w.MemberAsync(); // no role in the Space: the tenant middleware refuses (and records it)
            await member.GetAsync("/");
            Assert.Equal(HttpStatusCode.NotFound, (await member.PostAsync(action, new Dictionary<string, string> { ["__RequestVerificationToken"] = member.AnyAntiforgeryToken() })).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostAsync(action, new Dictionary<string, string> { ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken() })).StatusCode);
        })),
        // A GET that changes state: it spends the handoff a credential change left and signs in with a new session.
        ("GET /account/session/renew", new([], [AccountEvents.SessionRenewed], async w =>
        {
            var cookies = new CookieContainer();
            using var browser = host.CreateBrowser(cookies);
            var user = await Journeys.SignUpAndEnrolAsync(browser);
            var changed = await browser.SubmitAsync("/account/password", "change-password", new Dictionary<string, string>
            {
                ["Input.CurrentPassword"] = user.Password,
                ["Input.Code"] = TestBrowser.NextTotpCode(user.TotpSecret),
                ["Input.NewPassword"] = "a renewed passphrase 99",
                ["Input.ConfirmPassword"] = "a renewed passphrase 99",
            });
            Assert.Equal(SessionHandoff.RenewPath, TestBrowser.LocationOf(changed));
            var handoff = cookies.GetCookies(new Uri(KastellHost.PublicBaseUrl))[SessionHandoff.CookieName]?.Value;
            Assert.NotNull(handoff);
            var beforeRenewal = await AuditWatermark.TakeAsync(host);
            Assert.Equal("/account/password?changed=true", TestBrowser.LocationOf(await browser.GetAsync(SessionHandoff.RenewPath)));
            var renewal = Assert.Single(await beforeRenewal.NewEventsAsync(), e => e.Type == AccountEvents.SessionRenewed);
            Assert.Equal(AuditOutcome.Succeeded, renewal.Outcome);
            Assert.Contains("\"purpose\":\"password\"", renewal.Details, StringComparison.Ordinal);

            // The same handoff replayed from another browser is refused, and the refusal is recorded against the user.
            var mark = await AuditWatermark.TakeAsync(host);
            var replayed = new CookieContainer();
            replayed.Add(new Uri(KastellHost.PublicBaseUrl), new Cookie(SessionHandoff.CookieName, handoff) { Secure = true, Path = "/" });
            using var replay = host.CreateBrowser(replayed);
            Assert.Equal("/account/sign-in", TestBrowser.LocationOf(await replay.GetAsync(SessionHandoff.RenewPath)));
            var refused = Assert.Single(await mark.NewEventsAsync(), e => e.Type == AccountEvents.SessionRenewed);
            Assert.Equal(AuditOutcome.Failed, refused.Outcome);
            Assert.Contains("\"reason\":\"used\"", refused.Details, StringComparison.Ordinal);
        })),
        // A read of customer data: every download is recorded before its first byte leaves. This host has no clamd,
        // so the file is placed as already scanned.
        ("GET /o/{org}/s/{space}/files/{id:guid}", new([], [FileEvents.FileDownloaded], async w =>
        {
            var (browser, files) = await w.FilesAsync();
            var (owner, _) = await w.OwnerAsync();
            var (scope, db) = host.OpenDb();
            Guid organization;
            await using (scope)
            {
                organization = await db.Organizations.Where(o => o.Slug == owner.OrganizationSlug).Select(o => o.Id).SingleAsync(TestContext.Current.CancellationToken);
            }

            StoredObject stored;
            await using (var services = host.Services.CreateAsyncScope())
            {
                services.ServiceProvider.GetRequiredService<Tenant>().Enter(organization);
                var space = await services.ServiceProvider.GetRequiredService<KastellDbContext>().Spaces.Where(x => x.Slug == "covered-files").Select(x => x.Id).SingleAsync(TestContext.Current.CancellationToken);
                stored = await services.ServiceProvider.GetRequiredService<SpaceFiles>()
                    .UploadAsync(space, "gelesen.txt", ContentSniffer.Text, new MemoryStream("gelesen"u8.ToArray()), StoredObjectStatus.Available, null, TestContext.Current.CancellationToken);
            }

            var download = await browser.GetAsync($"{files}/{stored.Id}");
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("gelesen", await download.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        })),
        // A read, but of audit data: every export is itself recorded.
        ("GET /o/{org}/audit/export.{extension:regex(^(csv|jsonl)$)}", new([], [AuditTrailEvents.AuditLogExported], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit/export.jsonl")).StatusCode);
        })),
        // API tokens: made on the page after re-authentication; the account page revokes.
        ("PAGE /o/{org}/api-tokens", new([], [ApiAccessEvents.PersonalTokenCreated], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            await w.FilesAsync();
            await browser.GetAsync($"/o/{owner.OrganizationSlug}/api-tokens");
            // The shared owner spent the next step's code when enrolling, perhaps within this step, and every step
            // counts once (replay protection): a fresh step's code (a plain next-step code failed once on a fast run).
            var code = await TestBrowser.FreshTotpCodeAsync(owner.TotpSecret, TestContext.Current.CancellationToken);
            await browser.SubmitAsync($"/o/{owner.OrganizationSlug}/api-tokens", "create-token", new Dictionary<string, string>
            {
                ["token-name"] = "Covered",
                ["token-days"] = "7",
                [TokenForm.PermissionField] = "file:can_read",
                ["token-password"] = owner.Password,
                ["token-code"] = code,
            });
            Assert.Contains("kastell_pat_", browser.LastPage, StringComparison.Ordinal);
        })),
        ("PAGE /account/api-tokens", new([], [ApiAccessEvents.ApiTokenRevoked], async w =>
        {
            var (_, browser) = await w.OwnerAsync();
            var token = await w.TokenAsync();
            await browser.GetAsync("/account/api-tokens");
            Assert.Equal(HttpStatusCode.OK, (await browser.SubmitAsync("/account/api-tokens", "revoke-" + token.Id, new Dictionary<string, string>())).StatusCode);
        })),
        ("PAGE /o/{org}/service-accounts", new([], [ApiAccessEvents.ServiceAccountCreated], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            await browser.GetAsync($"/o/{owner.OrganizationSlug}/service-accounts");
            await browser.SubmitAsync($"/o/{owner.OrganizationSlug}/service-accounts", "create-service-account", new Dictionary<string, string> { ["sa-name"] = "covered", ["sa-role"] = "Member" });
            Assert.Contains("/service-accounts/", browser.LastPage, StringComparison.Ordinal);
        })),
        ("PAGE /o/{org}/service-accounts/{id:guid}", new([], [ApiAccessEvents.ServiceAccountSpaceRoleGranted, ApiAccessEvents.ServiceAccountDisabled], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            await w.FilesAsync();
            await browser.GetAsync($"/o/{owner.OrganizationSlug}/service-accounts");
            var page = ServiceAccountLink().Match(browser.LastPage!).Groups[1].Value;
            await browser.GetAsync(page);
            var space = HiddenOption().Match(browser.LastPage!).Groups[1].Value;
            await browser.SubmitAsync(page, "grant-space-role", new Dictionary<string, string> { ["grant-space"] = space, ["grant-role"] = "Editor" });
            await browser.SubmitAsync(page, "disable-service-account", new Dictionary<string, string>());
        })),
        // The API: a token uploads, downloads and deletes; every request is also recorded as a use of the token.
        ("POST /api/v1/o/{org}/s/{space}/files", new([], [UploadEvents.FileUploadRefused, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            await w.FilesAsync();
            using var api = w.Api((await w.TokenAsync(["space:can_upload"])).Secret);
            using var empty = new ByteArrayContent([]);
            empty.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync($"/api/v1/o/{owner.OrganizationSlug}/s/covered-files/files?name=leer.txt", empty, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("GET /api/v1/o/{org}/s/{space}/files/{id:guid}/content", new([], [FileEvents.FileDownloaded, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            var file = await w.StoredFileAsync();
            using var api = w.Api((await w.TokenAsync(["file:can_read"])).Secret);
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/v1/o/{owner.OrganizationSlug}/s/covered-files/files/{file}/content", TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("DELETE /api/v1/o/{org}/s/{space}/files/{id:guid}", new([], [FileEvents.FileDeleted, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            var file = await w.StoredFileAsync();
            using var api = w.Api((await w.TokenAsync(["file:can_delete"])).Secret);
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/o/{owner.OrganizationSlug}/s/covered-files/files/{file}", TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("POST /api/v1/o/{org}/spaces", new([], [OrganizationEvents.SpaceCreated, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            using var api = w.Api((await w.TokenAsync(["organization:can_create_space"])).Secret);
            using var body = new StringContent("{\"name\":\"Covered API\"}", System.Text.Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsync($"/api/v1/o/{owner.OrganizationSlug}/spaces", body, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("POST /api/v1/o/{org}/invitations", new([], [OrganizationEvents.MemberInvited, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            using var api = w.Api((await w.TokenAsync(["organization:can_manage_members"])).Secret);
            using var body = new StringContent($"{{\"email\":\"{Journeys.UniqueEmail("api")}\",\"role\":\"member\"}}", System.Text.Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsync($"/api/v1/o/{owner.OrganizationSlug}/invitations", body, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("DELETE /api/v1/o/{org}/invitations/{id:guid}", new([], [OrganizationEvents.InvitationRevoked, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            using var api = w.Api((await w.TokenAsync(["organization:can_manage_members"])).Secret);
            using var body = new StringContent($"{{\"email\":\"{Journeys.UniqueEmail("api-revoked")}\",\"role\":\"member\"}}", System.Text.Encoding.UTF8, "application/json");
            var created = await api.PostAsync($"/api/v1/o/{owner.OrganizationSlug}/invitations", body, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(created.Headers.Location!.OriginalString, TestContext.Current.CancellationToken)).StatusCode);
        })),
        // Against the test provider (oidc-provider on loopback, which this class's hosts accept as an issuer).
        ("PAGE /o/{org}/sso", new(["add-oidc", "add-saml"], [SingleSignOnEvents.SsoConnectionAdded], async w =>
        {
            await using var org = await OrganizationFixture.CreateAsync(host);
            await SsoFlows.ConnectAsync(host, org);
            await SamlFlows.ConnectAsync(host, org); // against the test SAML identity provider (samlify on loopback)
        })),
        // A post without a SAMLResponse to a real connection's ACS URL: refused and recorded on the organization's chain.
        ("POST /sso/saml/{organization:guid}/{connection:guid}/acs", new([], [SingleSignOnEvents.SsoSignInRefused], async w =>
        {
            await using var org = await OrganizationFixture.CreateAsync(host);
            var connection = await SamlFlows.ConnectAsync(host, org);
            using var browser = host.CreateBrowser();
            Assert.Equal("/account/sign-in/sso?failed=1", TestBrowser.LocationOf(await browser.PostAsync($"/sso/saml/{org.Id:N}/{connection.Id:N}/acs", new Dictionary<string, string>())));
        })),
        ("POST /o/{org}/sso/{connection:guid}/remove", new([], [SingleSignOnEvents.SsoConnectionRemoved], async w =>
        {
            await using var org = await OrganizationFixture.CreateAsync(host);
            var (connection, _) = await SsoFlows.ConnectAsync(host, org);
            var page = SsoFlows.Page(org);
            Assert.Equal(HttpStatusCode.Redirect, (await org.Owner.Browser.PostFromAsync(page, $"{page}/{connection.Id}/remove")).StatusCode);
        })),
        // A completion without the provider's answer (stale, forged or replayed link): refused and recorded.
        ("GET /sso/complete", new([], [SingleSignOnEvents.SsoSignInRefused], async w =>
        {
            using var browser = host.CreateBrowser();
            Assert.Equal("/account/sign-in/sso?failed=1", TestBrowser.LocationOf(await browser.GetAsync("/sso/complete")));
        })),
        ("PAGE /o/{org}/settings/domains", new(["add-domain"], [DomainEvents.DomainAdded], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            var page = $"/o/{owner.OrganizationSlug}/settings/domains";
            Assert.Equal(HttpStatusCode.Redirect, (await browser.SubmitAsync(page, "add-domain", new Dictionary<string, string> { ["Input.Name"] = DomainsData.UniqueName("covered") })).StatusCode);
        })),
        // Verifying a name another organization holds is refused before any DNS query (this host has no DNS server of its own).
        ("POST /o/{org}/settings/domains/{id:guid}/verify", new([], [DomainEvents.DomainClaimRefused], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            var claim = await DomainsData.ClaimTakenElsewhereAsync(host, await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug));
            var page = $"/o/{owner.OrganizationSlug}/settings/domains";
            Assert.Equal($"{page}?checked=taken&domain={claim.Id:D}", TestBrowser.LocationOf(await browser.PostFromAsync(page, $"{page}/{claim.Id}/verify")));
        })),
        ("POST /o/{org}/settings/domains/{id:guid}/remove", new([], [DomainEvents.DomainRemoved], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            var claim = await DomainsData.AddAsync(host, await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug));
            var page = $"/o/{owner.OrganizationSlug}/settings/domains";
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(page, $"{page}/{claim.Id}/remove")).StatusCode);
        })),
        ("POST /api/v1/o/{org}/domains", new([], [DomainEvents.DomainAdded, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            using var api = w.Api((await w.TokenAsync(["organization:can_manage_domains"])).Secret);
            using var body = new StringContent($"{{\"name\":\"{DomainsData.UniqueName("api")}\"}}", System.Text.Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsync($"/api/v1/o/{owner.OrganizationSlug}/domains", body, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("POST /api/v1/o/{org}/domains/{id:guid}/verify", new([], [DomainEvents.DomainClaimRefused, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            var claim = await DomainsData.ClaimTakenElsewhereAsync(host, await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug));
            using var api = w.Api((await w.TokenAsync(["organization:can_manage_domains"])).Secret);
            Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync($"/api/v1/o/{owner.OrganizationSlug}/domains/{claim.Id}/verify", null, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("DELETE /api/v1/o/{org}/domains/{id:guid}", new([], [DomainEvents.DomainRemoved, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            var claim = await DomainsData.AddAsync(host, await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug));
            using var api = w.Api((await w.TokenAsync(["organization:can_manage_domains"])).Secret);
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/o/{owner.OrganizationSlug}/domains/{claim.Id}", TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("PUT /api/v1/o/{org}/settings/password-policy", new([], [OrganizationEvents.PasswordPolicyChanged, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            using var api = w.Api((await w.TokenAsync(["organization:can_manage_password_policy"])).Secret);
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/o/{owner.OrganizationSlug}/settings/password-policy")
            {
                Content = new StringContent("{\"minimumLength\":13,\"requireUppercase\":false,\"requireLowercase\":false,\"requireDigit\":false,\"requireSymbol\":false,\"historyLength\":2}", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("If-Match", "*");
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("PUT /api/v1/o/{org}/settings/audit-retention", new([], [AuditTrailEvents.AuditRetentionChanged, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            using var api = w.Api((await w.TokenAsync(["organization:can_manage_audit_retention"])).Secret);
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/o/{owner.OrganizationSlug}/settings/audit-retention")
            {
                Content = new StringContent("{\"days\":500}", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("If-Match", "*");
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("POST /account/sign-out", new([], [AccountEvents.SignedOut], async w =>
        {
            using var browser = host.CreateBrowser();
            await Journeys.SignInWithRecoveryCodeAsync(browser, (await w.OwnerAsync()).User, 2);
            await browser.GetAsync("/");
            var signOut = await browser.PostAsync("/account/sign-out", new Dictionary<string, string> { ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken() });
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        })),
        ("PAGE /o/{org}/frameworks", new([], [FrameworkEvents.FrameworkImported, FrameworkEvents.FrameworkImportRefused], async w =>
        {
            var (owner, browser) = await w.OwnerAsync();
            var library = $"/o/{owner.OrganizationSlug}/frameworks";
            var catalog = await File.ReadAllBytesAsync(FrameworkImportTests.Data("nist/basic-catalog.json"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Redirect, (await FrameworkPageTests.UploadAsync(browser, library, "basic.json", catalog)).StatusCode);
            Assert.Equal(HttpStatusCode.Conflict, (await FrameworkPageTests.UploadAsync(browser, library, "basic.json", catalog)).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/frameworks/adopt", new([], [ControlEvents.FrameworkAdopted], async w =>
        {
            var (browser, space) = await w.ControlsSpaceAsync();
            var (owner, _) = await w.OwnerAsync();
            w.CoveredFramework = await ControlsData.ImportAsync(host, owner.OrganizationSlug, "Covered norm", "1", ("c-1", "Covered"));
            var adopt = new Dictionary<string, string> { ["framework"] = w.CoveredFramework.ToString() };
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(space + "/frameworks", space + "/frameworks/adopt", adopt)).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/controls/create", new([], [ControlEvents.ControlCreated], async w =>
        {
            var (browser, space) = await w.ControlsSpaceAsync();
            var created = await browser.PostFromAsync(space + "/controls", space + "/controls/create", new Dictionary<string, string> { ["title"] = "Covered control" });
            Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
            var location = TestBrowser.LocationOf(created)!;
            w.ControlPage = location[..location.IndexOf('?', StringComparison.Ordinal)];
        })),
        ("POST /o/{org}/s/{space}/controls/{id:guid}/edit", new([], [ControlEvents.ControlUpdated], async w =>
        {
            var (browser, _) = await w.ControlsSpaceAsync();
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(w.ControlPage!, w.ControlPage + "/edit", new Dictionary<string, string> { ["title"] = "Covered control", ["status"] = "Implemented" })).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/controls/{id:guid}/links/add", new([], [ControlEvents.ControlRequirementLinked], async w =>
        {
            var (browser, _) = await w.ControlsSpaceAsync();
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(w.ControlPage!, w.ControlPage + "/links/add", new Dictionary<string, string> { ["framework"] = w.CoveredFramework.ToString(), ["requirement"] = "c-1" })).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/controls/{id:guid}/links/remove", new([], [ControlEvents.ControlRequirementUnlinked], async w =>
        {
            var (browser, _) = await w.ControlsSpaceAsync();
            await browser.GetAsync(w.ControlPage!);
            var requirement = Regex.Match(browser.LastPage!, "name=\"requirement\" value=\"([0-9a-f-]{36})\"").Groups[1].Value;
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(w.ControlPage!, w.ControlPage + "/links/remove", new Dictionary<string, string> { ["requirement"] = requirement })).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/soa", new([], [ControlEvents.ApplicabilityRecorded], async w =>
        {
            var (browser, space) = await w.ControlsSpaceAsync();
            var soa = $"{space}/soa/{w.CoveredFramework:D}";
            await browser.GetAsync(soa);
            var requirement = Regex.Match(browser.LastPage!, "name=\"requirement\" value=\"([0-9a-f-]{36})\"").Groups[1].Value;
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(soa, space + "/soa", new Dictionary<string, string>
            {
                ["framework"] = w.CoveredFramework.ToString(), ["requirement"] = requirement, ["applicable"] = "yes", ["justification"] = "Covered.",
            })).StatusCode);
        })),
        // Reads, but each download of a statement of applicability is recorded, like an export of the audit log.
        ("GET /o/{org}/s/{space}/soa/{framework:guid}/xlsx", new([], [ControlEvents.StatementOfApplicabilityExported], async w =>
        {
            var (browser, space) = await w.ControlsSpaceAsync();
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"{space}/soa/{w.CoveredFramework:D}/xlsx")).StatusCode);
        })),
        ("GET /api/v1/o/{org}/s/{space}/soa/{framework:guid}/xlsx", new([], [ControlEvents.StatementOfApplicabilityExported, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            using var api = w.Api((await w.TokenAsync(["space:can_read_controls"])).Secret);
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/v1/o/{owner.OrganizationSlug}/s/covered-files/soa/{w.CoveredFramework:D}/xlsx", TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("POST /api/v1/o/{org}/s/{space}/frameworks", new([], [ControlEvents.FrameworkAdopted, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            await w.FilesAsync();
            w.ApiFramework = await ControlsData.ImportAsync(host, owner.OrganizationSlug, "Covered API norm", "1", ("a-1", "Covered by the API"));
            using var api = w.Api((await w.TokenAsync(["space:can_adopt_frameworks"])).Secret);
            using var body = new StringContent($"{{\"framework\":\"{w.ApiFramework:D}\"}}", System.Text.Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsync($"/api/v1/o/{owner.OrganizationSlug}/s/covered-files/frameworks", body, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("PUT /api/v1/o/{org}/s/{space}/soa/{framework:guid}/requirements/{requirement:guid}", new([], [ControlEvents.ApplicabilityRecorded, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            using var api = w.Api((await w.TokenAsync(["space:can_read_controls", "space:can_edit_controls"])).Secret);
            var soa = $"/api/v1/o/{owner.OrganizationSlug}/s/covered-files/soa/{w.ApiFramework:D}";
            using var statement = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync(soa, TestContext.Current.CancellationToken));
            var line = $"{soa}/requirements/{statement.RootElement.GetProperty("items")[0].GetProperty("requirementId").GetGuid():D}";
            using var request = new HttpRequestMessage(HttpMethod.Put, line) { Content = new StringContent("{\"applicable\":false,\"justification\":\"Covered through the API.\"}", System.Text.Encoding.UTF8, "application/json") };
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("DELETE /api/v1/o/{org}/s/{space}/frameworks/{framework:guid}", new([], [ControlEvents.FrameworkAdoptionEnded, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            using var api = w.Api((await w.TokenAsync(["space:can_adopt_frameworks"])).Secret);
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/o/{owner.OrganizationSlug}/s/covered-files/frameworks/{w.ApiFramework:D}", TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/assets/create", new([], [AssetEvents.AssetCreated], async w =>
        {
            var (browser, space) = await w.ControlsSpaceAsync();
            foreach (var name in new[] { "Covered server", "Covered application" })
            {
                var created = await browser.PostFromAsync(space + "/assets/new", space + "/assets/create", new Dictionary<string, string> { ["name"] = name, ["kind"] = "Application" });
                Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
                var location = TestBrowser.LocationOf(created)!;
                w.AssetPages.Add(location[..location.IndexOf('?', StringComparison.Ordinal)]);
            }
        })),
        ("POST /o/{org}/s/{space}/assets/{id:guid}/update", new([], [AssetEvents.AssetUpdated], async w =>
        {
            var (browser, _) = await w.ControlsSpaceAsync();
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(w.AssetPages[1] + "/edit", w.AssetPages[1] + "/update", new Dictionary<string, string>
            {
                ["name"] = "Covered application", ["kind"] = "Application", ["c-level"] = "High", ["c-justification"] = "Covered.",
            })).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/assets/{id:guid}/dependencies/add", new([], [AssetEvents.AssetDependencyAdded], async w =>
        {
            var (browser, _) = await w.ControlsSpaceAsync();
            var server = w.AssetPages[0][(w.AssetPages[0].LastIndexOf('/') + 1)..];
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(w.AssetPages[1], w.AssetPages[1] + "/dependencies/add", new Dictionary<string, string> { ["dependsOn"] = server })).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/assets/{id:guid}/dependencies/remove", new([], [AssetEvents.AssetDependencyRemoved], async w =>
        {
            var (browser, _) = await w.ControlsSpaceAsync();
            var server = w.AssetPages[0][(w.AssetPages[0].LastIndexOf('/') + 1)..];
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(w.AssetPages[1], w.AssetPages[1] + "/dependencies/remove", new Dictionary<string, string> { ["dependsOn"] = server })).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/assets/{id:guid}/delete", new([], [AssetEvents.AssetDeleted], async w =>
        {
            var (browser, _) = await w.ControlsSpaceAsync();
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(w.AssetPages[0], w.AssetPages[0] + "/delete", new Dictionary<string, string>())).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/assets/import/confirm", new([], [AssetEvents.AssetsImported, AssetEvents.AssetCreated], async w =>
        {
            var (browser, space) = await w.ControlsSpaceAsync();
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(space + "/assets/import")).StatusCode);
            var token = System.Text.RegularExpressions.Regex.Match(browser.LastPage!, "data-testid=\"import-form\"[^>]*>.*?name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
            using var form = new MultipartFormDataContent
            {
                { new StringContent(WebUtility.HtmlDecode(token)), "__RequestVerificationToken" },
                { new StringContent("preview-import"), "_handler" },
                { new ByteArrayContent("name,kind\nCovered import,Data\n"u8.ToArray()), "file", "covered.csv" },
            };
            Assert.Equal(HttpStatusCode.OK, (await browser.PostContentAsync(space + "/assets/import", form)).StatusCode);
            var payload = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(browser.LastPage!, "name=\"payload\" value=\"([^\"]+)\"").Groups[1].Value);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(space + "/assets", space + "/assets/import/confirm", new Dictionary<string, string> { ["payload"] = payload })).StatusCode);
        })),
        ("POST /api/v1/o/{org}/s/{space}/assets/import", new([], [AssetEvents.AssetsImported, AssetEvents.AssetCreated, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            await w.FilesAsync();
            using var api = w.Api((await w.TokenAsync(["space:can_edit_assets"])).Secret);
            using var body = new ByteArrayContent("name,kind\nCovered API import,Data\n"u8.ToArray());
            body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/v1/o/{owner.OrganizationSlug}/s/covered-files/assets/import", body, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("POST /api/v1/o/{org}/s/{space}/assets", new([], [AssetEvents.AssetCreated, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            await w.FilesAsync();
            using var api = w.Api((await w.TokenAsync(["space:can_edit_assets"])).Secret);
            using var body = new StringContent("{\"name\":\"Covered API asset\",\"kind\":\"data\"}", System.Text.Encoding.UTF8, "application/json");
            var created = await api.PostAsync($"/api/v1/o/{owner.OrganizationSlug}/s/covered-files/assets", body, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            w.ApiAsset = created.Headers.Location!.OriginalString;
        })),
        ("PUT /api/v1/o/{org}/s/{space}/assets/{id:guid}", new([], [AssetEvents.AssetUpdated, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            using var api = w.Api((await w.TokenAsync(["asset:can_read", "asset:can_edit"])).Secret);
            var etag = (await api.GetAsync(w.ApiAsset, TestContext.Current.CancellationToken)).Headers.ETag!.Tag;
            using var request = new HttpRequestMessage(HttpMethod.Put, w.ApiAsset) { Content = new StringContent("{\"name\":\"Covered API asset 2\",\"kind\":\"data\"}", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("DELETE /api/v1/o/{org}/s/{space}/assets/{id:guid}", new([], [AssetEvents.AssetDeleted, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            using var api = w.Api((await w.TokenAsync(["asset:can_delete"])).Secret);
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(w.ApiAsset, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/evidence/create", new([], [EvidenceEvents.EvidenceSubmitted], async w =>
        {
            var (browser, space) = await w.ControlsSpaceAsync();
            var created = await browser.PostFromAsync(space + "/evidence/new", space + "/evidence/create", new Dictionary<string, string>
            {
                ["kind"] = "Note", ["title"] = "Covered evidence", ["note"] = "Covered.", ["effectiveOn"] = "2026-11-30",
            });
            Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
            var location = TestBrowser.LocationOf(created)!;
            w.EvidencePage = location[..location.IndexOf('?', StringComparison.Ordinal)];
        })),
        // Four eyes: the owner submitted it, so an admin (a second manager) reviews it.
        ("POST /o/{org}/s/{space}/evidence/{id:guid}/review", new([], [EvidenceEvents.EvidenceRejected], async w =>
        {
            var (admin, _) = await w.ReviewerAsync();
            Assert.Equal(HttpStatusCode.Redirect, (await admin.PostFromAsync(w.EvidencePage!, w.EvidencePage + "/review", new Dictionary<string, string>
            {
                ["decision"] = "reject", ["comment"] = "Covered.",
            })).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/evidence/visibility", new([], [EvidenceEvents.EvidenceVisibilityChanged], async w =>
        {
            var (browser, space) = await w.ControlsSpaceAsync();
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(space + "/evidence", space + "/evidence/visibility", new Dictionary<string, string> { ["visibleToAll"] = "true" })).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(space + "/evidence", space + "/evidence/visibility", new Dictionary<string, string> { ["visibleToAll"] = "false" })).StatusCode);
        })),
        // This host has no clamd: what is checked is the refusal of an empty file (nothing kept) and of a post without its token.
        ("POST /o/{org}/s/{space}/evidence/upload", new([], [UploadEvents.FileUploadRefused], async w =>
        {
            var (browser, space) = await w.ControlsSpaceAsync();
            await browser.GetAsync(space + "/evidence/new?kind=File");
            using var form = new MultipartFormDataContent
            {
                { new StringContent(browser.AnyAntiforgeryToken()), "__RequestVerificationToken" },
                { new StringContent("Covered file"), "title" },
                { new StringContent("2026-11-30"), "effectiveOn" },
                { new ByteArrayContent([]), "File", "leer.pdf" },
            };
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await browser.Client.PostAsync(space + "/evidence/upload", form, TestContext.Current.CancellationToken)).StatusCode);
        })),
        // No file evidence without a scanner here: a person without a role in the Space is refused (and recorded).
        ("POST /o/{org}/s/{space}/evidence/{id:guid}/versions", new([], [AuthorizationEvents.AuthorizationDenied], async w =>
        {
            var member = await w.MemberAsync();
            await member.GetAsync("/");
            using var form = new MultipartFormDataContent { { new StringContent(member.AnyAntiforgeryToken()), "__RequestVerificationToken" }, { new ByteArrayContent("x"u8.ToArray()), "File", "x.txt" } };
            Assert.Equal(HttpStatusCode.NotFound, (await member.Client.PostAsync(w.EvidencePage + "/versions", form, TestContext.Current.CancellationToken)).StatusCode);
        })),
        // A read of customer data: every download is recorded before its first byte leaves. This host has no clamd,
        // so the item's file is placed as already scanned.
        ("GET /o/{org}/s/{space}/evidence/{id:guid}/file", new([], [EvidenceEvents.EvidenceDownloaded], async w =>
        {
            var (browser, space) = await w.ControlsSpaceAsync();
            var item = await w.FileEvidenceAsync();
            var download = await browser.GetAsync($"{space}/evidence/{item:D}/file");
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        })),
        ("POST /api/v1/o/{org}/s/{space}/evidence", new([], [EvidenceEvents.EvidenceSubmitted, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            await w.FilesAsync();
            using var api = w.Api((await w.TokenAsync(["space:can_add_evidence"])).Secret);
            using var body = new StringContent("{\"kind\":\"note\",\"title\":\"Covered API evidence\",\"note\":\"x\",\"effectiveOn\":\"2026-11-30\"}", System.Text.Encoding.UTF8, "application/json");
            var created = await api.PostAsync($"/api/v1/o/{owner.OrganizationSlug}/s/covered-files/evidence", body, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            w.ApiEvidence = created.Headers.Location!.OriginalString;
        })),
        ("POST /api/v1/o/{org}/s/{space}/evidence/{id:guid}/review", new([], [EvidenceEvents.EvidenceAccepted, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (_, admin) = await w.ReviewerAsync();
            using var api = w.Api((await w.TokenAsync(["evidence:can_read", "evidence:can_review"], admin)).Secret);
            var etag = (await api.GetAsync(w.ApiEvidence, TestContext.Current.CancellationToken)).Headers.ETag!.Tag;
            using var request = new HttpRequestMessage(HttpMethod.Post, w.ApiEvidence + "/review") { Content = new StringContent("{\"decision\":\"accept\"}", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("POST /api/v1/o/{org}/s/{space}/controls", new([], [ControlEvents.ControlCreated, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            await w.FilesAsync();
            using var api = w.Api((await w.TokenAsync(["space:can_edit_controls"])).Secret);
            using var body = new StringContent("{\"title\":\"Covered API control\"}", System.Text.Encoding.UTF8, "application/json");
            var created = await api.PostAsync($"/api/v1/o/{owner.OrganizationSlug}/s/covered-files/controls", body, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            w.ApiControl = created.Headers.Location!.OriginalString;
        })),
        ("PUT /api/v1/o/{org}/s/{space}/controls/{id:guid}", new([], [ControlEvents.ControlUpdated, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            using var api = w.Api((await w.TokenAsync(["control:can_read", "control:can_edit"])).Secret);
            var etag = (await api.GetAsync(w.ApiControl, TestContext.Current.CancellationToken)).Headers.ETag!.Tag;
            using var request = new HttpRequestMessage(HttpMethod.Put, w.ApiControl) { Content = new StringContent("{\"title\":\"Covered API control\",\"status\":\"implemented\"}", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("POST /api/v1/o/{org}/s/{space}/controls/{id:guid}/requirements", new([], [ControlEvents.ControlRequirementLinked, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            using var api = w.Api((await w.TokenAsync(["control:can_edit"])).Secret);
            using var body = new StringContent($"{{\"framework\":\"{w.CoveredFramework:D}\",\"requirement\":\"c-1\"}}", System.Text.Encoding.UTF8, "application/json");
            var linked = await api.PostAsync(w.ApiControl + "/requirements", body, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
            using var json = System.Text.Json.JsonDocument.Parse(await linked.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            w.ApiRequirement = json.RootElement.GetProperty("requirements")[0].GetProperty("id").GetGuid();
        })),
        ("DELETE /api/v1/o/{org}/s/{space}/controls/{id:guid}/requirements/{requirement:guid}", new([], [ControlEvents.ControlRequirementUnlinked, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            using var api = w.Api((await w.TokenAsync(["control:can_edit"])).Secret);
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"{w.ApiControl}/requirements/{w.ApiRequirement:D}", TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("DELETE /api/v1/o/{org}/s/{space}/controls/{id:guid}", new([], [ControlEvents.ControlDeleted, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            using var api = w.Api((await w.TokenAsync(["control:can_delete"])).Secret);
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(w.ApiControl, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("POST /api/v1/o/{org}/teams", new([], [TeamEvents.TeamCreated, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            var (owner, _) = await w.OwnerAsync();
            using var api = w.Api((await w.TokenAsync(["organization:can_manage_teams"])).Secret);
            foreach (var name in new[] { "Covered API team", "Covered nested team" })
            {
                using var body = new StringContent($"{{\"name\":\"{name}\"}}", System.Text.Encoding.UTF8, "application/json");
                var created = await api.PostAsync($"/api/v1/o/{owner.OrganizationSlug}/teams", body, TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                w.ApiTeams.Add(created.Headers.Location!.OriginalString);
            }
        })),
        ("PUT /api/v1/o/{org}/teams/{id:guid}", new([], [TeamEvents.TeamRenamed, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            using var api = w.Api((await w.TokenAsync(["team:can_read", "team:can_manage"])).Secret);
            var etag = (await api.GetAsync(w.ApiTeams[0], TestContext.Current.CancellationToken)).Headers.ETag!.Tag;
            using var request = new HttpRequestMessage(HttpMethod.Put, w.ApiTeams[0]) { Content = new StringContent("{\"name\":\"Covered API team, renamed\"}", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("POST /api/v1/o/{org}/teams/{id:guid}/members", new([], [TeamEvents.TeamMemberAdded, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            using var api = w.Api((await w.TokenAsync(["team:can_read", "team:can_manage"])).Secret);
            using var body = new StringContent($"{{\"member\":\"team:{w.ApiTeams[1][(w.ApiTeams[1].LastIndexOf('/') + 1)..]}\"}}", System.Text.Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsync(w.ApiTeams[0] + "/members", body, TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("DELETE /api/v1/o/{org}/teams/{id:guid}/members/{member}", new([], [TeamEvents.TeamMemberRemoved, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            using var api = w.Api((await w.TokenAsync(["team:can_read", "team:can_manage"])).Secret);
            var member = "team:" + w.ApiTeams[1][(w.ApiTeams[1].LastIndexOf('/') + 1)..];
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"{w.ApiTeams[0]}/members/{member}", TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("DELETE /api/v1/o/{org}/teams/{id:guid}", new([], [TeamEvents.TeamDeleted, ApiTokenEvents.ApiTokenUsed], async w =>
        {
            using var api = w.Api((await w.TokenAsync(["team:can_read", "team:can_manage"])).Secret);
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(w.ApiTeams[1], TestContext.Current.CancellationToken)).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/controls/{id:guid}/delete", new([], [ControlEvents.ControlDeleted], async w =>
        {
            var (browser, _) = await w.ControlsSpaceAsync();
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(w.ControlPage!, w.ControlPage + "/delete", new Dictionary<string, string>())).StatusCode);
        })),
        ("POST /o/{org}/s/{space}/frameworks/end", new([], [ControlEvents.FrameworkAdoptionEnded], async w =>
        {
            var (browser, space) = await w.ControlsSpaceAsync();
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFromAsync(space + "/frameworks", space + "/frameworks/end", new Dictionary<string, string> { ["framework"] = w.CoveredFramework.ToString() })).StatusCode);
        })),
    ];

    /// <summary>A passkey row as Identity stores it: removing one needs no WebAuthn ceremony.</summary>
    private async Task<string> AddStoredPasskeyAsync(string email)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Kastell.Server.Platform.Identity.KastellUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException("No such user.");
        var credentialId = RandomNumberGenerator.GetBytes(32);
        var passkey = new UserPasskeyInfo(credentialId, RandomNumberGenerator.GetBytes(77), DateTimeOffset.UtcNow, 0, ["internal"], true, false, false, [0xa0], [0x7b, 0x7d]) { Name = "Stored" };
        Assert.True((await users.AddOrUpdatePasskeyAsync(user, passkey)).Succeeded);
        return WebEncoders.Base64UrlEncode(credentialId);
    }

    [Fact]
    public async Task EveryStateChangingEndpoint_IsExercisedOrExplicitlyExempt_AndEveryPageFormIsNamed()
    {
        var endpoints = await DiscoverAsync();
        var exercises = Exercises.ToDictionary(e => e.Endpoint, e => e.Exercise);
        var problems = new List<string>();

        foreach (var (key, component) in endpoints)
        {
            if (FrameworkReadOnlyGets.ContainsKey(key))
            {
                continue;
            }

            var exercised = exercises.TryGetValue(key, out var exercise);
            var exempt = ChangesNoAuditedState.ContainsKey(key);
            if (exercised == exempt)
            {
                problems.Add(exercised
                    ? $"{key} is both exercised and exempt."
                    : $"{key} is a new state-changing endpoint: add an exercise to {nameof(AuditEndpointCoverageTests)}.{nameof(Exercises)} (how to drive it, which audit events it writes), or an entry with the reason in {nameof(ChangesNoAuditedState)}.");
            }

            var forms = component is null ? [] : FormNames(component);
            var unnamed = forms.Except(exercise?.Forms ?? []).ToList();
            if (unnamed.Count > 0)
            {
                problems.Add($"{key} offers form(s) {string.Join(", ", unnamed)} that no exercise drives.");
            }
        }

        foreach (var get in ChangesNoAuditedState.Keys.Where(k => k.StartsWith("GET ", StringComparison.Ordinal)))
        {
            problems.Add($"{get}: a GET endpoint that changes nothing is marked .ReadOnly() where it is mapped, not exempted here.");
        }

        foreach (var stale in exercises.Keys.Concat(ChangesNoAuditedState.Keys).Concat(FrameworkReadOnlyGets.Keys).Except(endpoints.Keys))
        {
            problems.Add($"{stale} is listed here but no longer exists.");
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task EveryExercisedEndpoint_WritesItsAuditEvents_AndTheChainsStillVerify()
    {
        using var world = new World(host);
        var problems = new List<string>();
        var start = await AuditWatermark.TakeAsync(host);
        foreach (var (endpoint, exercise) in Exercises)
        {
            var mark = await AuditWatermark.TakeAsync(host);
            await exercise.RunAsync(world);
            var written = (await mark.NewEventsAsync()).Select(e => e.Type).ToHashSet();
            var missing = exercise.Expected.Where(t => !written.Contains(t)).ToList();
            if (missing.Count > 0)
            {
                problems.Add($"{endpoint} wrote no {string.Join(", ", missing)} (it wrote: {string.Join(", ", written)}).");
            }
        }

        // Every event landed in a chain its declaration allows ([RecordedIn], [MemberSecurityEvent]): the audit page's
        // filter offers an organization exactly the actions declared for its chain. Members' copies arrive off the
        // request path, so give them a moment.
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        foreach (var e in await start.NewEventsAsync())
        {
            var chain = e.OrganizationId is null ? AuditChains.System : AuditChains.Organization;
            if (!AuditEventCatalog.CanOccurIn(e.Type, chain))
            {
                problems.Add($"{e.Type} was recorded in the {chain} chain, which its declaration does not allow.");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems.Distinct()));
        var verification = await host.Services.GetRequiredService<AuditVerifier>().VerifyAsync(TestContext.Current.CancellationToken);
        Assert.True(verification.IsIntact, string.Join('\n', verification.Problems));
    }

    /// <summary>
    /// State-changing endpoints by key: <c>PAGE {route}</c> for server-rendered pages (all of them accept form posts),
    /// <c>{METHOD} {route}</c> for other endpoints with POST, PUT, PATCH or DELETE, <c>GET {route}</c> for GET
    /// endpoints not marked <see cref="ReadOnlyEndpoint"/>, and <c>* {route}</c> for endpoints that accept any
    /// method. The value is the page's component type, if any.
    /// </summary>
    private async Task<Dictionary<string, Type?>> DiscoverAsync()
    {
        using var warmUp = host.CreateBrowser(); // builds the host and its endpoints
        await warmUp.GetAsync("/health/live");
        var found = Classify(host.Services.GetRequiredService<EndpointDataSource>().Endpoints);
        Assert.NotEmpty(found);
        return found;
    }

    internal static Dictionary<string, Type?> Classify(IEnumerable<Endpoint> endpoints)
    {
        var found = new Dictionary<string, Type?>();
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>())
        {
            var route = endpoint.RoutePattern.RawText ?? "";
            if (endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is { } component)
            {
                found.TryAdd("PAGE " + route, component.Type);
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            if (methods is null || methods.Count == 0)
            {
                found.TryAdd("* " + route, null);
                continue;
            }

            foreach (var method in methods.Where(m => HttpMethods.IsPost(m) || HttpMethods.IsPut(m) || HttpMethods.IsPatch(m) || HttpMethods.IsDelete(m)))
            {
                found.TryAdd($"{method} {route}", null);
            }

            if (methods.Any(m => HttpMethods.IsGet(m) || HttpMethods.IsHead(m)) && endpoint.Metadata.GetMetadata<ReadOnlyEndpoint>() is null)
            {
                found.TryAdd("GET " + route, null);
            }
        }

        return found;
    }

    [Fact]
    public void Discovery_FindsAGetEndpoint_UnlessItIsMarkedReadOnly()
    {
        static RouteEndpoint Get(string route, params object[] metadata) =>
            new(_ => Task.CompletedTask, RoutePatternFactory.Parse(route), 0, new EndpointMetadataCollection([new HttpMethodMetadata(["GET"]), .. metadata]), route);

        var found = Classify([Get("/changes-something"), Get("/only-reads", ReadOnlyEndpoint.Instance)]);

        Assert.Equal(["GET /changes-something"], found.Keys);
    }

    /// <summary>The forms a page binds with <c>[SupplyParameterFromForm(FormName = …)]</c>.</summary>
    private static List<string> FormNames(Type component) =>
        [.. component.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(p => p.GetCustomAttribute<SupplyParameterFromFormAttribute>()?.FormName)
            .OfType<string>()];

    /// <param name="Forms">Every form the page offers (checked against its <c>[SupplyParameterFromForm]</c> names).</param>
    /// <param name="Expected">Events the exercise must write, each at least once.</param>
    private sealed record Exercise(string[] Forms, AuditEventType[] Expected, Func<World, Task> RunAsync);

    /// <summary>People the exercises share, made on first use: an owner with an organization, and a member of it.</summary>
    private sealed class World(KastellHost host) : IDisposable
    {
        private readonly List<TestBrowser> _browsers = [];
        private (EnrolledUser User, TestBrowser Browser)? _owner;
        private TestBrowser? _member;
        private string? _files;

        public async Task<(EnrolledUser User, TestBrowser Browser)> OwnerAsync()
        {
            if (_owner is null)
            {
                var browser = Track(host.CreateBrowser());
                _owner = (await Journeys.SignUpAndEnrolAsync(browser), browser);
            }

            return _owner.Value;
        }

        /// <summary>The owner's browser and the Files page of a Space of theirs (made on first use).</summary>
        public async Task<(TestBrowser Browser, string Files)> FilesAsync()
        {
            var (owner, browser) = await OwnerAsync();
            if (_files is null)
            {
                Assert.Equal(HttpStatusCode.Redirect, (await TenancyTests.CreateSpaceAsync(browser, owner.OrganizationSlug, "Covered Files")).StatusCode);
                _files = $"/o/{owner.OrganizationSlug}/s/covered-files/files";
            }

            return (browser, _files);
        }

        /// <summary>A person who joined the owner's organization as a plain member through an invitation.</summary>
        public async Task<TestBrowser> MemberAsync()
        {
            if (_member is null)
            {
                var link = await InviteAsync(Journeys.UniqueEmail("member"), OrganizationRole.Member);
                var browser = Track(host.CreateBrowser());
                await InvitationTests.SignUpThroughAsync(browser, link);
                await Journeys.EnrolAsync(browser);
                _member = browser;
            }

            return _member;
        }

        /// <summary>The owner invites <paramref name="email"/>; returns the link from the mail.</summary>
        public async Task<string> InviteAsync(string email, OrganizationRole role)
        {
            var (owner, browser) = await OwnerAsync();
            Assert.Equal(HttpStatusCode.OK, (await InvitationTests.InviteAsync(browser, owner.OrganizationSlug, email, role)).StatusCode);
            return Mails.LinkTo(await Mails.WaitAsync(host, email, InviteSubject), "/invitations/accept");
        }

        private string? _team;

        /// <summary>A person put into <see cref="TeamAsync"/>'s team by one exercise and taken out by the next.</summary>
        public Guid TeamMember { get; set; }

        /// <summary>The framework the controls exercises adopt, link and decide on.</summary>
        public Guid CoveredFramework { get; set; }

        /// <summary>The assets (a server, an application) one exercise creates and the next ones change.</summary>
        public List<string> AssetPages { get; } = [];

        /// <summary>The evidence item the page exercise submits and the next ones review.</summary>
        public string? EvidencePage { get; set; }

        /// <summary>The API address of the evidence item the API exercise submits and the next one reviews.</summary>
        public string ApiEvidence { get; set; } = "";

        private (TestBrowser Browser, Guid Id)? _reviewer;

        /// <summary>An admin of the organization (so a manager of every Space): the second pair of eyes on the owner's evidence.</summary>
        public async Task<(TestBrowser Browser, Guid Id)> ReviewerAsync() => _reviewer ??= await JoinAsync(OrganizationRole.Admin);

        /// <summary>A file evidence item of the owner in the covered Space, its file placed as already scanned (this host has no clamd).</summary>
        public async Task<Guid> FileEvidenceAsync()
        {
            var (owner, _) = await OwnerAsync();
            await FilesAsync();
            var organization = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
            var space = await Tenants.SpaceIdAsync(host, organization, "covered-files");
            var ownerId = await Tenants.UserIdAsync(host, owner.Email);
            return await Kastell.Server.Tests.Features.Evidence.PlacedEvidence.FileAsync(host, organization, space, ownerId, "Covered file");
        }

        /// <summary>The API address of the asset the API exercise creates and the next ones change.</summary>
        public string ApiAsset { get; set; } = "";

        /// <summary>The framework the API exercises adopt, decide on and end.</summary>
        public Guid ApiFramework { get; set; }

        /// <summary>The control one exercise creates and the next ones change.</summary>
        public string? ControlPage { get; set; }

        /// <summary>The API address of the control the API exercise creates and the next ones change and delete.</summary>
        public string ApiControl { get; set; } = "";

        /// <summary>The API addresses of the two teams the API exercise creates (the second becomes the first's member).</summary>
        public List<string> ApiTeams { get; } = [];

        /// <summary>The requirement the API exercise links the control to, and the next unlinks.</summary>
        public Guid ApiRequirement { get; set; }

        /// <summary>The owner's browser and the address of the Files Space (where the controls exercises work).</summary>
        public async Task<(TestBrowser Browser, string Space)> ControlsSpaceAsync()
        {
            var (browser, files) = await FilesAsync();
            return (browser, files[..^"/files".Length]);
        }

        /// <summary>A person given a role in the Files Space by one exercise, whose role the next takes away.</summary>
        public Guid SpaceViewer { get; set; }

        /// <summary>The page of a team the owner created through the teams page (made on first use).</summary>
        public async Task<string> TeamAsync()
        {
            if (_team is null)
            {
                var (owner, browser) = await OwnerAsync();
                var created = await browser.SubmitAsync($"/o/{owner.OrganizationSlug}/teams", "create-team", new Dictionary<string, string> { ["Input.Name"] = "Covered team" });
                Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
                _team = TestBrowser.LocationOf(created)!;
            }

            return _team;
        }

        /// <summary>A new person who joined the owner's organization with <paramref name="role"/> through an invitation: their browser and id.</summary>
        public async Task<(TestBrowser Browser, Guid Id)> JoinAsync(OrganizationRole role)
        {
            var email = Journeys.UniqueEmail("joined");
            var link = await InviteAsync(email, role);
            var browser = Track(host.CreateBrowser());
            await InvitationTests.SignUpThroughAsync(browser, link);
            await Journeys.EnrolAsync(browser);
            return (browser, await Tenants.UserIdAsync(host, email));
        }

        /// <summary>A personal access token of the owner in their organization, carrying <paramref name="permissions"/>.</summary>
        public async Task<Kastell.Server.Features.ApiAccess.Tokens.CreatedToken> TokenAsync(string[]? permissions = null, Guid? forUser = null)
        {
            var (owner, _) = await OwnerAsync();
            var organization = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
            await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(organization, AuditActor.System("coverage"));
            var created = await scope.Get<Kastell.Server.Features.ApiAccess.Tokens.CreateApiTokenCommand>().ExecuteAsync(
                new(ApiTokenKind.Personal, forUser ?? await Tenants.UserIdAsync(host, owner.Email), "coverage", 1, permissions ?? ["file:can_read"], []),
                AuditActor.System("coverage"), TestContext.Current.CancellationToken);
            return created.Value ?? throw new InvalidOperationException(created.Failure?.Code);
        }

        /// <summary>A file placed as already scanned in the owner's covered Space.</summary>
        public async Task<Guid> StoredFileAsync()
        {
            var (owner, _) = await OwnerAsync();
            await FilesAsync();
            var organization = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
            var space = await Tenants.SpaceIdAsync(host, organization, "covered-files");
            return (await Tenants.StoreFileAsync(host, organization, space, "api.txt", "api"u8.ToArray())).Id;
        }

        public HttpClient Api(string token)
        {
            var client = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + token);
            return client;
        }

        private TestBrowser Track(TestBrowser browser)
        {
            _browsers.Add(browser);
            return browser;
        }

        public void Dispose() => _browsers.ForEach(b => b.Dispose());
    }

    [GeneratedRegex("name=\"_handler\" value=\"revoke-([0-9a-f]{20})\"")]
    private static partial Regex RevokeForm();

    [GeneratedRegex("action=\"(/o/[^\"]+/files/[0-9a-f-]{36}/delete)\"")]
    private static partial Regex DeleteAction();

    [GeneratedRegex("href=\"(/o/[^\"]+/service-accounts/[0-9a-f-]{36})\"")]
    private static partial Regex ServiceAccountLink();

    [GeneratedRegex("<option value=\"([0-9a-f-]{36})\"")]
    private static partial Regex HiddenOption();

    [GeneratedRegex("action=\"(/o/[^\"]+/revoke)\"")]
    private static partial Regex RevokeAction();
}

public sealed class AuditEndpointCoverageTestsOnSqlite(SsoSqliteHost host) : AuditEndpointCoverageTests(host), IClassFixture<SsoSqliteHost>;

public sealed class AuditEndpointCoverageTestsOnPostgres(SsoPostgresHost host) : AuditEndpointCoverageTests(host), IClassFixture<SsoPostgresHost>;
