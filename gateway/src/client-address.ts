import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

const LOOPBACK = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];

/** Parses TRUST_PROXY: addresses of proxies whose X-Forwarded-For we believe ("loopback" for 127.0.0.1 and ::1). */
export function parseTrustedProxies(value: string | undefined): Set<string> {
  const trusted = new Set<string>();
  for (const item of (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (item === 'loopback') LOOPBACK.forEach((a) => trusted.add(a));
    else trusted.add(item);
  }
  return trusted;
}

/**
 * The client's address: the socket's, unless the socket is a trusted proxy, in which case
 * X-Forwarded-For is walked from the right past trusted proxies. A client can prepend anything,
 * so only hops added by proxies we trust count.
 */
export function clientAddress(req: IncomingMessage, trusted: Set<string>): string | null {
  let address = normalize(req.socket.remoteAddress ?? null);
  if (!address || !trusted.has(address)) return address;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    const hop = normalize(hops[i]);
    if (!hop || !isIP(hop)) return address;
    address = hop;
    if (!trusted.has(hop)) return hop;
  }
  return address;
}

function normalize(address: string | null): string | null {
  if (!address) return null;
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
