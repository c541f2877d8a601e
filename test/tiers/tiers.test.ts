import { SUBGRAPH_NAMES } from '@bastion/platform';
import { PLATFORM_SETUP_MS, startTestPlatform, type TestPlatform } from '@bastion/testing';
import { checkRootFieldTiers } from './root-fields';

describe('tier matrix: every root field x five callers, generated from each subgraph schema', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  // Every subgraph of the registry: a new one is held to its reviewed tiers at once.
  it.each(SUBGRAPH_NAMES)('%s', async (name) => {
    const checked = await checkRootFieldTiers(platform, name);
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});
