import { Redis } from 'ioredis';
import { AppError, type Viewer } from '@bastion/platform';
import { freePort } from '@bastion/testing';
import { CostBudget } from './cost-budget';

const user = (userId: string): Viewer => ({
  kind: 'user',
  userId,
  sessionId: 's',
  emailVerified: true,
  organizationId: null,
  role: null,
  tokenId: 't',
  issuedAt: 0,
  amr: ['pwd'],
  authTime: Math.floor(Date.now() / 1000),
  mfaEnrolled: false,
});
const service: Viewer = { kind: 'service', name: 'ai', scopes: [], tokenId: 'configured:ai' };
const issued = (sha256: string, name: string): Viewer => ({
  kind: 'service',
  name,
  scopes: ['credits:read'],
  tokenId: `issued:${sha256}`,
});
const anonymous: Viewer = { kind: 'anonymous' };

const outcome = (promise: Promise<void>) =>
  promise.then(
    () => 'ok',
    (error: unknown) =>
      error instanceof AppError
        ? { code: error.code, retryAfter: error.extensions.retryAfter }
        : error,
  );
const throttled = { code: 'RATE_LIMITED', retryAfter: expect.any(Number) };

describe('CostBudget', () => {
  it('charges users, services and addresses separately, each its own budget', async () => {
    const budget = new CostBudget({
      pointsPerMinute: 10,
      servicePointsPerMinute: 100,
      keyPrefix: 'test:',
    });
    expect(await outcome(budget.charge(user('a'), null, 6))).toBe('ok');
    expect(await outcome(budget.charge(user('a'), null, 6))).toEqual(throttled);
    expect(await outcome(budget.charge(user('b'), null, 10))).toBe('ok');
    expect(await outcome(budget.charge(anonymous, '198.51.100.1', 10))).toBe('ok');
    expect(await outcome(budget.charge(anonymous, '198.51.100.1', 0))).toEqual(throttled);
    expect(await outcome(budget.charge(anonymous, '198.51.100.2', 0))).toBe('ok');
    expect(await outcome(budget.charge(service, null, 60))).toBe('ok');
    expect(await outcome(budget.charge(service, null, 40))).toBe('ok');
    expect(await outcome(budget.charge(service, null, 1))).toEqual(throttled);
  });

  it('charges each service token by its id: a display name shared with another token shares nothing', async () => {
    const budget = new CostBudget({
      pointsPerMinute: 10,
      servicePointsPerMinute: 100,
      keyPrefix: 'test:',
    });
    // An issued token named like the configured "ai" spends its own budget, not the ai service's.
    expect(await outcome(budget.charge(issued('a'.repeat(64), 'ai'), null, 100))).toBe('ok');
    expect(await outcome(budget.charge(issued('a'.repeat(64), 'ai'), null, 1))).toEqual(throttled);
    expect(await outcome(budget.charge(service, null, 100))).toBe('ok');
    // Two issued tokens with one display name: two budgets.
    expect(await outcome(budget.charge(issued('b'.repeat(64), 'reporting'), null, 100))).toBe('ok');
    expect(await outcome(budget.charge(issued('c'.repeat(64), 'reporting'), null, 100))).toBe('ok');
  });

  it('reports retryAfter within the minute', async () => {
    const budget = new CostBudget({
      pointsPerMinute: 1,
      servicePointsPerMinute: 1,
      keyPrefix: 'test:',
    });
    await budget.charge(user('a'), null, 1);
    const refused = (await outcome(budget.charge(user('a'), null, 1))) as { retryAfter: number };
    expect(refused.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfter).toBeLessThanOrEqual(60);
  });

  it('counts in memory while Redis is away, instead of refusing everyone', async () => {
    // A client configured as the platform's (no offline queue) for a port where nothing listens.
    const redis = new Redis(`redis://127.0.0.1:${await freePort()}`, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
    });
    try {
      const budget = new CostBudget({
        pointsPerMinute: 10,
        servicePointsPerMinute: 10,
        redis,
        keyPrefix: 'test:',
      });
      expect(await outcome(budget.charge(user('a'), null, 10))).toBe('ok');
      expect(await outcome(budget.charge(user('a'), null, 1))).toEqual(throttled);
      expect(await outcome(budget.charge(user('b'), null, 1))).toBe('ok');
    } finally {
      redis.disconnect();
    }
  });
});
