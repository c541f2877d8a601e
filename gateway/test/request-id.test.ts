import { createLogger, schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  postGraphQL,
  startTestPlatform,
  uniqueEmail,
  type TestPlatform,
} from '@bastion/testing';

const LOGIN =
  'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
type Errors = { errors?: { message: string; extensions?: Record<string, unknown> }[] };
interface Line {
  msg?: string;
  service?: string;
  requestId?: string;
  err?: { message?: string };
}

/**
 * An internal error reaches the client masked, with the id its logs are under: a real failure
 * (auth's users table gone), through the gateway and straight from the subgraph. Through the
 * gateway, auth logs the failure under the gateway's id, whether it is called in process (the
 * default) or over HTTP (`SUBGRAPH_TRANSPORT=http`, x-request-id forwarded).
 */
describe('request id on masked errors', () => {
  let platform: TestPlatform;
  const lines: Line[] = [];

  beforeAll(async () => {
    const logger = createLogger(
      { name: 'bastion', level: 'error' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Line) },
    );
    platform = await startTestPlatform({}, { logger });
    const schema = schemaOf(platform.auth.dataSource);
    await platform.auth.dataSource.query(`ALTER TABLE ${schema}.users RENAME TO users_gone`);
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform.auth.dataSource.query(
      `ALTER TABLE ${schemaOf(platform.auth.dataSource)}.users_gone RENAME TO users`,
    );
    await platform.stop();
  }, PLATFORM_SETUP_MS);

  it.each([
    ['the gateway, its own id', () => platform.gateway.url, {}],
    [
      "the gateway, the caller's id",
      () => platform.gateway.url,
      { 'x-request-id': 'client-chosen-0042' },
    ],
    ['the auth subgraph', () => platform.auth.url, { 'x-request-id': 'gateway-chosen-0042' }],
  ])(
    'through %s: extensions.requestId equals the x-request-id header',
    async (_name, url, headers: Record<string, string>) => {
      const response = await postGraphQL<Errors>(
        url(),
        LOGIN,
        { e: uniqueEmail(), p: 'some password here' },
        { headers },
      );
      const error = response.body.errors?.[0];
      expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(error?.extensions?.requestId).toBe(response.headers.get('x-request-id'));
      if (headers['x-request-id'])
        expect(response.headers.get('x-request-id')).toBe(headers['x-request-id']);
      expect(JSON.stringify(response.body)).not.toMatch(/users|relation|SELECT/);
      // The cause is logged by auth (where it happened) under the same id, never sent.
      const requestId = response.headers.get('x-request-id');
      await eventually(async () =>
        expect(
          lines.find(
            (line) =>
              line.msg === 'unexpected error' &&
              line.service === 'auth' &&
              line.requestId === requestId,
          )?.err?.message,
        ).toMatch(/users/),
      );
    },
  );
});
