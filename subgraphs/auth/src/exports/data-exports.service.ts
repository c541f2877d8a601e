import { createHmac, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { MoreThan, type DataSource } from 'typeorm';
import { AppError, schemaOf, type ClientInfo, type Viewer } from '@bastion/platform';
import { recordAudit } from '../audit/audit';
import { UserEntity } from '../users/user.entity';
import { authDataExport } from './auth-data';
import { DataExportEntity } from './data-export.entity';

/** How long a download link works from the answer that gave it. */
export const EXPORT_LINK_SECONDS = 15 * 60;
/** A RUNNING export older than this died with its process: it no longer blocks a new one. */
const RUNNING_STALE_MS = 10 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** User.dataExports lists this far back. */
const LISTED_MS = 30 * DAY_MS;

/** An export as the API shows it (DataExport); userId is what the owner rule compares. */
export interface DataExportView {
  id: string;
  userId: string;
  status: string;
  downloadUrl: string | null;
  expiresAt: Date | null;
  createdAt: Date;
}

/** What a download link answered: the document, or a refusal with its HTTP status and code. */
export type DownloadAnswer =
  | { ok: true; userId: string; document: Record<string, unknown> }
  | { ok: false; status: number; code: string; message: string };

export interface DataExportSettings {
  /** Exports a user may request per 24 hours (DATA_EXPORTS_PER_DAY). */
  perDay: number;
  /** The gateway's public origin: links are `<origin>/exports/<id>?token=...`. */
  publicOrigin: () => string;
}

/**
 * Users' data exports (README "Your data"): one running export per user, a bounded number a
 * day, every service's part gathered by `gather` (through the internal gateway) into one stored
 * document, downloaded by a link signed under auth's own key.
 */
export class DataExports {
  /** The clock of links (ms since the epoch); tests move it instead of waiting 15 minutes. */
  public clock: () => number = Date.now;

  constructor(
    private readonly dataSource: DataSource,
    /** Every service's part of the user's data, or an AppError (UPSTREAM_UNAVAILABLE). */
    private readonly gather: (userId: string) => Promise<Record<string, unknown>>,
    /** HMAC key of links: auth's alone (exportLinkKey), so no other service can mint one. */
    private readonly linkKey: KeyObject,
    private readonly settings: DataExportSettings,
  ) {}

  /**
   * Starts an export and gathers it: the RUNNING row is committed first (with the checks, under
   * the user's row lock, so two concurrent requests cannot both pass), then the services are asked
   * and the row becomes READY with its document, or FAILED (UPSTREAM_UNAVAILABLE).
   */
  async request(userId: string, client: ClientInfo): Promise<DataExportView> {
    const id = randomUUID();
    const createdAt = new Date();
    await this.dataSource.transaction(async (manager) => {
      const user = await manager
        .getRepository(UserEntity)
        .findOne({ where: { id: userId }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw new AppError('NOT_FOUND');
      const exports = manager.getRepository(DataExportEntity);
      const today = await exports.find({
        where: { userId, createdAt: MoreThan(new Date(createdAt.getTime() - DAY_MS)) },
        order: { createdAt: 'ASC' },
      });
      const staleBefore = createdAt.getTime() - RUNNING_STALE_MS;
      if (today.some((e) => e.status === 'RUNNING' && e.createdAt.getTime() > staleBefore))
        throw new AppError('CONFLICT', {
          message: 'An export of your data is already running; wait for it to finish.',
          extensions: { reason: 'EXPORT_RUNNING' },
        });
      if (today.length >= this.settings.perDay) {
        const retryAfter = Math.max(
          1,
          Math.ceil((today[0].createdAt.getTime() + DAY_MS - createdAt.getTime()) / 1000),
        );
        throw new AppError('RATE_LIMITED', {
          message: `At most ${this.settings.perDay} exports a day; try again in ${retryAfter} seconds.`,
          extensions: { retryAfter },
        });
      }
      await exports.insert({ id, userId, status: 'RUNNING', document: null, createdAt });
      await recordAudit(manager, {
        actorId: userId,
        action: 'user.data_export_requested',
        targetType: 'user',
        targetId: userId,
        client,
      });
    });
    const repository = this.dataSource.getRepository(DataExportEntity);
    let document: Record<string, unknown>;
    try {
      document = await this.gather(userId);
    } catch (error) {
      await repository.update({ id }, { status: 'FAILED', completedAt: new Date() });
      throw error;
    }
    // As JSON text: the document is any JSON, which the repository's typed update cannot take.
    await this.dataSource.query(
      `UPDATE ${schemaOf(this.dataSource)}.data_exports SET status = 'READY', document = $2::jsonb, completed_at = now() WHERE id = $1`,
      [id, JSON.stringify(document)],
    );
    return this.view({ id, userId, status: 'READY', createdAt });
  }

  /** Auth's own part of a user's export (UserDataExport.auth). */
  authPart(userId: string) {
    return authDataExport(this.dataSource, userId);
  }

  /**
   * The user's exports of the last 30 days, newest first, READY ones with a fresh link unless
   * `withLinks` is off (an impersonated session sees the exports, never a link).
   */
  async list(userId: string, withLinks = true): Promise<DataExportView[]> {
    const rows = await this.dataSource.getRepository(DataExportEntity).find({
      select: { id: true, userId: true, status: true, createdAt: true },
      where: { userId, createdAt: MoreThan(new Date(Date.now() - LISTED_MS)) },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    return rows.map((row) =>
      withLinks ? this.view(row) : { ...row, downloadUrl: null, expiresAt: null },
    );
  }

  /**
   * A link's answer. The token must be this export's (its id and its user are signed), then
   * unexpired (410 EXPORT_LINK_EXPIRED); a caller who presented a credential must be the export's
   * user (403 FORBIDDEN): the link is the credential, a bearer can only narrow it.
   */
  async download(exportId: string, token: string, viewer: Viewer): Promise<DownloadAnswer> {
    const invalid: DownloadAnswer = {
      ok: false,
      status: 403,
      code: 'EXPORT_LINK_INVALID',
      message: 'This download link is not valid.',
    };
    const [expiresPart, signature] = token.split('.');
    const expires = Number(expiresPart);
    if (!signature || !Number.isSafeInteger(expires) || !UUID.test(exportId)) return invalid;
    const row = await this.dataSource.getRepository(DataExportEntity).findOneBy({ id: exportId });
    if (!row || row.status !== 'READY' || !row.document) return invalid;
    const expected = Buffer.from(this.sign(row.id, row.userId, expires), 'base64url');
    const presented = Buffer.from(signature, 'base64url');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
      return invalid;
    if (this.clock() >= expires * 1000)
      return {
        ok: false,
        status: 410,
        code: 'EXPORT_LINK_EXPIRED',
        message: 'This download link expired; ask for a new one (User.dataExports).',
      };
    // Impersonation never reaches credentials, and a link is one (User.dataExports hides it too).
    if (viewer.kind === 'user' && viewer.actor)
      return {
        ok: false,
        status: 403,
        code: 'FORBIDDEN',
        message: 'An impersonated session cannot download an export.',
      };
    if (viewer.kind !== 'anonymous' && !(viewer.kind === 'user' && viewer.userId === row.userId))
      return {
        ok: false,
        status: 403,
        code: 'FORBIDDEN',
        message: 'This export belongs to another user.',
      };
    return { ok: true, userId: row.userId, document: row.document };
  }

  private view(row: Pick<DataExportEntity, 'id' | 'userId' | 'status' | 'createdAt'>) {
    const base = { id: row.id, userId: row.userId, status: row.status, createdAt: row.createdAt };
    if (row.status !== 'READY') return { ...base, downloadUrl: null, expiresAt: null };
    const expires = Math.floor(this.clock() / 1000) + EXPORT_LINK_SECONDS;
    const url = new URL(`/exports/${row.id}`, this.settings.publicOrigin());
    url.searchParams.set('token', `${expires}.${this.sign(row.id, row.userId, expires)}`);
    return { ...base, downloadUrl: url.toString(), expiresAt: new Date(expires * 1000) };
  }

  private sign(exportId: string, userId: string, expires: number): string {
    return createHmac('sha256', this.linkKey)
      .update(`data-export:${exportId}:${userId}:${expires}`)
      .digest('base64url');
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
