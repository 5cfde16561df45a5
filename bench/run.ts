/**
 * `npm run bench -- initial-sync [--users N] [--concurrency C] [--page-size P] [--database-url URL] [--timeout-minutes M] [--cpu-profile DIR]`
 * `npm run bench -- log-export [--entries N]`
 * `npm run bench -- many-apps [--apps A] [--users U] [common options]`
 * `npm run bench -- groups [--users N] [--groups G] [--members-per-group M] [--members-per-patch L] [--seed S] [common options]`
 *
 * Prints the figures and writes them to `bench/results/initial-sync-<N>.json` or
 * `bench/results/groups-<N>-<G>.json`. Every process the benchmark starts is stopped at the end,
 * also when it fails or is interrupted.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_MEMBERS_PER_PATCH } from '../src/scim/index';
import type { Log } from './environment';
import { runGroups } from './groups';
import { formatLifecycle, runLifecycle, writeLifecycle } from './lifecycle';
import { runInitialSync } from './initial-sync';
import { formatLogExport, runLogExport, writeLogExport } from './log-export';
import { formatManyApps, runManyApps, writeManyApps } from './many-apps';
import { formatGroups, formatInitialSync, writeGroups, writeInitialSync } from './report';
import { Teardown } from './teardown';

const USAGE = `usage: npm run bench -- initial-sync|groups|lifecycle|many-apps|log-export [options]

  initial-sync         provision N users into an empty tenant
  lifecycle            leaver, joiner and on-demand latency with --apps A apps (default 10) over --leavers L leavers (default 100)
  groups               provision N users and G groups with their members, then run an incremental
                       cycle after 1% of the users and 1% of the memberships changed
  many-apps            --apps A apps (default 200) of --users U users each (default 500) started at once,
                       against the same A × U users in one app: fair share and the ratio of the two times
  log-export           export --entries N provisioning-log entries (default 100000) as CSV and NDJSON, time and peak memory

  --users N            directory users to provision (default 10000; many-apps: per app, default 500)
  --concurrency C      objects reconciled at once, and the raw loop's concurrency (default 8, the service's default)
  --page-size P        Graph page size of the full listing, 1..999 (default 999)
  --database-url URL   PostgreSQL server to create a fresh database on (default: in-memory PGlite in the worker)
  --timeout-minutes M  give up when a cycle takes longer (default 60)
  --cpu-profile DIR    write a V8 CPU profile (.cpuprofile) of the worker process into DIR

  groups only:
  --groups G           directory groups (default 1000)
  --members-per-group M  mean members per group, drawn from the users (default 50)
  --members-per-patch L  member changes per PATCH, for scimflow and the raw loop (default ${DEFAULT_MAX_MEMBERS_PER_PATCH})
  --seed S             seed of the group memberships and changes (default 1)
`;

const BENCHMARKS = ['initial-sync', 'groups', 'lifecycle', 'many-apps', 'log-export'] as const;

function positiveInteger(name: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be an integer from 1 to ${max}, not "${text}"`);
  return value;
}

function parse() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      users: { type: 'string' },
      concurrency: { type: 'string', default: '8' },
      'page-size': { type: 'string', default: '999' },
      'database-url': { type: 'string' },
      'timeout-minutes': { type: 'string', default: '60' },
      'cpu-profile': { type: 'string' },
      groups: { type: 'string', default: '1000' },
      'members-per-group': { type: 'string', default: '50' },
      'members-per-patch': { type: 'string', default: String(DEFAULT_MAX_MEMBERS_PER_PATCH) },
      seed: { type: 'string', default: '1' },
      apps: { type: 'string' },
      leavers: { type: 'string', default: '100' },
      entries: { type: 'string', default: '100000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const benchmark = BENCHMARKS.find((name) => positionals.length === 1 && positionals[0] === name);
  if (!benchmark) throw new Error(`unknown benchmark "${positionals.join(' ')}"\n${USAGE}`);
  const databaseUrl = values['database-url'];
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('--database-url must be a postgres:// URL');
  const manyApps = benchmark === 'many-apps';
  const users = positiveInteger('users', values.users ?? (manyApps ? '500' : '10000'));
  return {
    benchmark,
    users,
    concurrency: positiveInteger('concurrency', values.concurrency, 64),
    pageSize: positiveInteger('page-size', values['page-size'], 999),
    timeoutMinutes: positiveInteger('timeout-minutes', values['timeout-minutes']),
    ...(databaseUrl && { databaseUrl }),
    ...(values['cpu-profile'] && { cpuProfileDir: resolve(values['cpu-profile']) }),
    groups: positiveInteger('groups', values.groups),
    membersPerGroup: positiveInteger('members-per-group', values['members-per-group'], users),
    membersPerPatch: positiveInteger('members-per-patch', values['members-per-patch']),
    seed: positiveInteger('seed', values.seed, 2 ** 32 - 1),
    apps: positiveInteger('apps', values.apps ?? (manyApps ? '200' : '10'), manyApps ? 1000 : 100),
    leavers: positiveInteger('leavers', values.leavers),
    entries: positiveInteger('entries', values.entries),
  };
}

const started = Date.now();
const log: Log = (line) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(7)} s] ${line}\n`);

const teardown = new Teardown();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping everything`);
    void teardown.run().finally(() => process.exit(130));
  });
}

let exitCode = 0;
let benchmark = 'benchmark';
try {
  const options = parse();
  benchmark = options.benchmark;
  if (options.benchmark === 'log-export') {
    const result = await runLogExport({ entries: options.entries }, teardown, log);
    process.stdout.write(formatLogExport(result));
    log(`written to ${await writeLogExport(result)}`);
  } else if (options.benchmark === 'lifecycle') {
    const result = await runLifecycle(
      {
        apps: options.apps,
        leavers: options.leavers,
        joiners: 20,
        onDemand: 20,
        ...(options.databaseUrl && { databaseUrl: options.databaseUrl }),
      },
      teardown,
      log,
    );
    process.stdout.write(formatLifecycle(result));
    log(`written to ${await writeLifecycle(result)}`);
  } else if (options.benchmark === 'many-apps') {
    const result = await runManyApps(options, teardown, log);
    process.stdout.write(formatManyApps(result));
    log(`written to ${await writeManyApps(result)}`);
  } else if (options.benchmark === 'groups') {
    const result = await runGroups(options, teardown, log);
    process.stdout.write(formatGroups(result));
    log(`written to ${await writeGroups(result)}`);
  } else {
    const result = await runInitialSync(options, teardown, log);
    process.stdout.write(formatInitialSync(result));
    log(`written to ${await writeInitialSync(result)}`);
  }
} catch (error) {
  exitCode = 1;
  console.error(`\n${benchmark} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  log('stopping the servers');
  await teardown.run();
}
process.exit(exitCode);
