import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testEnv } from '../../test/support/env';
import { freePort } from '../temporal/index';
import { createDialect, isDatabaseUnavailable } from './dialect';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), true],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET'), true],
    ['a server shutting down (57P01)', withCode('terminating connection due to administrator command', '57P01'), true],
    ['a server starting up (57P03)', withCode('the database system is starting up', '57P03'), true],
    ['a connection exception (08006)', withCode('connection failure', '08006'), true],
    ['a lost connection', new Error('Connection terminated unexpectedly'), true],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect'), true],
    ['one inside a cause', new Error('saving failed', { cause: withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED') }), true],
    ['one of an AggregateError', new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''), true],
    ['a syntax error', withCode('syntax error at or near "selec"', '42601'), false],
    ['a unique violation', withCode('duplicate key value violates unique constraint', '23505'), false],
    ['something else', new Error('boom'), false],
    ['not an error', 'ECONNREFUSED', false],
  ])('%s: %s', (_name, error, expected) => {
    expect(isDatabaseUnavailable(error)).toBe(expected);
  });

  it('tells a server nobody runs from a query the server refused', async () => {
    const down = new Kysely<unknown>({ dialect: await createDialect({ url: `postgres://postgres@127.0.0.1:${await freePort()}/x` }) });
    const refused = await sql`select 1`.execute(down).catch((error: unknown) => error);
    expect(isDatabaseUnavailable(refused)).toBe(true);
    await down.destroy();

    const up = new Kysely<unknown>({ dialect: await createDialect({ url: testEnv.postgresUrl }) });
    const bad = await sql`selec 1`.execute(up).catch((error: unknown) => error);
    expect(isDatabaseUnavailable(bad)).toBe(false);
    await up.destroy();
  });

  it('survives a connection that breaks while it is checked out between two queries', async () => {
    const broken: Error[] = [];
    const db = new Kysely<unknown>({
      dialect: await createDialect({ url: testEnv.postgresUrl, onConnectionError: (e) => broken.push(e) }),
    });
    const admin = new pg.Client({ connectionString: testEnv.postgresUrl });
    await admin.connect();
    try {
      const failed = await db
        .transaction()
        .execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
          // The server's goodbye arrives while no query runs on the connection: without a
          // listener on it, that 'error' event would end the process.
          await expect.poll(() => broken.length, { timeout: 5000, interval: 20 }).toBeGreaterThan(0);
          await sql`select 1`.execute(trx);
        })
        .catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(Error);
      // The pool opens a new connection for the next query.
      expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await db.destroy();
    }
  });
});
