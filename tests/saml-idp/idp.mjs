// A SAML 2.0 identity provider for Kastell's single sign-on tests: samlify on a loopback port, with
//  - its metadata at GET /metadata (entity id, HTTP-Redirect SSO endpoint, the signing certificate Kastell pins);
//  - service providers registered by the test (POST /_test/sp with Kastell's SP metadata), as an admin would at their IdP;
//  - the SSO endpoint GET /sso (HTTP-Redirect AuthnRequest) answering with a login page, where the test names the
//    person (nameId, email, name, authnContext) and, for the refusal cases, how this one response misbehaves (attack):
//      foreign-key      signed with a key that is not in the metadata (same entity id)
//      audience         the assertion is for another service provider
//      expired          the assertion's and the confirmation's NotOnOrAfter lie in the past
//      tamper           the e-mail attribute is changed after signing
//      unsolicited      no InResponseTo (an IdP-initiated response)
//      unknown-request  an InResponseTo no request of Kastell's had
//    and then with the HTTP-POST binding's auto-submitting form to the SP's ACS (the test posts it to Kastell).
// Keys are made with openssl at start (test keys, never stored). samlify's schema validation is left out: it checks
// the requests of the SP under test, which the test IdP has no reason to distrust; Kastell validates the responses.
// Usage: node idp.mjs --port N
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as samlify from 'samlify';

const { values } = parseArgs({ options: { port: { type: 'string' } } });
const port = Number(values.port);
const base = `http://127.0.0.1:${port}`;
const entityId = `${base}/metadata`;

samlify.setSchemaValidator({ validate: async () => 'skipped' });

function makeKeyPair(commonName) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kastell-saml-idp-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${commonName}`], { stdio: 'ignore' });
    return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const pinned = makeKeyPair('kastell-test-idp');
const foreign = makeKeyPair('kastell-test-attacker');

function identityProvider(keys) {
  return samlify.IdentityProvider({
    entityID: entityId,
    privateKey: keys.key,
    signingCert: keys.cert,
    wantAuthnRequestsSigned: false,
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
    singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${base}/sso` }],
  });
}

const idp = identityProvider(pinned);
const attacker = identityProvider(foreign);
const serviceProviders = new Map();
const pending = new Map();

