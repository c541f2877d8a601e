import type { DataSource } from 'typeorm';
import type { Logger } from '../logging/logger';
import { schemaOf } from '../db/data-source';
import type { EventBus, WireEvent } from './types';

const LEASE_SECONDS = 10;

export interface RelayOptions {
  source: string;
  /** Published rows are deleted after this many days (default 7): the bus has them. */
  retentionDays?: number;
  /** How often pending rows are looked for when nobody kicks the relay. */
  pollIntervalMs?: number;
  batchSize?: number;
}

/**
 * Publishes outbox rows and marks them sent. A row stays pending until the bus accepted it, so
 * a crash between commit and publish only delays the event; it may be published twice, which
 * consumers absorb through their inbox. Rows are claimed with SKIP LOCKED, so several instances
 * can relay one outbox.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private stopped = true;
  private lastPrune = 0;
  private hasReleasedStaleClaims = false;
  /** While the bus refuses events the relay backs off as a whole, not row by row. */
  private pausedUntil = 0;
  private backoffMs = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly options: RelayOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
    this.kick();
  }

  /**
   * Stops polling. With `drainTimeoutMs`, first publishes what is still pending (events of the
   * last requests served) until none is left or the time is up; what is left waits for the next
   * start, as after a crash.
   */
  async stop(drainTimeoutMs?: number): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (drainTimeoutMs === undefined) return;
    const deadline = Date.now() + drainTimeoutMs;
    try {
      while (Date.now() < deadline && (await this.publishBatch()) > 0);
    } catch (error) {
      this.logger.warn(
        { err: error },
        'outbox drain at shutdown failed; pending events wait for the next start',
      );
    }
  }

  get isRunning(): boolean {
    return !this.stopped;
  }

  /** Publish now rather than at the next poll; call after a transaction that enqueued events. */
  kick(): void {
    if (this.stopped || Date.now() < this.pausedUntil || !this.bus.health().connected) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = this.drain()
      .then(() => undefined)
      .catch((error) => this.logger.warn({ err: error }, 'outbox relay pass failed; will retry'))
      .finally(() => {
        this.running = undefined;
        if (this.rerun && !this.stopped) {
          this.rerun = false;
          this.kick();
        }
      });
  }

  /** Waits for the pass in flight, if any (tests use it to observe delivery). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.kick();
      if (!this.stopped) this.schedule();
    }, this.options.pollIntervalMs ?? 1000);
    this.timer.unref();
  }

  /** Publishes pending rows batch by batch until none is left. */
  async drain(): Promise<number> {
    await this.releaseStaleClaims();
    await this.pruneHourly();
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      // A batch short of full left nothing behind when claimed; rows enqueued since kicked the
      // relay (rerun), so no empty claim is needed to end the pass.
      if (
        published < (this.options.batchSize ?? 50) ||
        this.stopped ||
        Date.now() < this.pausedUntil
      )
        return total;
    }
  }

  /**
   * Claims a batch with a lease in one short statement, publishes outside any transaction, then
   * marks each row sent. No transaction stays open across a publish: PGlite runs one transaction
   * at a time, and the database bus publishes over another connection of the same database.
   */
  private async publishBatch(): Promise<number> {
    const rows: { id: string; type: string; data: Record<string, unknown>; occurred_at: Date }[] =
      await this.dataSource
        .query(
          `UPDATE ${this.table} SET claimed_until = now() + interval '${LEASE_SECONDS} seconds'
       WHERE id IN (
         SELECT id FROM ${this.table}
         WHERE published_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
         ORDER BY occurred_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, type, data, occurred_at`,
          [this.options.batchSize ?? 50],
        )
        .then(
          (result: unknown) =>
            (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as never,
        );
    rows.sort((a, b) => new Date(a.occurred_at).getTime() - new Date(b.occurred_at).getTime());
    let published = 0;
    for (const [index, row] of rows.entries()) {
      // Checked against the catalog when it was enqueued; consumers check it again on receipt.
      const event: WireEvent = {
        id: row.id,
        type: row.type,
        occurredAt: new Date(row.occurred_at).toISOString(),
        source: this.options.source,
        data: row.data,
      };
      try {
        await this.bus.publish(event);
      } catch (error) {
        await this.markPublished(rows.slice(0, index).map((r) => r.id));
        await this.pause(
          error,
          rows.slice(index).map((r) => r.id),
        );
        return published;
      }
      published += 1;
    }
    // One statement for the batch: a crash before it only republishes (consumers' inbox absorbs it).
    await this.markPublished(rows.map((r) => r.id));
    if (this.backoffMs > 0)
      this.logger.info(
        { source: this.options.source },
        'event bus accepts events again; outbox draining',
      );
    this.backoffMs = 0;
    return published;
  }

  private async markPublished(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE ${this.table} SET published_at = now(), claimed_until = NULL WHERE id = ANY($1)`,
      [ids],
    );
  }

  /**
   * The bus refused an event: the rest of the batch goes back to pending at once (no per-row
   * penalty, so the backlog drains as soon as the bus is back), and the relay waits, doubling up
   * to 30 s. One warning per outage, not one per row.
   */
  private async pause(error: unknown, pendingIds: string[]): Promise<void> {
    if (this.backoffMs === 0)
      this.logger.warn(
        { err: error, source: this.options.source, pending: pendingIds.length },
        'event bus refused an event; outbox keeps it and retries',
      );
    this.backoffMs = Math.min(30_000, Math.max(500, this.backoffMs * 2));
    this.pausedUntil = Date.now() + this.backoffMs;
    await this.dataSource.query(
      `UPDATE ${this.table} SET attempts = attempts + (id = $2)::int, claimed_until = NULL WHERE id = ANY($1)`,
      [pendingIds, pendingIds[0]],
    );
  }

  /**
   * A process killed mid-batch leaves its claims behind; rather than wait out their lease, a
   * starting relay frees them. Should another live instance be publishing them right now, the
   * event goes out twice, which the bus's dedup and the consumers' inbox absorb.
   */
  private async releaseStaleClaims(): Promise<void> {
    if (this.hasReleasedStaleClaims) return;
    await this.dataSource.query(
      `UPDATE ${this.table} SET claimed_until = NULL WHERE published_at IS NULL AND claimed_until IS NOT NULL`,
    );
    this.hasReleasedStaleClaims = true;
  }

  private async pruneHourly(): Promise<void> {
    if (Date.now() - this.lastPrune < 3_600_000) return;
    this.lastPrune = Date.now();
    const days = this.options.retentionDays ?? 7;
    await this.dataSource.query(
      `DELETE FROM ${this.table} WHERE published_at < now() - make_interval(days => $1)`,
      [days],
    );
  }

  private get table(): string {
    return `${schemaOf(this.dataSource)}.outbox`;
  }
}
