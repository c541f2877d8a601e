import { randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { sha256Hex } from './keys';
import { SCOPES } from './viewer';

export interface ServiceTokenEntry {
  name: string;
  scopes: string[];
  /** Hex SHA-256 of the token; the token itself is never configured. */
  sha256: string;
}

export const serviceTokenEntries = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {name, scopes, sha256}' });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(
      z.object({
        name: z.string().min(1),
        scopes: z.array(z.enum(SCOPES)),
        sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters')
          .transform((s) => s.toLowerCase()),
      }),
    ),
  );

/** A new random service token: 256 bits, URL-safe, with a prefix that secret scanners can spot. */
export function generateServiceToken(): string {
  return `bst_${randomBytes(32).toString('base64url')}`;
}

export function serviceTokenEntry(
  name: string,
  scopes: string[],
  token: string,
): ServiceTokenEntry {
  return { name, scopes, sha256: sha256Hex(token) };
}

/** Verifies presented service tokens against configured hashes. */
export class ServiceTokenRegistry {
  private readonly entries: { name: string; scopes: string[]; digest: Buffer }[];

  constructor(entries: readonly ServiceTokenEntry[]) {
    this.entries = entries.map((e) => ({
      name: e.name,
      scopes: [...e.scopes],
      digest: Buffer.from(e.sha256, 'hex'),
    }));
  }

  /** The token's identity, or null. Compares against every entry in constant time, with no early exit. */
  verify(token: string): { name: string; scopes: string[] } | null {
    const digest = Buffer.from(sha256Hex(token), 'hex');
    let match: { name: string; scopes: string[] } | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(digest, entry.digest) && !match)
        match = { name: entry.name, scopes: entry.scopes };
    }
    return match;
  }

  add(entry: ServiceTokenEntry): void {
    this.entries.push({
      name: entry.name,
      scopes: [...entry.scopes],
      digest: Buffer.from(entry.sha256, 'hex'),
    });
  }

  get size(): number {
    return this.entries.length;
  }
}
