import { createDataSource } from './data-source';

// The embedded server enforces its own idle limit (embedded-postgres.test.ts); on PostgreSQL the
// pool hands the limits to the server as session settings.
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

onPostgres('PostgreSQL session limits of a DataSource', () => {
  const dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema: 'public',
    entities: [],
    migrations: [],
    timeouts: { idleInTransactionMs: 700, statementMs: 300 },
  });

  beforeAll(() => dataSource.initialize());
  afterAll(() => dataSource.destroy());

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
