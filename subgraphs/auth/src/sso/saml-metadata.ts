import { X509Certificate } from 'node:crypto';
import { badInput } from '@bastion/platform';

import { DOMParser, type XmlDomDocument } from './xml-dom';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** IdP metadata is a few kilobytes; anything near this is not metadata. */
export const MAX_METADATA_BYTES = 512 * 1024;

/** What a SAML connection needs from its IdP. */
export interface SamlIdpSettings {
  entityId: string;
  ssoUrl: string;
  /** PEM, one per signing key the metadata lists. */
  certificates: string[];
}

/**
 * Reads an IdP's metadata (an EntityDescriptor, or the first IdP in an EntitiesDescriptor): its
 * entityID, the SingleSignOnService location (HTTP-Redirect preferred, as AuthnRequests go over it,
 * else HTTP-POST) and its signing certificates. The metadata's own signature is not checked: the
 * ADMIN who pastes it vouches for it, as for certificates typed in. xmldom resolves no external
 * entities, so the document cannot reach files or the network.
 */
export function parseIdpMetadata(xml: string): SamlIdpSettings {
  if (Buffer.byteLength(xml) > MAX_METADATA_BYTES) throw invalid('The metadata is too large.');
  const errors: string[] = [];
  let document: XmlDomDocument | null;
  try {
    document = new DOMParser({
      errorHandler: {
        error: (message) => errors.push(message),
        fatalError: (message) => errors.push(message),
      },
    }).parseFromString(xml, 'text/xml');
  } catch {
    document = null;
  }
  if (errors.length > 0 || !document?.documentElement)
    throw invalid('The metadata is not well-formed XML.');
  const descriptor = Array.from(document.getElementsByTagNameNS(MD, 'EntityDescriptor')).find(
    (entity) => entity.getElementsByTagNameNS(MD, 'IDPSSODescriptor').length > 0,
  );
  if (!descriptor) throw invalid('The metadata describes no identity provider (IDPSSODescriptor).');
  const entityId = descriptor.getAttribute('entityID')?.trim();
  if (!entityId) throw invalid('The EntityDescriptor has no entityID.');
  const idp = descriptor.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  const services = Array.from(idp.getElementsByTagNameNS(MD, 'SingleSignOnService'));
  const service =
    services.find((s) => s.getAttribute('Binding') === REDIRECT) ??
    services.find((s) => s.getAttribute('Binding') === POST);
  const ssoUrl = service?.getAttribute('Location')?.trim();
  if (!ssoUrl) throw invalid('The IdP lists no HTTP-Redirect or HTTP-POST SingleSignOnService.');
  const certificates = Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))
    // A KeyDescriptor without `use` serves both signing and encryption.
    .filter((key) => (key.getAttribute('use') ?? 'signing') === 'signing')
    .flatMap((key) => Array.from(key.getElementsByTagNameNS(DS, 'X509Certificate')))
    .map((cert) => toPem(cert.textContent ?? ''));
  if (certificates.length === 0) throw invalid('The IdP lists no signing certificate.');
  return { entityId, ssoUrl, certificates: [...new Set(certificates)] };
}

/**
 * A certificate as PEM, from PEM or bare base64 DER (as metadata and IdP consoles show it).
 * BAD_USER_INPUT when it is no X.509 certificate.
 */
export function toPem(input: string): string {
  const body = input.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  try {
    if (!/^[A-Za-z0-9+/]+=*$/.test(body)) throw new Error('not base64');
    const certificate = new X509Certificate(Buffer.from(body, 'base64'));
    return certificate.toString().trim();
  } catch {
    throw badInput({
      samlCertificates: 'A certificate is not an X.509 certificate (PEM or base64).',
    });
  }
}

function invalid(message: string) {
  return badInput({ samlMetadataXml: message });
}
