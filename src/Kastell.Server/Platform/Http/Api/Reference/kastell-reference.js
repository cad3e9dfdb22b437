// Starts the API reference UI (Scalar, bundled and served by Kastell: /api/reference/scalar.js) on the page of
// ApiReference.cs. An external file rather than an inline script, so the page's CSP keeps script-src 'self' alone.
(() => {
  const app = document.getElementById('app');
  window.Scalar.createApiReference(app, {
    url: app.dataset.document,
    localization: { locale: app.dataset.locale },
    // Nothing leaves this server: no web fonts from the vendor, no telemetry, no request proxy, no hosted AI agent or
    // MCP helper, no developer toolbar linking to the vendor's dashboard. The CSP (connect-src 'self', font-src
    // 'self') would block such requests anyway; these settings keep the UI from trying.
    withDefaultFonts: false,
    telemetry: false,
    proxyUrl: '',
    agent: { disabled: true },
    mcp: { disabled: true },
    showDeveloperTools: 'never',
    externalUrls: {
      dashboardUrl: window.location.origin,
      registryUrl: window.location.origin,
      proxyUrl: window.location.origin,
      apiBaseUrl: window.location.origin,
    },
    // A token typed into "Test request" lives in this tab only, never in local storage.
    persistAuth: false,
    documentDownloadType: 'json',
    // The "Open API Client" link leads to the vendor's hosted client (with this document's address); "Test request"
    // opens the same client inside this page and stays.
    hideClientButton: true,
    // The API authenticates with bearer tokens only and never reads cookies; a request from this page does not
    // carry the browser's session cookie either (fetch would send same-origin cookies by default).
    customFetch: (input, init) => window.fetch(input, { ...init, credentials: 'omit' }),
  });
})();
