import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Pool, type PoolClient } from 'pg';
import type { Logger } from '../../logging/logger';
import { quoteIdent } from '../../db/data-source';
import { POOL_ERROR_GUARD } from '../../db/pool-errors';
import type { EventType } from '../catalog';
import { readEvent, reportSetAside, type Rejection } from '../set-aside';
import type {
  BroadcastOptions,
  BusHealth,
  EventBus,
  EventHandler,
  Subscription,
  WireEvent,
} from '../types';
import {
  ConsumerLoop,
  type EventSource,
  type StoredEvent,
  type StoredEventHandler,
} from './consumer-loop';

export interface DatabaseBusOptions {
  /** Any PostgreSQL, or the embedded PGlite served over the wire protocol. */
  url: string;
  /** Schema holding the stream table and the consumer cursors. */
  schema: string;
  logger: Logger;
  /** How often other processes' events are looked for (this process's own wake consumers at once). */
  pollIntervalMs?: number;
  /** Events older than this are deleted (as a JetStream stream's max age); default 7 days. */
  retentionDays?: number;
  /**
   * This process is the only one on the database (embedded mode holds the DATA_DIR lock): leases
   * left by a killed predecessor are taken over at once instead of after they expire.
   */
  soleProcess?: boolean;
}

/** Serialises publishers so sequence numbers commit in order and no reader skips a late commit. */
const PUBLISH_LOCK = 0x62_75_73; // "bus"
const LEASE_SECONDS = 15;

/**
 * The bus without NATS: a stream table in the database and one cursor per consumer group, with
 * JetStream's semantics. `publish` returns once the row is committed; a consumer group that
 * subscribes later, or was down, starts from its cursor and misses nothing; one process of a
 * group at a time holds the group's lease. Broadcasts read from the head at subscribe time.
 */
export class DatabaseBus implements EventBus, EventSource {
  private readonly pool: Pool;
  private readonly table: string;
  private readonly cursors: string;
  private readonly deadLetters: string;
  private readonly wake = new EventEmitter();
  private readonly loops = new Set<ConsumerLoop>();
  private readonly instance = randomUUID();
  private connected = true;
  private headTimer: NodeJS.Timeout | undefined;
  private lastHead = 0n;
  private lastPrune = 0;
  private closed = false;

