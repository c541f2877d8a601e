import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';

/** A public key as published at /.well-known/jwks.json. */
export type Jwk = JsonWebKey & { kid?: string; alg?: string; use?: string };

/** A public key that verifies access tokens, named by its RFC 7638 thumbprint. */
export interface VerificationKey {
  kid: string;
  key: KeyObject;
  /** The public JWK as published at /.well-known/jwks.json. */
  jwk: Jwk;
}

/** Splits a PEM bundle (keys pasted one after another) into public keys. */
export function parsePublicKeys(bundle: string | undefined): KeyObject[] {
  if (!bundle) return [];
  const blocks =
    bundle.replace(/\\n/g, '\n').match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ??
    [];
  return blocks.map((pem) => createPublicKey(pem));
}

// node:crypto reads every PEM flavour (PKCS#8, PKCS#1, SEC1, SPKI, certificates).
export function parsePrivateKey(pem: string): KeyObject {
  return createPrivateKey(pem.replace(/\\n/g, '\n'));
}

/** RFC 7638: the key type's required members in lexicographic order, no whitespace, SHA-256, base64url. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const required: Record<string, string[]> = {
    RSA: ['e', 'kty', 'n'],
    EC: ['crv', 'kty', 'x', 'y'],
    OKP: ['crv', 'kty', 'x'],
  };
  const names = required[jwk.kty ?? ''];
  if (!names) throw new Error(`no RFC 7638 thumbprint for key type ${jwk.kty}`);
  const members = Object.fromEntries(names.map((name) => [name, jwk[name as keyof JsonWebKey]]));
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/**
 * A public key read once, at start: its JWK (node:crypto's export) and its kid, the RFC 7638
 * thumbprint, so no key name has to be configured or kept in sync.
 */
export function verificationKey(key: KeyObject): VerificationKey {
  const jwk = key.export({ format: 'jwk' });
  return { kid: jwkThumbprint(jwk), jwk, key };
}

/**
 * The HS256 key as a KeyObject, made once: jsonwebtoken handed a string secret first tries it as
 * a PEM public key and costs ~40x more per verify (docs/security.md "Access tokens and secrets per service").
 */
export function hmacKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** The JWKS document for a set of public keys. */
export function toJwks(keys: VerificationKey[], alg: string): { keys: Jwk[] } {
  return { keys: keys.map(({ kid, jwk }) => ({ ...jwk, kid, alg, use: 'sig' })) };
}
