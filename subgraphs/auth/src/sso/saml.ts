import { randomBytes } from 'node:crypto';
import { DOMParser, type XmlDomDocument, type XmlDomElement } from './xml-dom';
import {
  SAML,
  SamlStatusError,
  ValidateInResponseTo,
  type CacheProvider,
  type Profile,
} from '@node-saml/node-saml';
import { samlAmr } from './amr';
import { SsoFailure, type SsoFailureReason } from './failure';
import type { SsoIdentity } from './identity';

/** What the SAML adapter needs of a connection (sso_connections, kind SAML). */
export interface SamlConnectionSettings {
  id: string;
  organizationId: string;
  /** The IdP's entity id: the Issuer every response must carry. */
  idpEntityId: string;
  /** Where the AuthnRequest goes (HTTP-Redirect binding). */
  ssoUrl: string;
  /** PEM certificates; several while the IdP rotates its key. */
  certificates: string[];
  /** Responses without InResponseTo are accepted only when this is on (off by default). */
  idpInitiated: boolean;
  /** Attribute names; null: the e-mail is the NameID, and no name or groups. */
  emailAttribute: string | null;
  nameAttribute: string | null;
  groupsAttribute: string | null;
}

/** The sign-in request a response must answer (sso_requests). */
export interface SamlPendingRequest {
  /** The AuthnRequest's ID, null for a response that arrived without a known request. */
  samlRequestId: string | null;
  createdAt: Date;
}

/** Assertion ids already consumed (sso_assertions): a replayed response finds its id there. */
export interface AssertionReplayStore {
  /** Records the id; false when it was already recorded for this connection. */
  remember(connectionId: string, assertionId: string, expiresAt: Date): Promise<boolean>;
}

export interface SamlServiceProviderOptions {
  /** The gateway's public origin as browsers and IdPs reach it, e.g. https://api.example.com. */
  publicOrigin: () => string;
  /** Clock skew tolerated on NotBefore / NotOnOrAfter. */
  clockSkewMs?: number;
  /** How long an AuthnRequest may wait for its response (the sso_requests lifetime). */
  requestTtlMs?: number;
}

/** 60 s: IdPs and Bastion run NTP; more would stretch every assertion's life. */
export const SAML_CLOCK_SKEW_MS = 60_000;
/** An assertion without NotOnOrAfter is remembered this long against replay. */
const DEFAULT_ASSERTION_LIFETIME_MS = 60 * 60 * 1000;
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const ACS_PATH = '/sso/saml/acs';
export const METADATA_PATH = '/sso/saml/metadata';

/** A fresh AuthnRequest ID (an xsd:ID: must not start with a digit). */
export const newSamlRequestId = () => `_${randomBytes(20).toString('hex')}`;

/**
 * Bastion as a SAML 2.0 service provider, one SP per connection (its own entity id, so one IdP
 * may serve several organizations without their assertions being interchangeable). Responses are
 * validated by @node-saml/node-saml, then by what it leaves to the caller: issuer, bearer
 * recipient, destination and the assertion id against replay.
 */
export class SamlServiceProvider {
  constructor(
    private readonly options: SamlServiceProviderOptions,
    private readonly replay: AssertionReplayStore,
  ) {}

  /** The SP entity id of a connection: its metadata URL (the usual convention). */
  entityId(connectionId: string): string {
    return `${this.origin()}${METADATA_PATH}?connection=${encodeURIComponent(connectionId)}`;
  }

  acsUrl(): string {
    return `${this.origin()}${ACS_PATH}`;
  }

  /** The IdP URL with a deflated AuthnRequest whose ID is `samlRequestId`; RelayState = the request id. */
  async authorizationUrl(
    connection: SamlConnectionSettings,
    request: { id: string; samlRequestId: string },
  ): Promise<string> {
    const saml = this.saml(connection, { samlRequestId: null, createdAt: new Date() }, () => {
      return request.samlRequestId;
    });
    return saml.getAuthorizeUrlAsync(request.id, undefined, {});
  }

  /** SP metadata for the IdP's administrator: entity id, ACS (HTTP-POST), signed assertions wanted. */
  metadata(connection: SamlConnectionSettings): string {
    return this.saml(connection, { samlRequestId: null, createdAt: new Date() })
      .generateServiceProviderMetadata(null, null)
      .toString();
  }

  /** Validates a base64 SAMLResponse answering `request`; a refusal is an SsoFailure with its reason. */
  async identity(
    connection: SamlConnectionSettings,
    request: SamlPendingRequest,
    samlResponse: string,
  ): Promise<SsoIdentity> {
    const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
    const document = parseResponse(xml);
    let profile: Profile | null;
    try {
      ({ profile } = await this.saml(connection, request).validatePostResponseAsync({
        SAMLResponse: samlResponse,
      }));
    } catch (error) {
      throw classify(error, document);
    }
    if (!profile) throw new SsoFailure('SAML_RESPONSE_MALFORMED', 'The response has no assertion.');
    this.checkIssuer(connection, profile);
    this.checkDestination(document);
    const assertion = assertionOf(profile);
    this.checkRecipient(assertion);
    await this.checkReplay(connection, assertion);
    return identityOf(connection, profile, assertion);
  }

