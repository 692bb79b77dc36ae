// Which PostgreSQL errors are a server gone for the moment (the matcher answers UNAVAILABLE, the
// gateway 503) and which are faults: real errors from a real server (test/support/postgres-server.ts,
// restarted under an open connection) and from a port where nothing listens.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUnavailable } from '../../libs/store/postgres.js';
import { grpc } from '../../libs/grpc/grpc.js';
import { statusOf } from '../../services/matcher/matcher-service.js';
import { freePort } from '../../services/spawn.js';
import { postgresServerUnavailable, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';

const noServer = postgresServerUnavailable();
if (noServer && process.env.CI === 'true') throw new Error(`${noServer} (required when CI=true)`);

const failure = (p: Promise<unknown>) => p.then(
  () => {
    throw new Error('expected a failure');
  },
  (err: unknown) => err,
);

describe('PostgreSQL unavailable, told from a fault', () => {
  it('nothing listening: unavailable, UNAVAILABLE', async () => {
    const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`, connectionTimeoutMillis: 2000 });
    const err = await failure(pool.query('SELECT 1'));
    await pool.end();
    expect(databaseUnavailable(err), String(err)).toBe(true);
    expect(statusOf(err)).toBe(grpc.status.UNAVAILABLE);
  });

  describe.skipIf(noServer !== null)(noServer === null ? 'a server of our own' : `a server of our own — SKIPPED: ${noServer}`, () => {
    let server: PostgresServer;
    beforeAll(async () => {
      const started = await startPostgresServer();
      if ('reason' in started) throw new Error(started.reason);
      server = started;
    });
    afterAll(async () => server?.stop());

    it('a statement that is wrong, or a duplicate key, is a fault (INTERNAL, or its own code), not unavailability', async () => {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const syntax = await failure(client.query('SELEC 1'));
        expect(databaseUnavailable(syntax)).toBe(false);
        expect(statusOf(syntax)).toBe(grpc.status.INTERNAL);
        await client.query('CREATE TEMP TABLE t (k int PRIMARY KEY)');
        await client.query('INSERT INTO t VALUES (1)');
        expect(databaseUnavailable(await failure(client.query('INSERT INTO t VALUES (1)')))).toBe(false);
      } finally {
        await client.end();
      }
    });

    it('restarted under a pooled connection: the query then and the ones while it is down are unavailable; the pool serves again after', async () => {
      const pool = new pg.Pool({ connectionString: server.url, connectionTimeoutMillis: 2000 });
      pool.on('error', () => undefined); // the idle connection ended by the shutdown
      const held = await pool.connect();
      const restarted = server.restart(1500);
      // Sessions are ended by the fast shutdown: the held connection's next query fails.
      const cut = await failure(held.query('SELECT pg_sleep(5)'));
      held.release(true);
      expect(databaseUnavailable(cut), String(cut)).toBe(true);
      const errors: unknown[] = [];
      let up = false;
      void restarted.then(() => (up = true));
      while (!up) {
        await pool.query('SELECT 1').catch((err: unknown) => errors.push(err));
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(errors.length, 'queries while it was down').toBeGreaterThan(0);
      for (const err of errors) expect(databaseUnavailable(err), String(err)).toBe(true);
      expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      await pool.end();
    });
  });
});
