// An OpenID Provider for Kastell's single sign-on tests: panva's oidc-provider on a loopback port, with
//  - open dynamic client registration (POST /reg), so each test registers a client with its own redirect URI;
//  - a login page (GET/POST /interaction/:uid) where the test names the person and what the provider asserts about the
//    sign-in (sub, email, email_verified, name, amr, acr); consent is given automatically (a first-party provider);
//  - a misbehaving mode (POST /_test/attack, client_id=...&mode=...) that replaces the ID token the token endpoint returns with a forged
//    one, for the OpenID RP conformance cases (wrong iss/aud/nonce, alg none, HS256 keyed with the public key, ...);
//  - broken discovery documents under /broken and /garbage for the connection form's negative tests, and one under
//    /moved-to/ADDRESS that redirects to that (private) address.
// Usage: node provider.mjs --port N
import http from 'node:http';
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const { values } = parseArgs({ options: { port: { type: 'string' } } });
const port = Number(values.port);
const issuer = `http://127.0.0.1:${port}`;

const signing = await jose.generateKeyPair('RS256', { extractable: true });
const privateJwk = { ...(await jose.exportJWK(signing.privateKey)), kid: 'kastell-test-1', alg: 'RS256', use: 'sig' };
const publicJwk = { ...(await jose.exportJWK(signing.publicKey)), kid: 'kastell-test-1', alg: 'RS256', use: 'sig' };
const publicPem = await jose.exportSPKI(signing.publicKey);
const foreign = await jose.generateKeyPair('RS256');

const accounts = new Map();
// Misbehaviour per client: tests running side by side each register their own client, so one test's attack never
// reaches another's sign-in.
const attacks = new Map();

const provider = new Provider(issuer, {
  clients: [],
  jwks: { keys: [privateJwk] },
  features: {
    registration: { enabled: true },
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: false },
    devInteractions: { enabled: false },
  },
  claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false,
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  clientDefaults: { id_token_signed_response_alg: 'RS256', token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code'], response_types: ['code'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return accounts.get(id) ?? { sub: id }; } };
  },
  // First-party provider: consent is implied, so the only page is the login page.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

// The misbehaving token endpoint: the real ID token is decoded and re-issued broken in the way the mode names.
provider.use(async (ctx, next) => {
  await next();
  const attack = attacks.get(ctx.oidc?.client?.clientId) || 'none';
  if (ctx.path === '/token' && ctx.body && typeof ctx.body === 'object' && ctx.body.id_token && attack !== 'none') {
    ctx.body = { ...ctx.body, id_token: await forge(ctx.body.id_token, attack) };
  }
});

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

async function sign(payload, header, key = signing.privateKey) {
  return new jose.SignJWT(payload).setProtectedHeader(header).sign(key);
}

async function forge(idToken, mode) {
  const payload = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', kid: 'kastell-test-1', typ: 'JWT' };
  switch (mode) {
    case 'wrong-iss': return sign({ ...payload, iss: 'https://attacker.example' }, header);
    case 'wrong-aud': return sign({ ...payload, aud: 'another-client' }, header);
    case 'missing-aud': { const { aud, ...rest } = payload; return sign(rest, header); }
    case 'wrong-nonce': return sign({ ...payload, nonce: 'forged-nonce' }, header);
    case 'missing-nonce': { const { nonce, ...rest } = payload; return sign(rest, header); }
    case 'missing-sub': { const { sub, ...rest } = payload; return sign(rest, header); }
    case 'missing-iat': { const { iat, ...rest } = payload; return sign(rest, header); }
    case 'expired': return sign({ ...payload, iat: now - 7200, auth_time: now - 7200, exp: now - 3600 }, header);
    case 'alg-none': return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
    case 'hs256-public-key': return sign(payload, { alg: 'HS256', kid: 'kastell-test-1', typ: 'JWT' }, new TextEncoder().encode(publicPem));
    case 'hs256-public-jwk': return sign(payload, { alg: 'HS256', typ: 'JWT' }, new TextEncoder().encode(JSON.stringify(publicJwk)));
    case 'bad-signature-rs256': {
      const [h, p, s] = idToken.split('.');
      const bytes = Buffer.from(s, 'base64url');
      bytes[bytes.length - 1] ^= 0x01;
      return `${h}.${p}.${bytes.toString('base64url')}`;
    }
    case 'foreign-key-same-kid': return sign(payload, header, foreign.privateKey);
    case 'foreign-key-unknown-kid': return sign(payload, { ...header, kid: 'not-published' }, foreign.privateKey);
    case 'kid-absent-single-key': return sign(payload, { alg: 'RS256', typ: 'JWT' });
    case 'claims-swapped-payload': {
      // Another person's claims under the original signature: the signature no longer matches.
      const [h, , s] = idToken.split('.');
      return `${h}.${b64({ ...payload, sub: 'someone-else', email: 'victim@example.test' })}.${s}`;
    }
    default: throw new Error(`unknown attack ${mode}`);
  }
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    const interaction = url.pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (interaction && req.method === 'GET' && !interaction[2]) {
      const details = await provider.interactionDetails(req, res);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><title>Test provider sign-in</title><main><h1>Sign in at the test provider</h1>
<form method="post" action="/interaction/${escape(details.uid)}/login">
<label>sub <input name="sub" required></label><label>email <input name="email"></label>
<label>email_verified <input name="email_verified" value="true"></label><label>name <input name="name"></label>
<label>amr <input name="amr" value="pwd"></label><label>acr <input name="acr"></label>
<button type="submit">Sign in</button></form></main></html>`);
      return;
    }
    if (interaction && req.method === 'POST' && interaction[2]) {
      const form = await readForm(req);
      const sub = form.get('sub');
      const claims = { sub };
      if (form.get('email')) claims.email = form.get('email');
      if (form.has('email_verified') && form.get('email_verified') !== '') claims.email_verified = form.get('email_verified') === 'true';
      if (form.get('name')) claims.name = form.get('name');
      accounts.set(sub, claims);
      const amr = (form.get('amr') || '').split(' ').filter(Boolean);
      const login = { accountId: sub, ...(amr.length ? { amr } : {}), ...(form.get('acr') ? { acr: form.get('acr') } : {}) };
      await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
      return;
    }
    if (url.pathname === '/_test/attack' && req.method === 'POST') {
      const form = await readForm(req);
      attacks.set(form.get('client_id'), form.get('mode') || 'none');
      res.writeHead(204).end();
      return;
    }
    // A discovery document that has moved, to a private address (SSRF: the redirect must not be followed there).
    const moved = url.pathname.match(/^\/moved-to\/([0-9a-f.:]+)\/\.well-known\/openid-configuration$/);
    if (moved) {
      const host = moved[1].includes(':') ? `[${moved[1]}]` : moved[1];
      res.writeHead(302, { location: `http://${host}/latest/meta-data/.well-known/openid-configuration` }).end();
      return;
    }
    if (url.pathname === '/broken/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: 'https://somewhere-else.example', authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`, response_types_supported: ['code'], id_token_signing_alg_values_supported: ['RS256'] }));
      return;
    }
    if (url.pathname === '/hmac-only/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: `${issuer}/hmac-only`, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`, response_types_supported: ['code'], id_token_signing_alg_values_supported: ['HS256', 'none'] }));
      return;
    }
    if (url.pathname === '/garbage/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('this is not json {');
      return;
    }
    callback(req, res);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`test provider error: ${error.name}`);
  }
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${issuer}\n`));
