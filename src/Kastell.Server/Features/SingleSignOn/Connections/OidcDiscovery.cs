using Kastell.Server.Platform.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Kastell.Server.Features.SingleSignOn.Connections;

/// <summary>
/// Fetches and checks an issuer's discovery document before a connection is saved, so a typo or a broken provider
/// shows up to the admin now and not to every person at sign-in: the document must state exactly this issuer, offer
/// the authorization code flow, name its endpoints and keys (https, as the issuer) and sign ID tokens with an
/// asymmetric algorithm.
/// </summary>
public sealed class OidcDiscovery(IHttpClientFactory clients, IssuerUrls urls, IOptions<SingleSignOnOptions> options, ILogger<OidcDiscovery> log)
{
    public const string HttpClientName = "Kastell.Sso.Discovery";

    internal static readonly string[] AsymmetricAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    public async Task<Result<OpenIdConnectConfiguration>> CheckAsync(Uri issuer, CancellationToken cancellationToken)
    {
        var address = issuer.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration";
        OpenIdConnectConfiguration document;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.DiscoveryTimeout);
        try
        {
            var retriever = new HttpDocumentRetriever(clients.CreateClient(HttpClientName)) { RequireHttps = urls.RequiresHttps(issuer) };
            document = await OpenIdConnectConfigurationRetriever.GetAsync(address, retriever, timeout.Token);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException or InvalidOperationException
                                      || e.InnerException is HttpRequestException or IOException or OperationCanceledException)
        {
            // Only the kind of failure: messages may carry the provider's response.
            log.LogInformation("Discovery at {Issuer} failed: {Kind}", issuer, e.GetType().Name);
            return SingleSignOnErrors.DiscoveryUnreachable;
        }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException)
        {
            log.LogInformation("Discovery at {Issuer} is malformed: {Kind}", issuer, e.GetType().Name);
            return SingleSignOnErrors.DiscoveryBroken;
        }

        return IsUsable(document, issuer) ? document : SingleSignOnErrors.DiscoveryBroken;
    }

    private bool IsUsable(OpenIdConnectConfiguration document, Uri issuer) =>
        string.Equals(document.Issuer?.TrimEnd('/'), issuer.OriginalString.Trim().TrimEnd('/'), StringComparison.Ordinal)
        && Endpoint(document.AuthorizationEndpoint, issuer) && Endpoint(document.TokenEndpoint, issuer) && Endpoint(document.JwksUri, issuer)
        && (document.ResponseTypesSupported.Count == 0 || document.ResponseTypesSupported.Contains("code"))
        && (document.IdTokenSigningAlgValuesSupported.Count == 0 || document.IdTokenSigningAlgValuesSupported.Any(a => AsymmetricAlgorithms.Contains(a)));

    private bool Endpoint(string? value, Uri issuer) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && !urls.RequiresHttps(issuer) && uri.IsLoopback));
}
