import {
  PLATFORM_SETUP_MS,
  eventually,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';

describe('a subgraph that stops answering', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
    await platform.ai.stop();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  it('makes /ready answer 503 naming it', async () => {
    // Each subgraph has 2 s to answer its own /ready: on a loaded machine, right after the start,
    // one busy with its first events may miss that once. It is ai, and only ai, once they settle.
    await eventually(async () => {
      const ready = await fetch(platform.gateway.url.replace('/graphql', '/ready'));
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'unavailable', failing: ['ai'] });
    });
  });

  it('gives UPSTREAM_UNAVAILABLE for its fields while the others keep serving', async () => {
    const response = await platform.gql('{ aiModels { id } }');
    expect(response.body.errors?.[0].extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(JSON.stringify(response.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    const packages = await platform.gql('{ creditPackages { id } }');
    expect(packages.body.errors).toBeUndefined();
  });
});
