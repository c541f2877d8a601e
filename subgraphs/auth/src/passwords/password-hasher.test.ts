import { AppError } from '@bastion/platform';
import { PasswordHasher, PasswordHashingError } from './password-hasher';

// Small settings keep each hash to a few milliseconds; the bound and order do not depend on them.
const FAST = { memoryKib: 1024, timeCost: 1, parallelism: 1 };

describe('PasswordHasher: bounded, first come first served', () => {
  it('never lets more than maxQueued wait: the rest are refused at once with RATE_LIMITED', async () => {
    const hasher = new PasswordHasher(FAST, { maxConcurrent: 1, maxQueued: 5 });
    const hash = await hasher.hash('the right password');
    let mostWaiting = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const check = hasher.verify(hash, `wrong guess ${i}`).then(
          (ok) => (ok ? 'right' : 'wrong'),
          (error: unknown) => error,
        );
        mostWaiting = Math.max(mostWaiting, hasher.stats().waiting);
        return check;
      }),
    );
    // One slot and five places in line: calls 0-5 are checked, calls 6-49 refused.
    expect(outcomes.slice(0, 6)).toEqual(Array(6).fill('wrong'));
    for (const refused of outcomes.slice(6)) {
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).code).toBe('RATE_LIMITED');
      expect((refused as AppError).extensions.retryAfter).toBeGreaterThanOrEqual(1);
    }
    expect(mostWaiting).toBe(5);
    expect(hasher.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('starts waiting checks in the order they came, newcomers behind them', async () => {
    const hasher = new PasswordHasher(FAST, { maxConcurrent: 1, maxQueued: 100 });
    const hash = await hasher.hash('pw');
    const finished: string[] = [];
    const check = (name: string) =>
      hasher.verify(hash, name).then(() => {
        finished.push(name);
      });
    const first = check('first');
    const waiting = ['w1', 'w2', 'w3', 'w4'].map(check);
    // Arrives the moment the first check's slot is handed on: it must queue behind w1..w4.
    const late = first.then(() => check('newcomer'));
    await Promise.all([first, ...waiting, late]);
    // One slot: the order checks finish in is the order they started in.
    expect(finished).toEqual(['first', 'w1', 'w2', 'w3', 'w4', 'newcomer']);
  });

  it('keeps the slot count while handing over: never more running than maxConcurrent', async () => {
    const hasher = new PasswordHasher(FAST, { maxConcurrent: 2, maxQueued: 100 });
    const hash = await hasher.hash('pw');
    let mostRunning = 0;
    const sample = setInterval(() => {
      mostRunning = Math.max(mostRunning, hasher.stats().running);
    }, 0);
    const rounds = Array.from({ length: 8 }, async (_, client) => {
      // Closed-loop clients: each sends its next check as soon as the last one answers.
      for (let i = 0; i < 10; i += 1) {
        await hasher.verify(hash, `c${client}-${i}`);
        mostRunning = Math.max(mostRunning, hasher.stats().running);
      }
    });
    await Promise.all(rounds);
    clearInterval(sample);
    expect(mostRunning).toBe(2);
  });

  it('reports argon2 failing as PasswordHashingError, not as a wrong password', async () => {
    const hasher = new PasswordHasher(FAST, { maxConcurrent: 1, maxQueued: 1 });
    const corrupt = '$argon2id$v=19$m=1024,t=1,p=1$not-base64!$not-base64!';
    await expect(hasher.verify(corrupt, 'anything')).rejects.toBeInstanceOf(PasswordHashingError);
    await expect(hasher.verify('', 'anything')).rejects.toBeInstanceOf(PasswordHashingError);
    // The slot came back: the next check runs.
    expect(await hasher.verify(await hasher.hash('pw'), 'pw')).toBe(true);
  });
});