  private constructor(private readonly options: DatabaseBusOptions) {
    this.pool = new Pool({
      ...POOL_ERROR_GUARD,
      connectionString: options.url,
      max: 3,
      connectionTimeoutMillis: 5_000,
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
    const schema = quoteIdent(options.schema);
    this.table = `${schema}.events`;
    this.cursors = `${schema}.cursors`;
    this.deadLetters = `${schema}.dead_letters`;
    this.wake.setMaxListeners(0);
  }

  static async connect(options: DatabaseBusOptions): Promise<DatabaseBus> {
    const bus = new DatabaseBus(options);
    await bus.migrate();
    bus.pollHead();
    return bus;
  }

  private async migrate(): Promise<void> {
    const schema = quoteIdent(this.options.schema);
    await this.underPublishLock(async (client) => {
      // Under the lock: concurrent first starts would race on CREATE ... IF NOT EXISTS.
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        seq bigserial PRIMARY KEY, id uuid NOT NULL UNIQUE, type text NOT NULL,
        envelope jsonb NOT NULL, stored_at timestamptz NOT NULL DEFAULT now())`);
      await client.query(`CREATE INDEX IF NOT EXISTS events_type_seq ON ${this.table} (type, seq)`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.cursors} (
        consumer text PRIMARY KEY, position bigint NOT NULL DEFAULT 0,
        leased_by text, leased_until timestamptz, updated_at timestamptz NOT NULL DEFAULT now())`);
      // Events a consumer group could not read against the catalog, kept for an operator to look at.
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.deadLetters} (
        consumer text NOT NULL, seq bigint NOT NULL, event_id text, type text, reason text NOT NULL,
        envelope jsonb, set_aside_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (consumer, seq))`);
    });
  }

  async publish(event: WireEvent): Promise<void> {
    // One statement, its own transaction: the publish lock is taken before the row's sequence
    // number is drawn and held until the commit, so events commit in sequence order and a reader
    // never skips one that commits late. The event id is the dedup key, like Nats-Msg-Id but for
    // as long as the event is kept.
    const { rows } = await this.track(
      this.pool.query<{ seq: string }>(
        `WITH locked AS (SELECT pg_advisory_xact_lock($4))
         INSERT INTO ${this.table} (id, type, envelope) SELECT $1, $2, $3 FROM locked
         ON CONFLICT (id) DO NOTHING RETURNING seq`,
        [event.id, event.type, JSON.stringify(event), PUBLISH_LOCK],
      ),
    );
    const stored = rows.length > 0 ? BigInt(rows[0].seq) : undefined;
    // The event right after the last head the poll saw: nothing of another process lies between,
    // so the poll need not wake every loop for it (seqs are drawn under the publish lock).
    if (stored === this.lastHead + 1n) this.lastHead = stored;
    this.wake.emit('event', event.type);
  }

  /** One transaction holding the publish lock from before the sequence is drawn until commit. */
  private async underPublishLock(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    // A checked-out client reports a dropped connection as an 'error' event: without a listener
    // that would crash the process; the failing query rejects anyway and the caller retries.
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [PUBLISH_LOCK]);
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', ignore);
      client.release();
    }
  }

  async subscribe<T extends EventType>(
    consumer: string,
    types: readonly T[],
    handler: EventHandler<T>,
  ): Promise<Subscription> {
    await this.track(
      this.pool.query(`INSERT INTO ${this.cursors} (consumer) VALUES ($1) ON CONFLICT DO NOTHING`, [
        consumer,
      ]),
    );
    return this.startLoop(
      new ConsumerLoop(this, {
        kind: 'group',
        name: consumer,
        types,
        handler: this.guard(consumer, types, handler, true),
        logger: this.options.logger,
      }),
    );
  }

  async broadcast<T extends EventType>(
    types: readonly T[],
    handler: EventHandler<T>,
    _options?: BroadcastOptions,
  ): Promise<Subscription> {
    // No gap can open: the loop reads the table from where it left off, whatever happened meanwhile.
    const head = await this.head();
    return this.startLoop(
      new ConsumerLoop(this, {
        kind: 'broadcast',
        name: 'broadcast',
        position: head,
        types,
        handler: this.guard('broadcast', types, handler, false),
        logger: this.options.logger,
      }),
    );
  }

  /**
   * The catalog check in front of a handler. A group's bad event becomes a row of `dead_letters`
   * (logged and counted when the row is new, so a redelivery does not report it twice) and is
   * then acknowledged like a handled one. A broadcast's is logged, counted and skipped.
   */
  private guard<T extends EventType>(
    consumer: string,
    types: readonly T[],
    handler: EventHandler<T>,
    store: boolean,
  ): StoredEventHandler {
    return async (raw, seq) => {
      const read = readEvent(raw, types);
      if (read.ok) return handler(read.event);
      if (!store || (await this.storeDeadLetter(consumer, seq, raw, read)))
        reportSetAside(this.options.logger, consumer, read);
    };
  }

  /** Whether the row is new. */
  private async storeDeadLetter(
    consumer: string,
    seq: bigint,
    raw: unknown,
    rejection: Rejection,
  ): Promise<boolean> {
    const { rows } = await this.track(
      this.pool.query(
        `INSERT INTO ${this.deadLetters} (consumer, seq, event_id, type, reason, envelope)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING seq`,
        [
          consumer,
          seq.toString(),
          rejection.eventId,
          rejection.type,
          rejection.reason,
          JSON.stringify(raw),
        ],
      ),
    );
    return rows.length > 0;
  }

  /** Events a consumer group set aside, oldest first (operators and tests read them). */
  async setAside(
    consumer: string,
  ): Promise<{ eventId: string | null; type: string | null; reason: string }[]> {
    const { rows } = await this.track(
      this.pool.query(
        `SELECT event_id AS "eventId", type, reason FROM ${this.deadLetters} WHERE consumer = $1 ORDER BY seq`,
        [consumer],
      ),
    );
    return rows;
  }

  private startLoop(loop: ConsumerLoop): Subscription {
    this.loops.add(loop);
    // A publish of this process names its type: only the loops that consume it look. The head
    // poll (another process published) names none and wakes every loop.
    const onEvent = (type?: string) => {
      if (type === undefined || loop.consumes(type)) loop.wake();
    };
    this.wake.on('event', onEvent);
    loop.start();
    return {
      stop: async () => {
        this.wake.off('event', onEvent);
        this.loops.delete(loop);
        await loop.stop();
      },
    };
  }

  health(): BusHealth {
    return { connected: this.connected && !this.closed };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.headTimer);
    await Promise.all([...this.loops].map((loop) => loop.stop()));
    this.loops.clear();
    await this.pool.end();
  }

  // --- EventSource: what a consumer loop needs ---

  async read(after: bigint, types: readonly string[], limit: number): Promise<StoredEvent[]> {
    const rows: { seq: string; envelope: WireEvent }[] = (
      await this.track(
        this.pool.query(
          `SELECT seq, envelope FROM ${this.table} WHERE seq > $1 AND type = ANY($2) ORDER BY seq LIMIT $3`,
          [after.toString(), [...types], limit],
        ),
      )
    ).rows;
    return rows.map((row) => ({ seq: BigInt(row.seq), event: row.envelope }));
  }

  /** Takes or renews the group's lease; returns its position when this instance holds it. */
  async lease(consumer: string): Promise<bigint | null> {
    const { rows } = await this.track(
      this.pool.query(
        `UPDATE ${this.cursors} SET leased_by = $2, leased_until = now() + make_interval(secs => $3)
       WHERE consumer = $1 AND ($4 OR leased_by IS NULL OR leased_by = $2 OR leased_until < now()) RETURNING position`,
        [consumer, this.instance, LEASE_SECONDS, this.options.soleProcess === true],
      ),
    );
    return rows.length > 0 ? BigInt(rows[0].position) : null;
  }

  async ack(consumer: string, seq: bigint): Promise<void> {
    await this.track(
      this.pool.query(
        `UPDATE ${this.cursors} SET position = $3, updated_at = now() WHERE consumer = $1 AND leased_by = $2 AND position < $3`,
        [consumer, this.instance, seq.toString()],
      ),
    );
  }

  async release(consumer: string): Promise<void> {
    await this.pool
      .query(
        `UPDATE ${this.cursors} SET leased_by = NULL, leased_until = NULL WHERE consumer = $1 AND leased_by = $2`,
        [consumer, this.instance],
      )
      .catch(() => undefined);
  }

  private async head(): Promise<bigint> {
    const { rows } = await this.track(
      this.pool.query(`SELECT coalesce(max(seq), 0) AS head FROM ${this.table}`),
    );
    return BigInt(rows[0].head);
  }

  /** One cheap query per interval tells every loop of this process when another process published. */
  private pollHead(): void {
    this.headTimer = setTimeout(async () => {
      try {
        const head = await this.head();
        if (head > this.lastHead) {
          this.lastHead = head;
          this.wake.emit('event');
        }
        await this.pruneHourly();
      } catch {
        // track() recorded the outage; readiness reports it.
      }
      if (!this.closed) this.pollHead();
    }, this.options.pollIntervalMs ?? 500);
    this.headTimer.unref();
  }

  private async pruneHourly(): Promise<void> {
    if (Date.now() - this.lastPrune < 3_600_000) return;
    this.lastPrune = Date.now();
    const days = this.options.retentionDays ?? 7;
    await this.pool.query(
      `DELETE FROM ${this.table} WHERE stored_at < now() - make_interval(days => $1)`,
      [days],
    );
  }

  /** Records whether the database answered, for health(). */
  private async track<T>(work: Promise<T>): Promise<T> {
    try {
      const result = await work;
      this.connected = true;
      return result;
    } catch (error) {
      if (!this.closed) this.connected = false;
      throw error;
    }
  }
}
