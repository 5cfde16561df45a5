import { Kysely, sql } from 'kysely';
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
});
