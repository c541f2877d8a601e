import { SUBGRAPH_NAMES } from '@bastion/platform';
import { startTestPlatform, type TestPlatform } from '@bastion/testing';
import { checkRootFieldTiers } from './root-fields';

describe('tier matrix: every root field x five callers, generated from each subgraph schema', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(() => platform.stop());

  // Every subgraph of the registry: a new one is held to its reviewed tiers at once.
  it.each(SUBGRAPH_NAMES)('%s', async (name) => {
    const checked = await checkRootFieldTiers(platform, name);
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});
