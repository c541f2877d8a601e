import type { DataSource } from 'typeorm';
import { startPrivatePostgres, type PrivateService } from '@bastion/testing';
import { createDataSource } from './data-source';

// The embedded server enforces its own idle limit (embedded-postgres.test.ts); on PostgreSQL the
// pool hands the limits to the server as session settings. Runs on the suite's PostgreSQL when
// DATABASE_URL is set, else on a private PostgreSQL of its own (never skipped).
describe('PostgreSQL session limits of a DataSource', () => {
  let privatePostgres: PrivateService | undefined;
  let dataSource: DataSource;

  beforeAll(async () => {
    let url = process.env.DATABASE_URL;
    if (!url) {
      privatePostgres = await startPrivatePostgres();
      url = privatePostgres.url;
    }
    dataSource = createDataSource({
      url,
      schema: 'public',
      entities: [],
      migrations: [],
      timeouts: { idleInTransactionMs: 700, statementMs: 300 },
    });
    await dataSource.initialize();
  }, 180_000); // initdb and a start of its own on a loaded machine
  afterAll(async () => {
    await dataSource?.destroy();
    await privatePostgres?.destroy();
  });

  it('cancels a statement running past the statement timeout (57014)', async () => {
    await expect(dataSource.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
  });

  it('ends a session left idle inside a transaction', async () => {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    const client = (await runner.connect()) as {
      once(event: 'error', f: (e: unknown) => void): void;
    };
    const cut = new Promise<unknown>((resolve) => client.once('error', resolve));
    await runner.startTransaction();
    await expect(cut).resolves.toMatchObject({ code: '25P03' });
    await runner.release().catch(() => undefined);
    await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });
});
