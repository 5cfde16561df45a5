/**
 * Starting and stopping `npm start`'s process: a bad setting stops it before anything starts,
 * with one line and exit status 2.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/temporal/index';
import { killServiceChildren, startServiceChild, type ServiceChild } from '../support/service-child';

const children: ServiceChild[] = [];

/** Whether something accepts connections on a loopback port. */
function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'scimflow-start-stop-'));
});

afterAll(async () => {
  await killServiceChildren(children);
  await rm(tmp, { recursive: true, force: true });
});

describe('a bad setting', () => {
  it.each([
    ['PORT=abc', { PORT: 'abc' }, 'scimflow: bad setting: PORT must be a port number from 0 to 65535 (got "abc")'],
    [
      'a malformed SCIMFLOW_SECRET_KEY and a DATABASE_URL that is not a URL',
      { SCIMFLOW_SECRET_KEY: 'not-a-key', DATABASE_URL: 'localhost:5432/scimflow' },
      'scimflow: bad settings: DATABASE_URL must be a postgres:// or postgresql:// URL; SCIMFLOW_SECRET_KEY must be 32 bytes written as 64 hex characters or as base64',
    ],
  ])('%s stops start-up with one line and exit status 2, before anything is started or written', async (_name, bad, line) => {
    const dataDir = join(tmp, `never-${children.length}`);
    const temporalPort = await freePort();
    const child = startServiceChild({ SCIMFLOW_DATA_DIR: dataDir, TEMPORAL_PORT: String(temporalPort), ...bad }, children);
    const { code } = await child.exited;
    expect(code).toBe(2);
    expect(child.output.filter((l) => l !== '')).toEqual([line]);
    expect(existsSync(dataDir)).toBe(false);
    // No dev server was started on its port.
    expect(await listens(temporalPort)).toBe(false);
  });
});
