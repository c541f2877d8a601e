import { gatewayConfigSchema } from './config';
import { enforceOperationLimits, operationLimitsFrom } from './request-limits';

const LIMITS = {
  MAX_QUERY_DEPTH: 12,
  MAX_QUERY_ALIASES: 50,
  MAX_QUERY_DIRECTIVES: 50,
  MAX_FIELD_DIRECTIVES: 10,
  MAX_QUERY_TOKENS: 2_000,
  MAX_QUERY_CHARACTERS: 10_000,
  MAX_QUERY_COST: 1_000,
  DEFAULT_LIST_SIZE: 10,
};
const batchOf = (n: number) => ({
  body: Array.from({ length: n }, () => ({ query: '{ __typename }' })),
  search: new URLSearchParams(),
});
const setting = (value: string | undefined) =>
  gatewayConfigSchema.shape.MAX_BATCH_OPERATIONS.parse(value);

/** Batching is off in production unless MAX_BATCH_OPERATIONS turns it on; 10 elsewhere. */
describe('MAX_BATCH_OPERATIONS default', () => {
  it('production, unset: a batch of two is refused as BAD_USER_INPUT MAX_BATCH', () => {
    const limits = operationLimitsFrom({
      ...LIMITS,
      NODE_ENV: 'production',
      MAX_BATCH_OPERATIONS: setting(undefined),
    });
    expect(limits.maxBatchOperations).toBe(0);
    expect(() => enforceOperationLimits(batchOf(2), limits)).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'BAD_USER_INPUT',
        extensions: { reason: 'MAX_BATCH' },
      }),
    );
    // One operation, not in an array, is no batch.
    expect(() =>
      enforceOperationLimits(
        { body: { query: '{ __typename }' }, search: new URLSearchParams() },
        limits,
      ),
    ).not.toThrow();
  });

  it('production, set: batches up to the setting run', () => {
    const limits = operationLimitsFrom({
      ...LIMITS,
      NODE_ENV: 'production',
      MAX_BATCH_OPERATIONS: setting('5'),
    });
    expect(() => enforceOperationLimits(batchOf(5), limits)).not.toThrow();
    expect(() => enforceOperationLimits(batchOf(6), limits)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ reason: 'MAX_BATCH' }) }),
    );
  });

  it.each(['development', 'test'])('%s, unset: 10 as before', (NODE_ENV) => {
    const limits = operationLimitsFrom({
      ...LIMITS,
      NODE_ENV,
      MAX_BATCH_OPERATIONS: setting(undefined),
    });
    expect(limits.maxBatchOperations).toBe(10);
    expect(() => enforceOperationLimits(batchOf(10), limits)).not.toThrow();
  });

  it('0 turns batching off anywhere', () => {
    const limits = operationLimitsFrom({
      ...LIMITS,
      NODE_ENV: 'development',
      MAX_BATCH_OPERATIONS: setting('0'),
    });
    expect(limits.maxBatchOperations).toBe(0);
  });
});
