import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

export interface VerificationKey {
  kid: string;
  key: KeyObject;
}

/** RFC 7638 thumbprint: a key id derived from the key itself, so no name has to be configured or kept in sync. */
export function jwkThumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as JsonWebKey;
  const members =
    jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : jwk.kty === 'OKP' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** Splits a PEM bundle (keys pasted one after another) into public keys. */
export function parsePublicKeys(bundle: string | undefined): KeyObject[] {
  if (!bundle) return [];
  const blocks = bundle.replace(/\\n/g, '\n').match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
  return blocks.map((pem) => createPublicKey(pem));
}

export function parsePrivateKey(pem: string): KeyObject {
  return createPrivateKey(pem.replace(/\\n/g, '\n'));
}

/** The JWKS document for a set of public keys. */
export function toJwks(keys: VerificationKey[], alg: string): { keys: JsonWebKey[] } {
  return { keys: keys.map(({ kid, key }) => ({ ...(key.export({ format: 'jwk' }) as JsonWebKey), kid, alg, use: 'sig' })) };
}
