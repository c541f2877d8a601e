import { startTestPlatform, type TestPlatform } from '@bastion/testing';
import { checkRootFieldTiers } from './root-fields';

describe('tier matrix: every root field x five callers, generated from each subgraph schema', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(() => platform.stop());

  it.each(['auth', 'orgs', 'credits', 'ai'] as const)('%s', async (name) => {
    const checked = await checkRootFieldTiers(platform, name);
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});