  private origin(): string {
    return this.options.publicOrigin().replace(/\/+$/, '');
  }

  private saml(
    connection: SamlConnectionSettings,
    request: SamlPendingRequest,
    generateUniqueId?: () => string,
  ): SAML {
    const entityId = this.entityId(connection.id);
    return new SAML({
      issuer: entityId,
      audience: entityId,
      callbackUrl: this.acsUrl(),
      entryPoint: connection.ssoUrl,
      idpCert: connection.certificates,
      // Both false means "the response or the assertion signed, at least one": node-saml checks
      // the assertion's own signature whenever the response carries no valid one.
      wantAuthnResponseSigned: false,
      wantAssertionsSigned: false,
      acceptedClockSkewMs: this.options.clockSkewMs ?? SAML_CLOCK_SKEW_MS,
      validateInResponseTo: connection.idpInitiated
        ? ValidateInResponseTo.ifPresent
        : ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: this.options.requestTtlMs ?? 10 * 60 * 1000,
      cacheProvider: pendingRequestCache(request),
      // Leave the authentication method to the IdP: asking for PasswordProtectedTransport
      // (node-saml's default) makes some IdPs refuse or downgrade an MFA sign-in.
      disableRequestedAuthnContext: true,
      identifierFormat: null,
      ...(generateUniqueId ? { generateUniqueId } : {}),
    });
  }

  private checkIssuer(connection: SamlConnectionSettings, profile: Profile): void {
    if (profile.issuer !== connection.idpEntityId)
      throw new SsoFailure(
        'SAML_ISSUER_MISMATCH',
        `The assertion's issuer is not the connection's IdP (${connection.idpEntityId}).`,
      );
  }

  /** The Response's Destination, when present, must be this ACS (SAML bindings 3.5.5.2). */
  private checkDestination(document: XmlDomDocument): void {
    const destination = document.documentElement.getAttribute('Destination');
    if (destination && destination !== this.acsUrl())
      throw new SsoFailure(
        'SAML_DESTINATION_MISMATCH',
        'The response was sent to another destination.',
      );
  }

  /** The signed assertion's bearer confirmation must name this ACS (SAML profiles 4.1.4.3). */
  private checkRecipient(assertion: XmlNode): void {
    const confirmations = children(children(assertion, 'Subject')[0], 'SubjectConfirmation');
    const bearer = confirmations.filter((c) => c.$?.Method === BEARER);
    const recipients = bearer.map((c) => children(c, 'SubjectConfirmationData')[0]?.$?.Recipient);
    if (!recipients.includes(this.acsUrl()))
      throw new SsoFailure(
        'SAML_RECIPIENT_MISMATCH',
        'The assertion is meant for another recipient.',
      );
  }

  private async checkReplay(connection: SamlConnectionSettings, assertion: XmlNode) {
    const id = assertion.$?.ID;
    if (!id) throw new SsoFailure('SAML_RESPONSE_MALFORMED', 'The assertion has no ID.');
    const notOnOrAfter = children(assertion, 'Conditions')[0]?.$?.NotOnOrAfter;
    const expiresAt = notOnOrAfter
      ? new Date(Date.parse(notOnOrAfter) + (this.options.clockSkewMs ?? SAML_CLOCK_SKEW_MS))
      : new Date(Date.now() + DEFAULT_ASSERTION_LIFETIME_MS);
    if (!(await this.replay.remember(connection.id, id, expiresAt)))
      throw new SsoFailure('SAML_REPLAYED', 'This assertion was already used.');
  }
}

/**
 * node-saml's InResponseTo store, for one validation: it knows only the request this response's
 * RelayState named, so a response to any other AuthnRequest (or to none) is refused. The request
 * row itself is consumed once by the caller, which makes removal here unnecessary.
 */
function pendingRequestCache(request: SamlPendingRequest): CacheProvider {
  return {
    saveAsync: async (_key, value) => ({ value, createdAt: Date.now() }),
    getAsync: async (key) =>
      request.samlRequestId !== null && key === request.samlRequestId
        ? request.createdAt.toISOString()
        : null,
    removeAsync: async () => null,
  };
}

/**
 * The Issuer a response claims, unverified: only to find which connection's certificates to check
 * an IdP-initiated response with (the signature and audience checks then decide).
 */
export function claimedIssuer(samlResponse: string): string | null {
  let document: XmlDomDocument;
  try {
    document = parseResponse(Buffer.from(samlResponse, 'base64').toString('utf8'));
  } catch {
    return null;
  }
  const issuer = Array.from(document.documentElement.childNodes).find(
    (node) => (node as XmlDomElement).localName === 'Issuer',
  );
  return issuer?.textContent?.trim() || null;
}

