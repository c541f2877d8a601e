/** The DNS name an organization publishes its TXT record at to prove a domain. */
export function txtRecordName(domain: string): string {
  return `_bastion-verification.${domain}`;
}

/** The TXT record's value. */
export function txtRecordValue(token: string): string {
  return `bastion-verification=${token}`;
}
