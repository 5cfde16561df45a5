/**
 * `npm run bench -- initial-sync [--users N] [--concurrency C] [--page-size P] [--database-url URL] [--timeout-minutes M] [--cpu-profile DIR]`
 *
 * Prints the figures and writes them to `bench/results/initial-sync-<N>.json`. Every process
 * the benchmark starts is stopped at the end, also when it fails or is interrupted.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatInitialSync, writeInitialSync } from './report';
import { runInitialSync } from './initial-sync';
import { Teardown } from './teardown';

const USAGE = `usage: npm run bench -- initial-sync [options]

  --users N            directory users to provision (default 10000)
  --concurrency C      objects reconciled at once, and the raw loop's concurrency (default 8, the service's default)
  --page-size P        Graph page size of the full listing, 1..999 (default 999)
  --database-url URL   PostgreSQL server to create a fresh database on (default: in-memory PGlite in the worker)
  --timeout-minutes M  give up when the initial cycle takes longer (default 60)
  --cpu-profile DIR    write a V8 CPU profile (.cpuprofile) of the worker process into DIR
`;

function positiveInteger(name: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be an integer from 1 to ${max}, not "${text}"`);
  return value;
}

function parse() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      users: { type: 'string', default: '10000' },
      concurrency: { type: 'string', default: '8' },
      'page-size': { type: 'string', default: '999' },
      'database-url': { type: 'string' },
      'timeout-minutes': { type: 'string', default: '60' },
      'cpu-profile': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (positionals.length !== 1 || positionals[0] !== 'initial-sync') throw new Error(`unknown benchmark "${positionals.join(' ')}"\n${USAGE}`);
  const databaseUrl = values['database-url'];
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('--database-url must be a postgres:// URL');
  return {
    users: positiveInteger('users', values.users),
    concurrency: positiveInteger('concurrency', values.concurrency, 64),
    pageSize: positiveInteger('page-size', values['page-size'], 999),
    timeoutMinutes: positiveInteger('timeout-minutes', values['timeout-minutes']),
    ...(databaseUrl && { databaseUrl }),
    ...(values['cpu-profile'] && { cpuProfileDir: resolve(values['cpu-profile']) }),
  };
}

const started = Date.now();
const log = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(7)} s] ${line}\n`);

const teardown = new Teardown();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping everything`);
    void teardown.run().finally(() => process.exit(130));
  });
}

let exitCode = 0;
try {
  const options = parse();
  const result = await runInitialSync(options, teardown, log);
  process.stdout.write(formatInitialSync(result));
  log(`written to ${await writeInitialSync(result)}`);
} catch (error) {
  exitCode = 1;
  console.error(`\ninitial-sync FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  log('stopping the servers');
  await teardown.run();
}
process.exit(exitCode);
