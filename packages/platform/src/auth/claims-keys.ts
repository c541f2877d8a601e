import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { SUBGRAPH_NAMES } from '../registry/subgraphs';

/**
 * Forwarded claims are signed with one key per receiving subgraph, so a subgraph that leaks its
 * key (or is taken over) can mint claims for itself only: auth, credits and the others refuse them.
 * The gateway holds INTERNAL_CLAIMS_SECRET and derives each subgraph's key from it; a subgraph's
 * process holds only its own, `<NAME>_CLAIMS_KEY` (docs/security.md "Forwarded claims: one key per subgraph").
 */

/** The setting holding one subgraph's claims key in that subgraph's own process, e.g. AUTH_CLAIMS_KEY. */
export function claimsKeyVar(subgraph: string): string {
  return `${subgraph.toUpperCase()}_CLAIMS_KEY`;
}

/** A subgraph's claims key as text: 32 bytes, base64url, 43 characters. */
export const CLAIMS_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A subgraph's claims key, derived from the gateway's INTERNAL_CLAIMS_SECRET: HKDF-SHA256 with no
 * salt, info "bastion claims <subgraph>", 32 bytes, written base64url. scripts/claims-keys.mjs and
 * scripts/compose-secrets.mjs compute the same value for operators.
 */
export function deriveSubgraphClaimsKey(master: string, subgraph: string): string {
  const bytes = hkdfSync(
    'sha256',
    Buffer.from(master, 'utf8'),
    Buffer.alloc(0),
    Buffer.from(`bastion claims ${subgraph}`, 'utf8'),
    32,
  );
  return Buffer.from(bytes).toString('base64url');
}

function hmacKey(subgraph: string, text: string): KeyObject {
  if (!CLAIMS_KEY_PATTERN.test(text))
    throw new Error(`${claimsKeyVar(subgraph)} must be 43 base64url characters (32 bytes)`);
  return createSecretKey(Buffer.from(text, 'base64url'));
}

/** The claims keys one process holds: every subgraph's (the gateway) or one subgraph's own. */
export class ClaimsKeys {
  private readonly keys = new Map<string, KeyObject>();

  private constructor(
    private readonly texts: ReadonlyMap<string, string>,
    private readonly master?: string,
  ) {}

  /** The gateway's (and the all-in-one process's): each registered subgraph's key, derived on first use. */
  static fromMaster(master: string, subgraphs: readonly string[] = SUBGRAPH_NAMES): ClaimsKeys {
    return new ClaimsKeys(
      new Map(subgraphs.map((name) => [name, deriveSubgraphClaimsKey(master, name)])),
      master,
    );
  }

  /** A subgraph's process: its own key and nothing else. */
  static own(subgraph: string, key: string): ClaimsKeys {
    hmacKey(subgraph, key);
    return new ClaimsKeys(new Map([[subgraph, key]]));
  }

  /** The subgraphs whose claims this process can sign or verify. */
  get subgraphs(): string[] {
    return [...this.texts.keys()];
  }

  /** Whether this process holds the master secret (only the gateway's side does). */
  get holdsMaster(): boolean {
    return this.master !== undefined;
  }

  /** The HMAC key of claims addressed to `subgraph`; an error if this process holds none for it. */
  keyFor(subgraph: string): KeyObject {
    let key = this.keys.get(subgraph);
    if (!key) {
      const text = this.texts.get(subgraph);
      if (text === undefined)
        throw new Error(`this process holds no claims key for the ${subgraph} subgraph`);
      key = hmacKey(subgraph, text);
      this.keys.set(subgraph, key);
    }
    return key;
  }

  /** The same keys narrowed to one subgraph's own: what an in-process subgraph is handed. */
  only(subgraph: string): ClaimsKeys {
    const text = this.texts.get(subgraph);
    if (text === undefined)
      throw new Error(`this process holds no claims key for the ${subgraph} subgraph`);
    return ClaimsKeys.own(subgraph, text);
  }
}
