import { createLogger } from '@bastion/platform';
import { ApiKeyUse } from './api-key-use';

const logger = createLogger({ name: 'test', level: 'silent' });

describe('ApiKeyUse: last use reported coalesced', () => {
  it('reports a key at most once an interval, batching the keys of one tick', async () => {
    let now = 1_000_000;
    const reports: string[][] = [];
    const use = new ApiKeyUse(
      async (ids) => {
        reports.push([...ids].sort());
      },
      logger,
      60_000,
      () => now,
    );
    for (let i = 0; i < 100; i++) use.note('a');
    use.note('b');
    await new Promise((done) => setImmediate(done));
    await use.settled();
    expect(reports).toEqual([['a', 'b']]);

    now += 59_999;
    use.note('a');
    await new Promise((done) => setImmediate(done));
    await use.settled();
    expect(reports).toHaveLength(1);

    now += 1;
    use.note('a');
    use.note('b');
    await new Promise((done) => setImmediate(done));
    await use.settled();
    expect(reports).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('drops a failed report: the key reports again after the interval', async () => {
    let now = 0;
    let calls = 0;
    const use = new ApiKeyUse(
      async () => {
        calls += 1;
        throw new Error('auth down');
      },
      logger,
      60_000,
      () => now,
    );
    use.note('a');
    await new Promise((done) => setImmediate(done));
    await use.settled();
    now += 60_000;
    use.note('a');
    await new Promise((done) => setImmediate(done));
    await use.settled();
    expect(calls).toBe(2);
  });
});
