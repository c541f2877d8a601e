import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { PORT_RESERVATIONS, freePort, reservablePortRange, reservePort } from './ports';

/** The kernel's range for `listen(0)` and for the local end of outgoing connections, read here. */
function kernelEphemeralRange(): [number, number] {
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  return [low, high];
}

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const close = (server: Server) => new Promise<void>((done) => server.close(() => done()));
const holderFile = (port: number, pid: number | undefined) =>
  join(PORT_RESERVATIONS, String(port), String(pid));

/**
 * Ports handed to child processes: never one the kernel may give anyone else meanwhile, never one
 * another test process holds, always one that can be bound.
 */
describe('free ports for child processes', () => {
  it('are outside the kernel ephemeral range, where listen(0) and connections take theirs', async () => {
    const [low, high] = kernelEphemeralRange();
    const kernels = await listenOn(0);
    const kernelPort = (kernels.address() as { port: number }).port;
    await close(kernels);
    // The premise: the kernel's own picks are in that range.
    expect(kernelPort).toBeGreaterThanOrEqual(low);
    expect(kernelPort).toBeLessThanOrEqual(high);
    const [ours, theirs] = reservablePortRange();
    expect(theirs < low || ours > high).toBe(true);
    for (let i = 0; i < 20; i += 1) {
      const port = await freePort();
      expect(port < low || port > high).toBe(true);
      expect(port).toBeGreaterThanOrEqual(1024);
      // Bindable: a listener on 127.0.0.1 gets it.
      await close(await listenOn(port));
    }
  });

  it('are never handed out twice, however many are picked at once', async () => {
    const ports = await Promise.all(Array.from({ length: 100 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('are recorded as held by this process', async () => {
    const port = await freePort();
    expect(existsSync(holderFile(port, process.pid))).toBe(true);
    // Held: a second reservation, by this process or another, fails.
    expect(await reservePort(port)).toBe(false);
  });

  it("skip a port another live process holds, and take over a dead process's", async () => {
    const [low, high] = reservablePortRange();
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(low);
    expect(port).toBeLessThanOrEqual(high);
    // A live process that holds it (not this one).
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      rmSync(holderFile(port, process.pid));
      writeFileSync(holderFile(port, holder.pid), '');
      expect(await reservePort(port)).toBe(false);
      expect(existsSync(holderFile(port, process.pid))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
      rmSync(holderFile(port, holder.pid));
    }
    // A process that has exited: its reservation lapsed, and is cleared by the next one.
    const gone = spawnSync('true');
    writeFileSync(holderFile(port, gone.pid), '');
    expect(await reservePort(port)).toBe(true);
    expect(readdirSync(join(PORT_RESERVATIONS, String(port)))).toEqual([String(process.pid)]);
  });

  it('skip a port some listener has, and leave no reservation for it', async () => {
    const port = await freePort();
    rmSync(holderFile(port, process.pid));
    const listener = await listenOn(port);
    try {
      expect(await reservePort(port)).toBe(false);
      expect(existsSync(holderFile(port, process.pid))).toBe(false);
    } finally {
      await close(listener);
    }
  });
});
