import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  postGraphQL,
  startTestPlatform,
  uniqueEmail,
  type TestPlatform,
} from '@bastion/testing';

const LOGIN =
  'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
type Errors = { errors?: { message: string; extensions?: Record<string, unknown> }[] };

/**
 * An internal error reaches the client masked, with the id its logs are under: a real failure
 * (auth's users table gone), through the gateway and straight from the subgraph.
 */
describe('request id on masked errors', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
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
    },
  );
});
