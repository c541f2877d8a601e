import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';

/**
 * The SSRF guard for webhook URLs: syntax checks at registration, and the classification of every
 * address a host resolves to, at registration and again at each dispatch on the addresses
 * actually dialled (http-dispatch.ts), so a name that resolves elsewhere later (DNS rebinding)
 * is refused before a connection is attempted.
 */

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Why a URL or an address was refused; the message is what a client sees next to the field. */
export type UrlRefusal =
  | 'TOO_LONG'
  | 'INVALID'
  | 'SCHEME'
  | 'HTTPS_REQUIRED'
  | 'CREDENTIALS'
  | 'UNRESOLVABLE'
  | 'REFUSED_ADDRESS';

const REFUSAL_MESSAGES: Record<UrlRefusal, string> = {
  TOO_LONG: `The URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters.`,
  INVALID: 'The URL is not valid.',
  SCHEME: 'The URL must use http or https.',
  HTTPS_REQUIRED: 'The URL must use https.',
  CREDENTIALS: 'The URL must not contain a user name or password.',
  UNRESOLVABLE: 'The URL host does not resolve.',
  REFUSED_ADDRESS:
    'The URL host resolves to a loopback, private, link-local or otherwise refused address.',
};

export class WebhookUrlError extends Error {
  constructor(readonly reason: UrlRefusal) {
    super(REFUSAL_MESSAGES[reason]);
    this.name = 'WebhookUrlError';
  }
}

/**
 * What an address is. Only `public` is dialled; `loopback` also when private targets are allowed
 * (WEBHOOKS_ALLOW_PRIVATE, development and tests). Everything else is refused whatever the setting.
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (injectable: tests map names to chosen addresses). */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemLookup: HostLookup = async (hostname) => {
  const answers = await dns.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export interface UrlGuardOptions {
  /** NODE_ENV=production: https only. */
  production: boolean;
  /** WEBHOOKS_ALLOW_PRIVATE: admits loopback addresses (and nothing else that is refused). */
  allowPrivate: boolean;
  lookup?: HostLookup;
}

/** The syntax checks (no resolution): length, http(s), https in production, no userinfo. */
export function parseWebhookUrl(raw: string, options: { production: boolean }): URL {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) throw new WebhookUrlError('TOO_LONG');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError('INVALID');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookUrlError('SCHEME');
  if (options.production && url.protocol !== 'https:') throw new WebhookUrlError('HTTPS_REQUIRED');
  if (url.username !== '' || url.password !== '') throw new WebhookUrlError('CREDENTIALS');
  if (hostOf(url) === '') throw new WebhookUrlError('INVALID');
  return url;
}

/** The host to resolve: IPv6 literals without their brackets, no trailing dot. */
export function hostOf(url: URL): string {
  const host = url.hostname;
  if (host.startsWith('[') && host.endsWith(']')) return host.slice(1, -1);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** Registration: the syntax checks, then every address the host resolves to must be allowed. */
export async function checkWebhookUrl(raw: string, options: UrlGuardOptions): Promise<URL> {
  const url = parseWebhookUrl(raw, options);
  await resolveAllowed(hostOf(url), options.lookup ?? systemLookup, options);
  return url;
}

/**
 * Resolves `host` (an IP literal is taken as is) and returns its addresses when every one of them
 * may be dialled. One refused address refuses the host: a name that answers a public and a private
 * address must not be dialled at all, whichever answer a later connection would pick.
 */
export async function resolveAllowed(
  host: string,
  lookup: HostLookup,
  options: { allowPrivate: boolean },
): Promise<ResolvedAddress[]> {
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal !== 0) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await lookup(host);
    } catch {
      throw new WebhookUrlError('UNRESOLVABLE');
    }
    if (addresses.length === 0) throw new WebhookUrlError('UNRESOLVABLE');
  }
  for (const { address } of addresses) {
    if (!isAllowedAddress(address, options)) throw new WebhookUrlError('REFUSED_ADDRESS');
  }
  return addresses;
}

export function isAllowedAddress(address: string, options: { allowPrivate: boolean }): boolean {
  const kind = classifyAddress(address);
  return kind === 'public' || (kind === 'loopback' && options.allowPrivate);
}

