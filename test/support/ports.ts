import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The first port of the kernel's ephemeral range: `listen(0)` and outgoing connections take
 * their ports from there, so any process may take one of those at any moment.
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32768;
  } catch {
    return 32768;
  }
}

const BLOCK = 400;
const FIRST = 16000;
const blocks = Math.max(1, Math.floor((ephemeralLow() - FIRST) / BLOCK));
// One block of ports for each vitest worker, so two test files running at once never pick the same one.
const pool = Number(process.env.VITEST_POOL_ID ?? '1');
const base = FIRST + ((Number.isInteger(pool) && pool > 0 ? pool - 1 : 0) % blocks) * BLOCK;
let next = Math.floor(Math.random() * BLOCK);

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port for a process that binds it later, seconds after it is picked (a service's
 * dev server, a PostgreSQL cluster after initdb). A port from `listen(0)` could be taken in
 * between by another process picking its own ports (another test's dev server picks several);
 * these come from below the ephemeral range, from this vitest worker's own block.
 */
export async function portForLater(): Promise<number> {
  for (let tried = 0; tried < BLOCK; tried += 1) {
    const port = base + (next % BLOCK);
    next += 1;
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${base}-${base + BLOCK - 1}`);
}
