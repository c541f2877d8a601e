import { createLogger } from '@bastion/platform';
import { eventually, startTestPlatform, type TestPlatform } from '@bastion/testing';
import { refusedOriginLog } from '../src/cors';

interface Line {
  msg?: string;
  level?: number;
  origin?: string;
  [key: string]: unknown;
}

const WARN = 40;
const ALLOWED = 'https://app.example.com';

/** A refused CORS origin is otherwise visible in the browser only: the gateway logs it, once. */
describe('refused CORS origins are logged once per origin', () => {
  const lines: Line[] = [];
  let platform: TestPlatform;
  beforeAll(async () => {
    const logger = createLogger(
      { name: 'bastion', level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Line) },
    );
    platform = await startTestPlatform({ LOG_LEVEL: 'info', CORS_ORIGINS: ALLOWED }, { logger });
  });
  afterAll(() => platform?.stop());

  const post = (origin: string) =>
    fetch(platform.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ query: '{ aiModels { id } }' }),
    });
  const refusals = (origin: string) =>
    lines.filter(
      (line) => line.origin === origin && /refused a browser origin/.test(line.msg ?? ''),
    );

  it('one warn line naming the origin, however often it calls; none for a listed origin', async () => {
    const refused = 'https://wrong-port.example.com:5173';
    for (let i = 0; i < 3; i += 1) {
      const response = await post(refused);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
    const preflight = await fetch(platform.gateway.url, {
      method: 'OPTIONS',
      headers: { origin: refused, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const listed = await post(ALLOWED);
    expect(listed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    // The gateway's own origin (GraphiQL served by it) needs no CORS and is not a refusal.
    await post(new URL(platform.gateway.url).origin);
    // A later refusal marks the point by which every earlier request has been logged.
    const marker = 'https://marker.example.com';
    await post(marker);
    await eventually(async () => expect(refusals(marker)).toHaveLength(1));

    expect(refusals(refused)).toHaveLength(1);
    expect(refusals(refused)[0].level).toBe(WARN);
    expect(refusals(ALLOWED)).toHaveLength(0);
    expect(refusals(new URL(platform.gateway.url).origin)).toHaveLength(0);
  });
});

describe('refusedOriginLog', () => {
  it('logs each origin once, up to its bound, then says so once and stops', () => {
    const warned: unknown[][] = [];
    const log = refusedOriginLog(
      { warn: (...args: unknown[]) => void warned.push(args) } as never,
      2,
    );
    for (const origin of [
      'https://a.test',
      'https://a.test',
      'https://b.test',
      'https://c.test',
      'https://d.test',
    ])
      log(origin);
    expect(warned.map(([fields]) => fields)).toEqual([
      { origin: 'https://a.test' },
      { origin: 'https://b.test' },
      { limit: 2 },
    ]);
  });
});
