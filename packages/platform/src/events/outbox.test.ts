import { randomUUID } from 'node:crypto';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { uniqueSuffix } from '@bastion/testing';
import { migrationSchema, openDataSource, schemaOf } from '../db/data-source';
import { InvalidEventError, type EventPayload, type EventType } from './catalog';
import { enqueueEvent } from './outbox';
import { InboxRow, OutboxRow, eventTablesSql } from './outbox.entity';

const url = process.env.DATABASE_URL || process.env.BASTION_TEST_DATABASE_URL!;

class Tables1700000000000 implements MigrationInterface {
  name = 'Tables1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    const s = migrationSchema(queryRunner);
    for (const sql of eventTablesSql(s)) await queryRunner.query(sql);
    await queryRunner.query(`CREATE TABLE ${s}.accounts (id uuid PRIMARY KEY)`);
  }
  async down(): Promise<void> {}
}

/** A producer cannot get a malformed event into the outbox, and the change it announces rolls back. */
describe('enqueueEvent', () => {
  let dataSource: DataSource;
  let s: string;

  beforeAll(async () => {
    dataSource = await openDataSource({
      url,
      schema: `outbox_${uniqueSuffix()}`,
      entities: [OutboxRow, InboxRow],
      migrations: [Tables1700000000000],
    });
    s = schemaOf(dataSource);
  });
  afterAll(async () => {
    await dataSource.query(`DROP SCHEMA ${s} CASCADE`);
    await dataSource.destroy();
  });

  /** Creates an account and announces it in one transaction, as a service does. */
  const createAccount = (type: EventType, payload: (id: string) => unknown) => {
    const id = randomUUID();
    const work = dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO ${s}.accounts (id) VALUES ($1)`, [id]);
      await enqueueEvent(manager, type, payload(id) as EventPayload<typeof type>);
    });
    return { id, work };
  };
  const state = async (id: string) => ({
    accounts: (await dataSource.query(`SELECT id FROM ${s}.accounts WHERE id = $1`, [id])).length,
    outbox: (
      await dataSource.query(`SELECT data FROM ${s}.outbox WHERE data->>'userId' = $1`, [id])
    ).map((row: { data: unknown }) => row.data),
  });

  it('commits a well-formed event with the change', async () => {
    const { id, work } = createAccount('USER_DELETED', (userId) => ({ userId }));
    await work;
    expect(await state(id)).toEqual({ accounts: 1, outbox: [{ userId: id }] });
  });

  it.each([
    ['a malformed payload', 'USER_CREATED', (userId: string) => ({ userId, email: 42 })],
    ['a missing field', 'USER_CREATED', (userId: string) => ({ userId, email: 'a@example.com' })],
    ['a field the catalog lacks', 'USER_DELETED', (userId: string) => ({ userId, extra: true })],
    ['an unknown type', 'USER_PURGED', (userId: string) => ({ userId })],
  ] as const)('refuses %s at publish and rolls the change back', async (_, type, payload) => {
    const { id, work } = createAccount(type as EventType, payload);
    await expect(work).rejects.toThrow(InvalidEventError);
    expect(await state(id)).toEqual({ accounts: 0, outbox: [] });
  });
});
