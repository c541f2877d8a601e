import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import {
  startPrivateNats,
  startPrivatePostgres,
  startPrivateRedis,
  type PrivateService,
} from './private-services';
import { PLATFORM_SETUP_MS } from './env';

/** The fault tests' private services: each starts, stops, is killed and comes back on its port. */
describe('private backing services', () => {
  const services: PrivateService[] = [];
  afterAll(async () => {
    await Promise.all(services.map((service) => service.destroy()));
  }, PLATFORM_SETUP_MS);

  it('PostgreSQL keeps its data across a fast stop and a kill', async () => {
    const pg = await startPrivatePostgres();
    services.push(pg);
    const query = async (sql: string) => {
      const client = new Client({ connectionString: pg.url });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    };
    await query("CREATE TABLE kept AS SELECT 'yes' AS answer");
    await pg.stop();
    expect(pg.isRunning).toBe(false);
    await expect(query('SELECT 1')).rejects.toThrow();
    await pg.start();
    await pg.kill();
    await pg.start();
    expect(await query('SELECT answer FROM kept')).toEqual([{ answer: 'yes' }]);
  });

  it('NATS keeps its JetStream streams across a restart', async () => {
    const nats = await startPrivateNats();
    services.push(nats);
    const streams = async (create?: string) => {
      const connection = await connect({ servers: nats.url, reconnect: false });
      try {
        const manager = await jetstreamManager(connection);
        if (create) await manager.streams.add({ name: create, subjects: [`${create}.>`] });
        return (await manager.streams.names().next()) as string[];
      } finally {
        await connection.close();
      }
    };
    await streams('KEPT');
    await nats.stop();
    await nats.start();
    await nats.kill();
    await nats.start();
    expect(await streams()).toContain('KEPT');
  });

  it('Redis comes back empty after a restart', async () => {
    const redis = await startPrivateRedis();
    services.push(redis);
    const command = async (run: (client: Redis) => Promise<unknown>) => {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 0 });
      try {
        return await run(client);
      } finally {
        client.disconnect();
      }
    };
    await command((client) => client.set('kept', 'no'));
    expect(await command((client) => client.get('kept'))).toBe('no');
    await redis.stop();
    await redis.start();
    expect(await command((client) => client.get('kept'))).toBeNull();
    await redis.kill();
    await redis.start();
    expect(await command((client) => client.ping())).toBe('PONG');
  });
});
