import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { DOMParser, XMLSerializer, type XmlDomDocument } from '../src/sso/xml-dom';
// samlp 8.0.0 has no types: the two entry points the tests use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const samlp = require('samlp') as {
  auth(
    options: Record<string, unknown>,
  ): (req: unknown, res: unknown, next: (e?: unknown) => void) => void;
  getSamlResponse(
    options: Record<string, unknown>,
    user: unknown,
    callback: (error: Error | null, response?: string) => void,
  ): void;
};

/** TEST MATERIAL ONLY: a throw-away RSA key and self-signed certificate, made by openssl per run. */
export interface TestKeyPair {
  key: string;
  cert: string;
}

/** node:crypto parses X.509 but cannot issue a certificate: openssl makes the self-signed one. */
export function makeTestKeyPair(commonName = 'bastion-test-idp'): TestKeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'saml-idp-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '1',
        '-subj',
        `/CN=${commonName}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SamlTestUser {
  nameId: string;
  email?: string;
  name?: string;
  groups?: string[];
}

/** How the IdP answers the next sign-in: a correct answer unless a test says otherwise. */
export interface SamlAnswer {
  user: SamlTestUser;
  signResponse?: boolean;
  signAssertion?: boolean;
  /** Sign with this key instead of the IdP's own (the certificate the SP trusts stays the same). */
  keyPair?: TestKeyPair;
  audience?: string;
  recipient?: string;
  destination?: string;
  authnContextClassRef?: string;
  issuer?: string;
}

export interface SamlPost {
  SAMLResponse: string;
  RelayState: string;
  /** Where the IdP's form posts: the AssertionConsumerServiceURL of the request. */
  acsUrl: string;
}

export interface TestSamlIdp {
  entityId: string;
  ssoUrl: string;
  cert: string;
  keyPair: TestKeyPair;
  /** Plays the browser at the IdP: follows the SP's redirect URL, signs in, returns the form the browser would post. */
  signIn(authorizationUrl: string, answer: SamlAnswer): Promise<SamlPost>;
  /** An IdP-initiated response (no AuthnRequest, so no InResponseTo). */
  unsolicited(answer: SamlAnswer & { acsUrl: string; audience: string }): Promise<string>;
  stop(): Promise<void>;
}

const EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
const NAME_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';
const GROUPS_CLAIM = 'http://schemas.xmlsoap.org/claims/Group';
export const SAML_ATTRIBUTES = { email: EMAIL_CLAIM, name: NAME_CLAIM, groups: GROUPS_CLAIM };
export const PASSWORD_CONTEXT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
export const MFA_CONTEXT = 'http://schemas.microsoft.com/claims/multipleauthn';

function profileMapper(user: SamlTestUser) {
  return {
    getClaims: () => ({
      ...(user.email ? { [EMAIL_CLAIM]: user.email } : {}),
      ...(user.name ? { [NAME_CLAIM]: user.name } : {}),
      ...(user.groups ? { [GROUPS_CLAIM]: user.groups } : {}),
    }),
    getNameIdentifier: () => ({
      nameIdentifier: user.nameId,
      nameIdentifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    }),
  };
}

function samlOptions(idp: { entityId: string; keyPair: TestKeyPair }, answer: SamlAnswer) {
  const keyPair = answer.keyPair ?? idp.keyPair;
  return {
    issuer: answer.issuer ?? idp.entityId,
    key: keyPair.key,
    cert: keyPair.cert,
    profileMapper,
    signResponse: answer.signResponse ?? false,
    signAssertion: answer.signAssertion ?? true,
    authnContextClassRef: answer.authnContextClassRef ?? PASSWORD_CONTEXT,
    lifetimeInSeconds: 300,
    ...(answer.audience ? { audience: answer.audience } : {}),
  };
}

/**
 * A real SAML 2.0 IdP (samlp 8.0.0) on 127.0.0.1, in the test process, without express: GET
 * /sso takes the HTTP-Redirect AuthnRequest and answers with the SAMLResponse the browser would
 * post. Responses are signed with a key pair made for the run (see makeTestKeyPair).
 */
export async function startSamlIdp(keyPair = makeTestKeyPair()): Promise<TestSamlIdp> {
  let next: SamlAnswer | null = null;
  let lastPost: SamlPost | null = null;
  const server: Server = createServer((req, res) => handle(req, res));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  const entityId = `http://127.0.0.1:${port}/metadata`;
  const idp = { entityId, keyPair };

  function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const answer = next;
    if (url.pathname !== '/sso' || !answer) {
      res.writeHead(404).end();
      return;
    }
    // The SP's ACS (from its AuthnRequest) is where recipient and destination point unless a test says otherwise.
    const acsUrl = requestedAcs(url.searchParams.get('SAMLRequest') ?? '');
    const fail = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'text/plain' }).end(String(body ?? ''));
    };
    const expressLike = Object.assign(req, { query: Object.fromEntries(url.searchParams) });
    const response = Object.assign(res, { send: fail, set: () => undefined });
    samlp.auth({
      ...samlOptions(idp, answer),
      getUserFromRequest: () => answer.user,
      getPostURL: (
        _audience: string,
        request: XmlDomDocument,
        _req: unknown,
        done: (e: Error | null, url?: string) => void,
      ) => done(null, request.documentElement.getAttribute('AssertionConsumerServiceURL') ?? ''),
      recipient: answer.recipient ?? acsUrl,
      destination: answer.destination ?? acsUrl,
      responseHandler: (
        saml: Buffer,
        options: { postUrl: string; RelayState?: string; recipient?: string },
        _req: unknown,
        out: ServerResponse,
      ) => {
        lastPost = {
          SAMLResponse: saml.toString('base64'),
          RelayState: url.searchParams.get('RelayState') ?? '',
          acsUrl: options.postUrl,
        };
        out.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(lastPost));
      },
    })(expressLike, response, (error) => fail(500, error));
  }

  return {
    entityId,
    ssoUrl: `http://127.0.0.1:${port}/sso`,
    cert: keyPair.cert,
    keyPair,
    async signIn(authorizationUrl, answer) {
      const url = new URL(authorizationUrl);
      if (!url.searchParams.get('SAMLRequest')) throw new Error('no SAMLRequest in the URL');
      next = answer;
      try {
        const response = await fetch(url);
        if (!response.ok)
          throw new Error(`IdP answered ${response.status}: ${await response.text()}`);
        const post = (await response.json()) as SamlPost;
        return post;
      } finally {
        next = null;
      }
    },
    unsolicited: (answer) =>
      new Promise((done, reject) =>
        samlp.getSamlResponse(
          {
            ...samlOptions(idp, answer),
            recipient: answer.recipient ?? answer.acsUrl,
            destination: answer.destination ?? answer.acsUrl,
          },
          answer.user,
          (error, xml) =>
            error ? reject(error) : done(Buffer.from(xml!, 'utf8').toString('base64')),
        ),
      ),
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function requestedAcs(samlRequest: string): string {
  const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
  const request = new DOMParser().parseFromString(xml, 'text/xml');
  return request.documentElement?.getAttribute('AssertionConsumerServiceURL') ?? '';
}

/** Base64 SAMLResponse <-> DOM, for the hand-built attacks. */
export function decodeResponse(samlResponse: string): XmlDomDocument {
  return new DOMParser().parseFromString(
    Buffer.from(samlResponse, 'base64').toString('utf8'),
    'text/xml',
  );
}

export function encodeResponse(document: XmlDomDocument): string {
  return Buffer.from(new XMLSerializer().serializeToString(document), 'utf8').toString('base64');
}