/** Classifies an IPv4 or IPv6 address; anything that does not parse is `reserved` (refused). */
export function classifyAddress(address: string): AddressClass {
  const v4 = parseIPv4(address);
  if (v4) return classifyIPv4(v4);
  const v6 = parseIPv6(address);
  if (!v6) return 'reserved';
  return classifyIPv6(v6);
}

type Bytes = number[];

/** `base/bits` matched against the first bytes of an address. */
function inPrefix(bytes: Bytes, prefix: Bytes, bits: number): boolean {
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((bytes[i / 8]! & mask) !== (prefix[i / 8]! & mask)) return false;
  }
  return true;
}

// Ordered: the first matching range names the class.
const IPV4_RANGES: [Bytes, number, AddressClass][] = [
  [[169, 254, 169, 254], 32, 'metadata'],
  [[0, 0, 0, 0], 8, 'unspecified'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[10, 0, 0, 0], 8, 'private'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 168, 0, 0], 16, 'private'],
  [[100, 64, 0, 0], 10, 'private'], // carrier-grade NAT
  [[169, 254, 0, 0], 16, 'link-local'],
  [[192, 0, 0, 0], 24, 'reserved'], // IETF protocol assignments
  [[192, 0, 2, 0], 24, 'reserved'], // documentation
  [[198, 18, 0, 0], 15, 'reserved'], // benchmarking
  [[198, 51, 100, 0], 24, 'reserved'], // documentation
  [[203, 0, 113, 0], 24, 'reserved'], // documentation
  [[224, 0, 0, 0], 4, 'multicast'],
  [[255, 255, 255, 255], 32, 'broadcast'],
  [[240, 0, 0, 0], 4, 'reserved'],
];

function classifyIPv4(bytes: Bytes): AddressClass {
  for (const [prefix, bits, kind] of IPV4_RANGES) if (inPrefix(bytes, prefix, bits)) return kind;
  return 'public';
}

const IPV6_RANGES: [Bytes, number, AddressClass][] = [
  [[0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54], 128, 'metadata'],
  [[...Array<number>(16).fill(0)], 128, 'unspecified'],
  [[...Array<number>(15).fill(0), 1], 128, 'loopback'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfc, 0x00], 7, 'unique-local'],
  [[0xff, 0x00], 8, 'multicast'],
  [[0xfe, 0xc0], 10, 'reserved'], // deprecated site-local
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'reserved'], // documentation
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 96, 'reserved'], // IPv4-compatible (deprecated)
];

function classifyIPv6(bytes: Bytes): AddressClass {
  // Addresses that carry an IPv4 address are judged as that address: IPv4-mapped ::ffff:a.b.c.d,
  // NAT64 64:ff9b::a.b.c.d and 6to4 2002:aabb:ccdd::.
  if (inPrefix(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96)) {
    return classifyIPv4(bytes.slice(12));
  }
  if (inPrefix(bytes, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)) {
    return classifyIPv4(bytes.slice(12));
  }
  if (inPrefix(bytes, [0x20, 0x02], 16)) return classifyIPv4(bytes.slice(2, 6));
  for (const [prefix, bits, kind] of IPV6_RANGES) if (inPrefix(bytes, prefix, bits)) return kind;
  return 'public';
}

function parseIPv4(text: string): Bytes | undefined {
  if (isIP(text) !== 4) return undefined;
  return text.split('.').map(Number);
}

function parseIPv6(text: string): Bytes | undefined {
  const address = text.replace(/%.*$/, ''); // zone id (fe80::1%eth0)
  if (isIP(address) !== 6) return undefined;
  let groups: string[];
  const tail: number[] = [];
  let head = address;
  const lastColon = head.lastIndexOf(':');
  if (head.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(head.slice(lastColon + 1));
    if (!v4) return undefined;
    tail.push(...v4);
    head = head.slice(0, lastColon + 1) + '0:0'; // placeholder groups, replaced below
  }
  const halves = head.split('::');
  if (halves.length === 2) {
    const left = halves[0] === '' ? [] : halves[0]!.split(':');
    const right = halves[1] === '' ? [] : halves[1]!.split(':');
    groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  } else {
    groups = head.split(':');
  }
  if (groups.length !== 8) return undefined;
  const bytes = groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}
