import { Resolver } from 'node:dns/promises';

/** The DNS name an organization publishes its TXT record at to prove a domain. */
export function txtRecordName(domain: string): string {
  return `_bastion-verification.${domain}`;
}

/** The TXT record's value. */
export function txtRecordValue(token: string): string {
  return `bastion-verification=${token}`;
}

/** Reads TXT records; a test or a deployment points it at its own servers (SSO_DNS_SERVERS). */
export interface TxtLookup {
  /** Every TXT record at `name`, each one's strings joined; [] when there is none. */
  resolveTxt(name: string): Promise<string[]>;
}

/** Answers that mean "no such record" rather than "DNS is not working". */
const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME', 'NXDOMAIN']);

/** node:dns with the configured servers (`host:port`, comma-separated), else the system's. */
export function dnsTxtLookup(servers: string[] | undefined, timeoutMs = 5000): TxtLookup {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers && servers.length > 0) resolver.setServers(servers);
  return {
    async resolveTxt(name) {
      try {
        // A record may come as several character-strings (each at most 255 bytes): one value.
        return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
      } catch (error) {
        if (ABSENT.has((error as { code?: string }).code ?? '')) return [];
        throw error;
      }
    },
  };
}

/** Whether the domain's verification record carries the token (surrounding spaces ignored). */
export async function hasVerificationRecord(
  lookup: TxtLookup,
  domain: string,
  token: string,
): Promise<boolean> {
  const expected = txtRecordValue(token);
  const records = await lookup.resolveTxt(txtRecordName(domain));
  return records.some((record) => record.trim() === expected);
}
