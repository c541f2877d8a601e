import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Ports for listeners a test hands to another process (a platform child, a private PostgreSQL),
 * which binds them later, maybe again after a kill or a stop. Between the pick and the bind the
 * port must not go to anyone else, so a port is:
 *
 * - outside the kernel's ephemeral range (ip_local_port_range): no `listen(0)` and no outgoing
 *   connection on the machine is ever given it. Picked with `listen(0)`, as before, a port was
 *   taken as soon as it was closed by the local end of some connection (the test's own requests,
 *   pools reconnecting, other people's runs) or by another `listen(0)`, e.g. a webhook receiver;
 * - reserved for as long as the picking process lives, by an empty file named after its pid under
 *   os.tmpdir()/bastion-test-ports/<port>: every test process on the machine (each jest worker,
 *   other checkouts' runs) skips a port a live process holds, so two picks never agree, even
 *   while the process the port was picked for is down between a kill and its restart. A dead
 *   process's reservation is removed by the next pick that lands on its port (a jest worker's
 *   `exit` listeners never run: the `process` of a test file is a copy with an emitter of its own);
 * - free when picked: a bind on 127.0.0.1 succeeds (a fixed-port service keeps its port).
 */

/** The reservations: a directory per port, holding one empty file named after each holder's pid. */
export const PORT_RESERVATIONS = join(tmpdir(), 'bastion-test-ports');
/** Below this, ports belong to well-known services; 10000 up to the ephemeral range is ours. */
const LOWEST = 10_000;
const ATTEMPTS = 200;

/** Ports the kernel never picks for `listen(0)` or for a connection's local end, [low, high]. */
export function reservablePortRange(): [number, number] {
  let ephemeral: [number, number] = [32_768, 60_999];
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low > 0 && high >= low) ephemeral = [low, high];
  } catch {
    // Not Linux: the IANA dynamic range, Linux's default, stands in.
  }
  if (ephemeral[0] - 1 - LOWEST >= 1_000) return [LOWEST, ephemeral[0] - 1];
  if (65_535 - ephemeral[1] >= 1_000) return [ephemeral[1] + 1, 65_535];
  throw new Error(
    `ip_local_port_range ${ephemeral.join('-')} leaves no range for test ports: narrow it`,
  );
}

/** A free port on 127.0.0.1, reserved for this process until it exits (see above). */
export async function freePort(): Promise<number> {
  const [low, high] = reservablePortRange();
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await reservePort(port)) return port;
  }
  throw new Error(`no free port in ${low}-${high} after ${ATTEMPTS} attempts`);
}

/**
 * Reserves `port` for this process when no live process holds it and a bind on 127.0.0.1
 * succeeds; false otherwise (also when this process holds it already: each pick is new).
 */
export async function reservePort(port: number): Promise<boolean> {
  if (!reserve(port)) return false;
  if (await bindable(port)) return true;
  unreserve(port);
  return false;
}

/**
 * Marks the port held by this process, unless another live process holds it: the mark is made
 * first and the others' looked at after, so of two processes reserving one port at once at most
 * one succeeds (the one that looks first may see no other; the other then sees it and backs off).
 * A dead process's mark is removed on the way.
 */
function reserve(port: number): boolean {
  const dir = join(PORT_RESERVATIONS, String(port));
  mkdirSync(dir, { recursive: true });
  const own = join(dir, String(process.pid));
  if (existsSync(own)) return false;
  writeFileSync(own, '');
  for (const entry of readdirSync(dir)) {
    const pid = Number(entry);
    if (pid === process.pid || !Number.isInteger(pid) || pid <= 0) continue;
    if (isAlive(pid)) {
      rmSync(own, { force: true });
      return false;
    }
    rmSync(join(dir, entry), { force: true });
  }
  return true;
}

function unreserve(port: number): void {
  rmSync(join(PORT_RESERVATIONS, String(port), String(process.pid)), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}