const escape = (value) => String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const id = () => '_' + crypto.randomBytes(16).toString('hex');
const instant = (date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

// The AuthnRequest of the HTTP-Redirect binding: base64 of raw DEFLATE.
function readRequest(samlRequest) {
  const xml = zlib.inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
  const attribute = (name) => (xml.match(new RegExp(`\\s${name}="([^"]*)"`)) || [])[1];
  const issuer = (xml.match(/<(?:\w+:)?Issuer[^>]*>([^<]*)</) || [])[1];
  return { id: attribute('ID'), acs: attribute('AssertionConsumerServiceURL'), issuer };
}

function responseXml(request, sp, login, attack) {
  const now = new Date();
  const expired = attack === 'expired';
  const notBefore = new Date(now.getTime() - (expired ? 20 : 1) * 60000);
  const notOnOrAfter = new Date(now.getTime() + (expired ? -10 : 5) * 60000);
  const audience = attack === 'audience' ? 'https://another-sp.example/saml' : sp.entityMeta.getEntityID();
  const acs = sp.entityMeta.getAssertionConsumerService('post');
  const inResponseTo = attack === 'unsolicited' ? '' : attack === 'unknown-request' ? id() : request.id;
  const answers = inResponseTo ? ` InResponseTo="${escape(inResponseTo)}"` : '';
  const issued = instant(expired ? notBefore : now);
  const attributes = [['email', login.email], ['displayName', login.name]]
    .filter(([, value]) => value)
    .map(([name, value]) => `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"><saml:AttributeValue xsi:type="xs:string">${escape(value)}</saml:AttributeValue></saml:Attribute>`)
    .join('');
  const context = login.authnContext || 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
  return '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"'
    + ` ID="${id()}" Version="2.0" IssueInstant="${issued}" Destination="${escape(acs)}"${answers}>`
    + `<saml:Issuer>${escape(entityId)}</saml:Issuer>`
    + '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
    + '<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema"'
    + ` ID="${id()}" Version="2.0" IssueInstant="${issued}">`
    + `<saml:Issuer>${escape(entityId)}</saml:Issuer>`
    + `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${escape(login.nameId)}</saml:NameID>`
    + `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${instant(notOnOrAfter)}" Recipient="${escape(acs)}"${answers}/></saml:SubjectConfirmation></saml:Subject>`
    + `<saml:Conditions NotBefore="${instant(notBefore)}" NotOnOrAfter="${instant(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${escape(audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`
    + `<saml:AuthnStatement AuthnInstant="${issued}" SessionIndex="${id()}"><saml:AuthnContext><saml:AuthnContextClassRef>${escape(context)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
    + (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '')
    + '</saml:Assertion></samlp:Response>';
}

async function createResponse(request, sp, login, attack) {
  const xml = responseXml(request, sp, login, attack);
  const signer = attack === 'foreign-key' ? attacker : idp;
  const { context } = await signer.createLoginResponse(sp, { extract: { request: { id: request.id } } }, 'post', { email: login.email }, {
    customTagReplacement: () => ({ id: request.id, context: xml }),
  });
  if (attack !== 'tamper') {
    return context;
  }

  // Changed after signing: the e-mail attribute now names someone else.
  const signed = Buffer.from(context, 'base64').toString('utf8');
  const tampered = signed.replace(`>${escape(login.email)}</saml:AttributeValue>`, `>${escape(login.tamperedEmail || 'someone-else@tampered.example')}</saml:AttributeValue>`);
  if (tampered === signed) {
    throw new Error('nothing to tamper with');
  }
  return Buffer.from(tampered, 'utf8').toString('base64');
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, base);
    if (req.method === 'GET' && url.pathname === '/metadata') {
      return send(res, 200, 'application/samlmetadata+xml', idp.getMetadata());
    }

    if (req.method === 'POST' && url.pathname === '/_test/sp') {
      const metadata = await readBody(req);
      const sp = samlify.ServiceProvider({ metadata });
      serviceProviders.set(sp.entityMeta.getEntityID(), sp);
      return send(res, 204, 'text/plain', '');
    }

    if (req.method === 'GET' && url.pathname === '/sso') {
      const request = readRequest(url.searchParams.get('SAMLRequest') || '');
      const sp = serviceProviders.get(request.issuer);
      if (!request.id || !sp) {
        return send(res, 400, 'text/plain', `unknown service provider ${request.issuer}`);
      }
      const uid = crypto.randomBytes(8).toString('hex');
      pending.set(uid, { request, sp, relayState: url.searchParams.get('RelayState') });
      return send(res, 200, 'text/html', `<!doctype html><title>Sign in</title><form method="post" action="/login/${uid}"><input name="nameId"><input name="email"><input name="name"><input name="authnContext"><input name="attack"><button>Sign in</button></form>`);
    }

    const login = url.pathname.match(/^\/login\/([0-9a-f]+)$/);
    if (req.method === 'POST' && login && pending.has(login[1])) {
      const { request, sp, relayState } = pending.get(login[1]);
      pending.delete(login[1]);
      const fields = new URLSearchParams(await readBody(req));
      const person = Object.fromEntries(['nameId', 'email', 'name', 'authnContext', 'tamperedEmail'].map((k) => [k, fields.get(k) || '']));
      const response = await createResponse(request, sp, person, fields.get('attack') || 'none');
      const acs = sp.entityMeta.getAssertionConsumerService('post');
      const relay = relayState ? `<input type="hidden" name="RelayState" value="${escape(relayState)}">` : '';
      return send(res, 200, 'text/html', `<!doctype html><body onload="document.forms[0].submit()"><form method="post" action="${escape(acs)}"><input type="hidden" name="SAMLResponse" value="${response}">${relay}<noscript><button>Continue</button></noscript></form></body>`);
    }

    send(res, 404, 'text/plain', 'not found');
  } catch (error) {
    send(res, 500, 'text/plain', String(error && error.stack || error));
  }
});

server.listen(port, '127.0.0.1');
