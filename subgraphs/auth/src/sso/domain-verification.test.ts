import { startDnsServer, type TestDnsServer } from '../../test/dns-server';
import { dnsTxtLookup, hasVerificationRecord, txtRecordName } from './domain-verification';

describe('domain verification over DNS', () => {
  let dns: TestDnsServer;

  beforeAll(async () => {
    dns = await startDnsServer();
  });
  afterAll(() => dns.close());

  it('reads TXT records through node:dns from the configured server', async () => {
    // One record split into two character-strings (as long values are published), one other record.
    dns.setTxt('_bastion-verification.example.test', [
      ['bastion-verification=abc', 'def'],
      ['v=spf1 -all'],
    ]);
    const lookup = dnsTxtLookup([dns.address]);
    expect(await lookup.resolveTxt('_bastion-verification.example.test')).toEqual([
      'bastion-verification=abcdef',
      'v=spf1 -all',
    ]);
    expect(dns.questions).toContain('_bastion-verification.example.test TXT');
    expect(await hasVerificationRecord(lookup, 'example.test', 'abcdef')).toBe(true);
    expect(await hasVerificationRecord(lookup, 'example.test', 'abc')).toBe(false);
  });

  it('answers "no record" for an unknown name (NXDOMAIN), not an error', async () => {
    const lookup = dnsTxtLookup([dns.address]);
    expect(await lookup.resolveTxt(txtRecordName('nowhere.test'))).toEqual([]);
    expect(await hasVerificationRecord(lookup, 'nowhere.test', 'abcdef')).toBe(false);
  });

  it('fails (rather than answering "absent") when no DNS server answers', async () => {
    const silent = await startDnsServer();
    const address = silent.address;
    await silent.close();
    const lookup = dnsTxtLookup([address], 200);
    await expect(lookup.resolveTxt('_bastion-verification.example.test')).rejects.toThrow();
  });
});
