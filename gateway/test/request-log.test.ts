import { spawnSync } from 'node:child_process';
import { createLogger } from '@bastion/platform';
import {
  ROOT,
  eventually,
  postGraphQL,
  startTestPlatform,
  uniqueEmail,
  type TestPlatform,
} from '@bastion/testing';

interface Line {
  msg?: string;
  level?: number;
  requestId?: string;
  [key: string]: unknown;
}

/** One info line per gateway request, captured from the logger every service writes to. */
describe('request log lines', () => {
  const lines: Line[] = [];
  let platform: TestPlatform;
  beforeAll(async () => {
    const logger = createLogger(
      { name: 'bastion', level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Line) },
    );
    platform = await startTestPlatform({ LOG_LEVEL: 'info' }, { logger });
  });
  afterAll(() => platform?.stop());

  const lineFor = (requestId: string) =>
    eventually(async () => {
      const found = lines.filter((line) => line.msg === 'request' && line.requestId === requestId);
      expect(found).toHaveLength(1);
      return found[0];
    });

  it('an anonymous named query: id, operation, viewer, status and a duration', async () => {
    const response = await postGraphQL(
      platform.gateway.url,
      'query Models { aiModels { id } }',
      {},
      { headers: { 'x-request-id': 'log-test-anon-1' } },
    );
    expect(response.status).toBe(200);
    const line = await lineFor('log-test-anon-1');
    expect(line).toMatchObject({
      level: 30,
      operationName: 'Models',
      viewer: 'anonymous',
      status: 200,
      listener: 'public',
      method: 'POST',
      path: '/graphql',
    });
    expect(typeof line.durationMs).toBe('number');
    // The query's text and variables are never logged.
    expect(JSON.stringify(line)).not.toContain('aiModels');
  });

  it('a signed-in user, and a refused token', async () => {
    const email = uniqueEmail('log');
    const registered = await platform.gql<{ register: { accessToken: string } }>(
      'mutation Register($e: String!) { register(input: { email: $e, password: "request log passphrase" }) { accessToken } }',
      { e: email },
    );
    const token = registered.body.data!.register.accessToken;
    await postGraphQL(
      platform.gateway.url,
      'query Me { me { email } }',
      {},
      { token, headers: { 'x-request-id': 'log-test-user-1' } },
    );
    expect(await lineFor('log-test-user-1')).toMatchObject({
      operationName: 'Me',
      viewer: 'user',
      status: 200,
    });
    expect(JSON.stringify(lines)).not.toContain(email);

    await postGraphQL(
      platform.gateway.url,
      'query Me { me { email } }',
      {},
      { token: 'not-a-token', headers: { 'x-request-id': 'log-test-bad-1' } },
    );
    expect(await lineFor('log-test-bad-1')).toMatchObject({ viewer: null, status: 401 });
  });

  it('a service on the internal listener', async () => {
    await postGraphQL(
      platform.gateway.internalUrl,
      '{ aiModels { id } }',
      {},
      {
        headers: {
          'x-service-token': platform.devServiceToken ?? platform.serviceTokens.ai,
          'x-request-id': 'log-test-svc-1',
        },
      },
    );
    expect(await lineFor('log-test-svc-1')).toMatchObject({
      operationName: null,
      viewer: 'service',
      listener: 'internal',
      status: 200,
    });
  });
});

describe('LOG_FORMAT=pretty', () => {
  it('writes readable lines instead of JSON, through the dev dependency pino-pretty', () => {
    const script = `require('./packages/platform/dist/logging/logger').createLogger({ name: 'x', format: process.argv[1] }).info({ requestId: 'r-1' }, 'hello')`;
    const pretty = spawnSync(process.execPath, ['-e', script, 'pretty'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    // One line per record: the message and its fields (a request record was ten lines).
    expect(pretty.stdout.split('\n')).toEqual([expect.stringMatching(/INFO.*hello/), '']);
    expect(pretty.stdout).toContain('{"requestId":"r-1"}');
    const json = spawnSync(process.execPath, ['-e', script, 'json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(JSON.parse(json.stdout)).toMatchObject({ msg: 'hello', requestId: 'r-1' });
  });
});
