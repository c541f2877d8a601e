import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';

/** Work waiting for its transaction to commit, per query runner. */
const pending = new WeakMap<QueryRunner, Array<() => void>>();
const installed = new WeakSet<DataSource>();

/** Runs queued work when the outermost transaction commits; drops it when it rolls back. */
const subscriber: EntitySubscriberInterface = {
  afterTransactionCommit({ queryRunner }) {
    if (queryRunner.isTransactionActive) return; // a savepoint released: the transaction goes on
    const work = pending.get(queryRunner);
    pending.delete(queryRunner);
    for (const run of work ?? []) run();
  },
  afterTransactionRollback({ queryRunner }) {
    if (!queryRunner.isTransactionActive) pending.delete(queryRunner);
  },
};

/**
 * Runs `work` once the caller's transaction has committed (at once outside a transaction), never
 * if it rolls back. For what must not happen for a change that did not: mail to the user.
 * Services that own their transaction send after it instead; this is for seams such as
 * FactorLifecycle, which runs inside another module's transaction.
 */
export function afterCommit(manager: EntityManager, work: () => void): void {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    work();
    return;
  }
  const dataSource = manager.connection;
  if (!installed.has(dataSource)) {
    installed.add(dataSource);
    dataSource.subscribers.push(subscriber);
  }
  const queue = pending.get(runner) ?? [];
  queue.push(work);
  pending.set(runner, queue);
}
