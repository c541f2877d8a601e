import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '@bastion/platform';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The operations the public listener runs when `TRUSTED_DOCUMENTS` is set, read once at start.
 * The file is a JSON object from the sha256 (hex) of each document's exact text to that text, as
 * a persisted-query manifest lists them: clients may then send the hash alone
 * (`extensions.persistedQuery.sha256Hash`). A JSON array of hashes is accepted too; clients then
 * send the full text (or register it through automatic persisted queries).
 */
export class TrustedDocuments {
  private constructor(private readonly documents: ReadonlyMap<string, string | null>) {}

  /** Reads the file; a missing, malformed or mismatched one fails the start (ConfigError). */
  static fromFile(path: string): TrustedDocuments {
    let json: unknown;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator's TRUSTED_DOCUMENTS setting
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new ConfigError([
        `TRUSTED_DOCUMENTS: cannot read ${path} as JSON (${(error as Error).message})`,
      ]);
    }
    return TrustedDocuments.fromJson(json, `TRUSTED_DOCUMENTS (${path})`);
  }

  static fromJson(json: unknown, source = 'TRUSTED_DOCUMENTS'): TrustedDocuments {
    const documents = new Map<string, string | null>();
    const problems: string[] = [];
    if (Array.isArray(json)) {
      for (const hash of json) {
        if (typeof hash === 'string' && SHA256_HEX.test(hash.toLowerCase()))
          documents.set(hash.toLowerCase(), null);
        else problems.push(`${JSON.stringify(hash)} is not a sha256 hex hash`);
      }
    } else if (typeof json === 'object' && json !== null) {
      for (const [hash, document] of Object.entries(json)) {
        // A key that is not its document's hash would let another text run under a trusted name.
        if (typeof document !== 'string' || sha256Hex(document) !== hash.toLowerCase())
          problems.push(`${hash} is not the sha256 of its document`);
        else documents.set(hash.toLowerCase(), document);
      }
    } else {
      problems.push('expected a JSON object of hash -> document, or an array of hashes');
    }
    if (problems.length > 0)
      throw new ConfigError(problems.map((problem) => `${source}: ${problem}`));
    return new TrustedDocuments(documents);
  }

  get size(): number {
    return this.documents.size;
  }

  has(hash: string): boolean {
    return this.documents.has(hash.toLowerCase());
  }

  /** Every document text the file lists (a list of hashes alone has none). */
  texts(): string[] {
    return [...this.documents.values()].filter((text): text is string => text !== null);
  }

  /** The document's text when the file lists it, for requests that carry only its hash. */
  document(hash: string): string | undefined {
    return this.documents.get(hash.toLowerCase()) ?? undefined;
  }
}
