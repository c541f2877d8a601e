import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
export type Jwk = import('jose', { with: { 'resolution-mode': 'import' } }).JWK;
export type JoseKey = import('jose', { with: { 'resolution-mode': 'import' } }).CryptoKey;

// jose is ESM-only: loaded with import() (require(esm) in the built services, compiled by jest in
// tests), once per process.
let library: Promise<Jose> | undefined;
export const loadJose = (): Promise<Jose> => (library ??= import('jose'));

/** A public key that verifies access tokens, named by its RFC 7638 thumbprint. */
export interface VerificationKey {
  kid: string;
  key: JoseKey;
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

// node:crypto reads every PEM flavour (PKCS#8, PKCS#1, SPKI, certificates); jose's importers take fewer.
export function parsePrivateKey(pem: string): KeyObject {
  return createPrivateKey(pem.replace(/\\n/g, '\n'));
}

/**
 * Imports a public key once, at start: its JWK (jose's exportJWK), its kid (jose's RFC 7638
 * thumbprint, so no key name has to be configured or kept in sync) and a CryptoKey for jwtVerify.
 */
export async function importVerificationKey(key: KeyObject, alg: string): Promise<VerificationKey> {
  const { calculateJwkThumbprint, exportJWK, importJWK } = await loadJose();
  const jwk = await exportJWK(key);
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { kid, jwk, key: (await importJWK(jwk, alg)) as JoseKey };
}

/** The signing key as a CryptoKey, with the kid of its public half. */
export async function importSigningKey(
  pem: string,
  alg: string,
): Promise<{ key: JoseKey; kid: string }> {
  const { exportJWK, importJWK } = await loadJose();
  const privateKey = parsePrivateKey(pem);
  const { kid } = await importVerificationKey(createPublicKey(privateKey), alg);
  return { kid, key: (await importJWK(await exportJWK(privateKey), alg)) as JoseKey };
}

// An HMAC CryptoKey imported once: jose then signs and verifies without re-importing the secret
// per token (measured ~4x faster than handing it a KeyObject or bytes each time).
export async function importHmacKey(secret: string): Promise<JoseKey> {
  return webcrypto.subtle.importKey(
    'raw',
    Buffer.from(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  ) as Promise<JoseKey>;
}

/** The JWKS document for a set of public keys. */
export function toJwks(keys: VerificationKey[], alg: string): { keys: Jwk[] } {
  return { keys: keys.map(({ kid, jwk }) => ({ ...jwk, kid, alg, use: 'sig' })) };
}
