/* eslint-disable security/detect-non-literal-fs-filename -- DATA_DIR from config joined with fixed and generated names */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CONSOLE_PATH, consoleEnabled } from '../config/common';

/** One message the development inbox kept: what a mail client would show, unmasked. */
export interface KeptMail {
  id: string;
  /** ISO 8601, when it was kept. */
  at: string;
  /** The service that sent it (auth, orgs). */
  service: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  link?: string;
}

/** How many messages the inbox keeps; older ones are deleted as new ones arrive. */
export const DEVELOPMENT_INBOX_LIMIT = 200;

/** Where the inbox lives under DATA_DIR: shared by every process started from one working directory. */
export function developmentInboxDir(dataDir: string): string {
  return resolve(dataDir, 'development-mail');
}

const NAME = /^\d{15}-\d{6}-[0-9a-f]{8}\.json$/;
let sequence = 0;

/**
 * Development mail kept as files under DATA_DIR (docs/operations.md "The development inbox"), one JSON file per message,
 * written whole (a temporary file renamed), so it survives restarts and every service's mail reaches
 * the gateway's /dev/inbox even when they run as separate processes. Bounded: the newest `limit`.
 */
export class DevelopmentInbox {
  constructor(
    readonly dir: string,
    private readonly limit = DEVELOPMENT_INBOX_LIMIT,
  ) {}

  async keep(mail: Omit<KeptMail, 'id' | 'at'>): Promise<KeptMail> {
    const now = Date.now();
    sequence = (sequence + 1) % 1_000_000;
    // Names sort by time (then by order within this process): the listing needs no parsing.
    const id = `${String(now).padStart(15, '0')}-${String(sequence).padStart(6, '0')}-${randomBytes(4).toString('hex')}`;
    const kept: KeptMail = { id, at: new Date(now).toISOString(), ...mail };
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${id}.json`);
    const draft = `${file}.${process.pid}.tmp`;
    await writeFile(draft, JSON.stringify(kept), { mode: 0o600 });
    await rename(draft, file);
    await this.prune();
    return kept;
  }

  /** The kept messages, newest first; a file another process deletes meanwhile is skipped. */
  async list(): Promise<KeptMail[]> {
    const names = await this.names();
    const mails: KeptMail[] = [];
    for (const name of names.reverse().slice(0, this.limit)) {
      try {
        mails.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as KeptMail);
      } catch {
        // Pruned by another process between the listing and the read, or not ours to show.
      }
    }
    return mails;
  }

  private async names(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((name) => NAME.test(name)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  private async prune(): Promise<void> {
    const names = await this.names();
    for (const name of names.slice(0, Math.max(0, names.length - this.limit))) {
      await unlink(join(this.dir, name)).catch(() => undefined);
    }
  }
}

/**
 * The inbox mail goes to instead of SMTP: outside production with no SMTP_URL only. Production
 * never keeps mail (a link in it is a credential), and with SMTP_URL mail is really sent.
 */
export function developmentInbox(config: {
  NODE_ENV: string;
  SMTP_URL?: string;
  DATA_DIR: string;
}): DevelopmentInbox | undefined {
  if (config.NODE_ENV === 'production' || config.SMTP_URL) return undefined;
  return new DevelopmentInbox(developmentInboxDir(config.DATA_DIR));
}

/** The gateway's public address with its default HOST and PORT (separate processes, APP_URL unset). */
export const DEVELOPMENT_GATEWAY_ORIGIN = 'http://127.0.0.1:4000';

/** APP_URL's default in production, where it should be set (links in mail point at the app). */
export const DEFAULT_APP_URL = 'http://localhost:3000';

/**
 * Where the app is: links in mail point under it (auth, orgs), and Stripe Checkout's success and
 * cancel URLs must be on its origin (credits). APP_URL; unset outside production, the web console
 * on the gateway's public listener (`<gateway>/console`, whose pages /verify-email,
 * /reset-password and /accept-invitation answer the mail links), or with CONSOLE=off the gateway's
 * own development pages at the same paths. Read each time a link is made: the all-in-one process
 * learns the gateway's port after the subgraphs start.
 */
export function appBaseUrl(
  config: { NODE_ENV: string; APP_URL?: string; CONSOLE?: 'on' | 'off' },
  gatewayOrigin?: () => string,
): () => string {
  return () => {
    if (config.APP_URL) return config.APP_URL;
    if (config.NODE_ENV === 'production') return DEFAULT_APP_URL;
    const gateway = (gatewayOrigin?.() ?? DEVELOPMENT_GATEWAY_ORIGIN).replace(/\/+$/, '');
    return consoleEnabled(config) ? `${gateway}${CONSOLE_PATH}` : gateway;
  };
}
