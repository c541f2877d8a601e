import { availableParallelism } from 'node:os';
import argon2 from 'argon2';

/**
 * The raw argon2id rate at the auth service's parameters: `concurrency` verifications in flight
 * (0: as many as the auth service runs at once on the same cores) for `seconds`, in a process of
 * its own on the product's core.
 * Prints one JSON line: { verifications, seconds, perSecond }.
 */
async function main(): Promise<void> {
  const [memoryCost, timeCost, parallelism, asked, seconds] = process.argv.slice(2, 7).map(Number);
  // The auth service's PasswordHasher default: every core it may use but one, at least one.
  const concurrency = asked > 0 ? asked : Math.max(1, availableParallelism() - 1);
  const secret = process.env.PASSWORD_PEPPER ? Buffer.from(process.env.PASSWORD_PEPPER) : undefined;
  const password = 'benchmark password';
  const hash = await argon2.hash(password, {
    type: argon2.argon2id,
    memoryCost,
    timeCost,
    parallelism,
    secret,
  });
  let verifications = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        if (!(await argon2.verify(hash, password, { secret })))
          throw new Error('verification failed');
        verifications += 1;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `${JSON.stringify({ verifications, seconds: elapsed, perSecond: verifications / elapsed })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