function parseResponse(xml: string): XmlDomDocument {
  let document: XmlDomDocument | undefined;
  try {
    document = new DOMParser({
      errorHandler: {
        error: (message: string) => {
          throw new Error(message);
        },
        fatalError: (message: string) => {
          throw new Error(message);
        },
      },
    }).parseFromString(xml, 'text/xml');
  } catch {
    document = undefined;
  }
  if (!document?.documentElement || document.documentElement.localName !== 'Response')
    throw new SsoFailure('SAML_RESPONSE_MALFORMED', 'SAMLResponse is not a SAML response.');
  // SAML messages carry no DTD (SAML core 1.3): none is parsed, so no entity is ever expanded.
  if (document.doctype)
    throw new SsoFailure('SAML_RESPONSE_MALFORMED', 'A SAML response may not have a DOCTYPE.');
  return document;
}

/** node-saml's refusals are plain Errors: their messages, mapped to reasons. */
const REFUSALS: Array<[RegExp, SsoFailureReason]> = [
  [/InResponseTo is missing/, 'SAML_UNSOLICITED'],
  [/InResponseTo/, 'SAML_IN_RESPONSE_TO_MISMATCH'],
  [/not yet valid/, 'SAML_NOT_YET_VALID'],
  [/expired/, 'SAML_EXPIRED'],
  [/audience|AudienceRestriction/i, 'SAML_AUDIENCE_MISMATCH'],
  [/signature|Cannot obtain assertion/i, 'SAML_SIGNATURE_INVALID'],
];

function classify(error: unknown, document: XmlDomDocument): SsoFailure {
  if (error instanceof SsoFailure) return error;
  if (error instanceof SamlStatusError)
    return new SsoFailure('SAML_IDP_ERROR', 'The identity provider refused the sign-in.');
  const message = error instanceof Error ? error.message : String(error);
  // A response whose subject confirmations are all out of their time window.
  if (/No valid subject confirmation/.test(message)) return timeFailure(document);
  const found = REFUSALS.find(([pattern]) => pattern.test(message));
  if (found?.[1] === 'SAML_SIGNATURE_INVALID' && !hasSignature(document))
    return new SsoFailure('SAML_UNSIGNED', 'Neither the response nor the assertion is signed.');
  if (found) return new SsoFailure(found[1], message);
  return new SsoFailure('SAML_RESPONSE_MALFORMED', message);
}

/**
 * Expired or not yet valid, read from the (refused, so unverified) assertion's conditions: only
 * the reason's name depends on it, never the decision.
 */
function timeFailure(document: XmlDomDocument): SsoFailure {
  const conditions = document.getElementsByTagNameNS('*', 'Conditions')[0];
  const notBefore = Date.parse(conditions?.getAttribute('NotBefore') ?? '');
  return notBefore > Date.now()
    ? new SsoFailure('SAML_NOT_YET_VALID', 'The assertion is not yet valid.')
    : new SsoFailure('SAML_EXPIRED', 'The assertion has expired.');
}

function hasSignature(document: XmlDomDocument): boolean {
  return (
    document.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature').length > 0
  );
}

/** xml2js's shape of the verified assertion (node-saml's getAssertion()). */
interface XmlNode {
  $?: Record<string, string>;
  _?: string;
  [child: string]: XmlNode[] | Record<string, string> | string | undefined;
}

function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const found = node?.[name];
  return Array.isArray(found) ? found : [];
}

function assertionOf(profile: Profile): XmlNode {
  const parsed = profile.getAssertion?.() as { Assertion?: XmlNode } | undefined;
  if (!parsed?.Assertion)
    throw new SsoFailure('SAML_RESPONSE_MALFORMED', 'The response has no assertion.');
  return parsed.Assertion;
}

function attributeValues(profile: Profile, name: string | null): string[] {
  if (!name) return [];
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const value = attributes[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string' && v.trim() !== '');
}

/** The SsoIdentity of a verified assertion: e-mail from its attribute or the NameID, lower-cased. */
function identityOf(
  connection: SamlConnectionSettings,
  profile: Profile,
  assertion: XmlNode,
): SsoIdentity {
  const subject = profile.nameID;
  const email = (attributeValues(profile, connection.emailAttribute)[0] ?? subject ?? '')
    .trim()
    .toLowerCase();
  if (!subject || !EMAIL.test(email))
    throw new SsoFailure('SSO_EMAIL_MISSING', 'The assertion carries no e-mail address.');
  const classRefs = children(assertion, 'AuthnStatement').flatMap((statement) =>
    children(children(statement, 'AuthnContext')[0], 'AuthnContextClassRef').map((r) =>
      typeof r === 'string' ? r : (r._ ?? ''),
    ),
  );
  const methods = attributeValues(
    profile,
    'http://schemas.microsoft.com/claims/authnmethodsreferences',
  );
  return {
    connectionId: connection.id,
    organizationId: connection.organizationId,
    subject,
    email,
    name: attributeValues(profile, connection.nameAttribute)[0] ?? null,
    groups: attributeValues(profile, connection.groupsAttribute),
    amr: samlAmr([...classRefs, ...methods]),
  };
}
