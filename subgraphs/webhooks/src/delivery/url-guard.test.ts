import {
  checkWebhookUrl,
  classifyAddress,
  isAllowedAddress,
  parseWebhookUrl,
  resolveAllowed,
  WebhookUrlError,
  type HostLookup,
  type UrlRefusal,
} from './url-guard';

// Hand-written from the design's contract (IANA special-purpose registries), not from the code.
const ADDRESSES: [string, string][] = [
  ['93.184.216.34', 'public'],
  ['8.8.8.8', 'public'],
  ['2606:4700:4700::1111', 'public'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.15.255.255', 'public'],
  ['172.32.0.0', 'public'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'private'],
  ['100.127.255.255', 'private'],
  ['100.128.0.0', 'public'],
  ['169.254.169.254', 'metadata'],
  ['169.254.1.1', 'link-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['fd00:ec2::254', 'metadata'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['::', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['ff02::1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  // IPv4-mapped IPv6 is judged as the IPv4 address, in both spellings.
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['::ffff:8.8.8.8', 'public'],
  ['64:ff9b::a9fe:a9fe', 'metadata'],
  ['2002:0a00:0001::1', 'private'],
  ['not an address', 'reserved'],
];

describe('classifyAddress', () => {
  it.each(ADDRESSES)('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe('isAllowedAddress', () => {
  it('admits public addresses; loopback only with allowPrivate; the rest never', () => {
    for (const [address, kind] of ADDRESSES) {
      expect(isAllowedAddress(address, { allowPrivate: false })).toBe(kind === 'public');
      expect(isAllowedAddress(address, { allowPrivate: true })).toBe(
        kind === 'public' || kind === 'loopback',
      );
    }
  });
});

function refusalOf(run: () => unknown): UrlRefusal | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookUrlError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('parseWebhookUrl', () => {
  const cases: [string, boolean, UrlRefusal | undefined][] = [
    ['https://hooks.example.com/in', false, undefined],
    ['http://hooks.example.com/in', false, undefined],
    ['http://hooks.example.com/in', true, 'HTTPS_REQUIRED'],
    ['https://hooks.example.com/in', true, undefined],
    ['ftp://hooks.example.com/in', false, 'SCHEME'],
    ['file:///etc/passwd', false, 'SCHEME'],
    ['javascript:alert(1)', false, 'SCHEME'],
    ['https://user:pass@hooks.example.com/', false, 'CREDENTIALS'],
    ['https://user@hooks.example.com/', false, 'CREDENTIALS'],
    ['not a url', false, 'INVALID'],
    ['', false, 'INVALID'],
  ];
  it.each(cases)('%s (production %s) -> %s', (raw, production, reason) => {
    expect(refusalOf(() => parseWebhookUrl(raw, { production }))).toBe(reason);
  });

  it('accepts a URL of exactly 2048 characters and refuses one of 2049', () => {
    const base = 'https://hooks.example.com/';
    const raw = base + 'a'.repeat(2048 - base.length);
    expect(raw).toHaveLength(2048);
    expect(refusalOf(() => parseWebhookUrl(raw, { production: false }))).toBeUndefined();
    expect(refusalOf(() => parseWebhookUrl(`${raw}a`, { production: false }))).toBe('TOO_LONG');
  });
});

describe('resolveAllowed and checkWebhookUrl', () => {
  const names: Record<string, string[]> = {
    'public.test': ['93.184.216.34'],
    'loopback.test': ['127.0.0.1'],
    'private.test': ['10.0.0.5'],
    'metadata.test': ['169.254.169.254'],
    'mixed.test': ['93.184.216.34', '192.168.0.10'],
    'mapped.test': ['::ffff:169.254.169.254'],
  };
  const lookup: HostLookup = async (host) => {
    const answers = names[host];
    if (!answers) throw new Error(`ENOTFOUND ${host}`);
    return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const refusal = async (run: () => Promise<unknown>) => {
    try {
      await run();
      return undefined;
    } catch (error) {
      if (error instanceof WebhookUrlError) return error.reason;
      throw error;
    }
  };

  it.each([
    ['public.test', false, undefined],
    ['loopback.test', false, 'REFUSED_ADDRESS'],
    ['loopback.test', true, undefined],
    ['private.test', true, 'REFUSED_ADDRESS'],
    ['metadata.test', true, 'REFUSED_ADDRESS'],
    ['mixed.test', false, 'REFUSED_ADDRESS'],
    ['mapped.test', true, 'REFUSED_ADDRESS'],
    ['nowhere.test', false, 'UNRESOLVABLE'],
    ['127.0.0.1', true, undefined],
    ['127.0.0.1', false, 'REFUSED_ADDRESS'],
    ['::1', true, undefined],
    ['169.254.169.254', true, 'REFUSED_ADDRESS'],
  ] as const)('%s (allowPrivate %s) -> %s', async (host, allowPrivate, reason) => {
    expect(await refusal(() => resolveAllowed(host, lookup, { allowPrivate }))).toBe(reason);
  });

  it('checks literal hosts without asking the resolver, brackets and numeric forms included', async () => {
    const spy = jest.fn(lookup);
    const options = { production: false, allowPrivate: false, lookup: spy };
    for (const raw of [
      'http://[::1]:8080/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://0x7f.0.0.1/hook',
      'http://2130706433/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[fd00:ec2::254]/',
    ]) {
      expect(await refusal(() => checkWebhookUrl(raw, options))).toBe('REFUSED_ADDRESS');
    }
    expect(spy).not.toHaveBeenCalled();
  });

  it('resolves names through the given lookup', async () => {
    const options = { production: true, allowPrivate: false, lookup };
    await expect(checkWebhookUrl('https://public.test/hook', options)).resolves.toBeInstanceOf(URL);
    expect(await refusal(() => checkWebhookUrl('https://metadata.test/', options))).toBe(
      'REFUSED_ADDRESS',
    );
  });
});
