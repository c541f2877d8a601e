import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/** The verification snippet of README "Webhooks", as a reader would copy it. */
function snippet(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Verifying a delivery'));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README "Webhooks" has no js snippet under "Verifying a delivery"');
  return match[1];
}

/**
 * A Standard Webhooks signature computed by hand from the specification (HMAC-SHA256 under the
 * base64-decoded key after `whsec_`, over `id.timestamp.body`), independent of any library.
 */
function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

describe('the README webhook verification snippet', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const oldSecret = `whsec_${randomBytes(24).toString('base64')}`;
  let child: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    const code = snippet();
    expect(code).toContain('.listen(8080);');
    // Run exactly the snippet, on a free port of 127.0.0.1 instead of 8080.
    const runnable = code.replace(
      '.listen(8080);',
      ".listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });",
    );
    child = spawn(process.execPath, ['--input-type=module', '-e', runnable], {
      cwd: ROOT,
      env: { ...process.env, BASTION_WEBHOOK_SECRET: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', () => {
        const found = /port (\d+)/.exec(output);
        if (found) resolve(found[1]);
      });
      child.on('exit', () => reject(new Error(`snippet exited: ${output}`)));
    });
    url = `http://127.0.0.1:${port}/`;
  });
  afterAll(() => {
    child.kill();
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('accepts a delivery signed as the README says, and during a rotation by either secret', async () => {
    const id = randomUUID();
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      type: 'member.invited',
      timestamp: new Date().toISOString(),
      data: { organizationId: randomUUID(), email: 'bob@example.com' },
    });
    const accepted = await post(body, {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(secret, id, timestamp, body),
    });
    expect(accepted.status).toBe(204);
    // A receiver that already has the new secret, while the old one still signs beside it.
    const rotated = await post(body, {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `${sign(oldSecret, id, timestamp, body)} ${sign(secret, id, timestamp, body)}`,
    });
    expect(rotated.status).toBe(204);
    expect(output).toContain(`${id} member.invited`);
  });

  it('refuses a wrong signature, a changed body and a stale timestamp', async () => {
    const id = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const body = '{"type":"webhook.ping","timestamp":"2026-12-07T06:00:00.000Z","data":{}}';
    const headers = (secretUsed: string, timestamp: number, signed = body) => ({
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(secretUsed, id, timestamp, signed),
    });
    expect((await post(body, headers(oldSecret, now))).status).toBe(400);
    expect((await post(body.replace('{}', '{"x":1}'), headers(secret, now))).status).toBe(400);
    expect((await post(body, headers(secret, now - 600))).status).toBe(400);
    expect((await post(body, headers(secret, now))).status).toBe(204);
  });
});
