import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEVELOPMENT_INBOX_LIMIT,
  DevelopmentInbox,
  developmentInbox,
  appBaseUrl,
} from './development-inbox';

const mail = (n: number) => ({
  service: 'auth',
  from: 'Bastion <no-reply@localhost>',
  to: `user-${n}@example.com`,
  subject: `message ${n}`,
  text: `body ${n}`,
});

describe('DevelopmentInbox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bastion-inbox-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the last 200 messages by default', () => {
    expect(DEVELOPMENT_INBOX_LIMIT).toBe(200);
  });

  it('lists newest first, keeps only the newest `limit`, and survives a restart (a new instance)', async () => {
    const inbox = new DevelopmentInbox(dir, 3);
    for (let n = 1; n <= 5; n++) await inbox.keep(mail(n));
    const restarted = new DevelopmentInbox(dir, 3);
    expect((await restarted.list()).map((m) => m.subject)).toEqual([
      'message 5',
      'message 4',
      'message 3',
    ]);
    expect(readdirSync(dir)).toHaveLength(3);
  });

  it('shows two processes’ mail in one listing (one directory, names that never collide)', async () => {
    const [a, b] = [new DevelopmentInbox(dir), new DevelopmentInbox(dir)];
    await Promise.all([a.keep(mail(1)), b.keep(mail(2)), a.keep(mail(3)), b.keep(mail(4))]);
    expect((await a.list()).map((m) => m.to).sort()).toEqual([
      'user-1@example.com',
      'user-2@example.com',
      'user-3@example.com',
      'user-4@example.com',
    ]);
  });

  it('lists nothing before the first message', async () => {
    expect(await new DevelopmentInbox(join(dir, 'absent')).list()).toEqual([]);
  });
});

describe('when mail is kept, and where its links point', () => {
  it.each([
    ['development', undefined, true],
    ['test', undefined, true],
    ['development', 'smtp://127.0.0.1:2525', false],
    ['production', undefined, false],
  ])('NODE_ENV=%s SMTP_URL=%s: kept %s', (env, smtp, kept) => {
    expect(
      developmentInbox({ NODE_ENV: env, SMTP_URL: smtp, DATA_DIR: './data' }) !== undefined,
    ).toBe(kept);
  });

  it.each([
    ['development', 'https://app.example.com', undefined, 'https://app.example.com'],
    ['development', undefined, undefined, 'http://127.0.0.1:4567/console'],
    ['development', undefined, 'on', 'http://127.0.0.1:4567/console'],
    ['development', undefined, 'off', 'http://127.0.0.1:4567'],
    ['production', undefined, undefined, 'http://localhost:3000'],
    ['production', undefined, 'on', 'http://localhost:3000'],
    ['production', 'https://app.example.com', 'on', 'https://app.example.com'],
  ] as const)('NODE_ENV=%s APP_URL=%s CONSOLE=%s: %s', (env, appUrl, console, expected) => {
    expect(
      appBaseUrl(
        { NODE_ENV: env, APP_URL: appUrl, CONSOLE: console },
        () => 'http://127.0.0.1:4567',
      )(),
    ).toBe(expected);
  });

  it('separate processes: the gateway’s default address (its console, or its pages with CONSOLE=off)', () => {
    expect(appBaseUrl({ NODE_ENV: 'development' })()).toBe('http://127.0.0.1:4000/console');
    expect(appBaseUrl({ NODE_ENV: 'development', CONSOLE: 'off' })()).toBe('http://127.0.0.1:4000');
  });
});
