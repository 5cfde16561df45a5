/**
 * The recording itself, run by ./record.ts in a process of its own (it trusts the test CA that
 * record.ts made, through NODE_EXTRA_CA_CERTS): drives each scenario against the servers the
 * environment names and replaces the files in ./histories only when every scenario recorded
 * what it is named for.
 */
import { Teardown } from '../../bench/teardown';
import { eventSummary, writeHistories } from './history-files';
import { recordAppJob } from './scenarios/app-job';
import { recordLifecycle } from './scenarios/lifecycle';
import { recordLifecycleTimers } from './scenarios/lifecycle-timers';
import { recordAlertChecks, recordLogRetention } from './scenarios/schedules';
import { recordSyncCycles } from './scenarios/sync-cycle';
import { recordUnmatchedAccounts } from './scenarios/unmatched-accounts';
import type { Log, Recorded } from './scenarios/runs';

const started = Date.now();
const log: Log = (line) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

const teardown = new Teardown();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping everything`);
    void teardown.run().finally(() => process.exit(130));
  });
}

let exitCode = 0;
try {
  const recorded: Recorded = {};
  const scenarios = {
    appJob: recordAppJob,
    syncCycles: recordSyncCycles,
    lifecycle: recordLifecycle,
    lifecycleTimers: recordLifecycleTimers,
    logRetention: recordLogRetention,
    alertChecks: recordAlertChecks,
    unmatchedAccounts: recordUnmatchedAccounts,
  };
  // `--only logRetention` records one scenario and leaves the other histories as they are.
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  if (only !== undefined && !Object.hasOwn(scenarios, only)) throw new Error(`--only takes one of ${Object.keys(scenarios).join(', ')}`);
  for (const [name, scenario] of Object.entries(scenarios))
    if (only === undefined || only === name) Object.assign(recorded, await scenario(teardown, log));
  for (const file of await writeHistories(recorded, undefined, { replaceAll: only === undefined }))
    log(`${file}: ${eventSummary(recorded[file]!).join(' ')}`);
} catch (error) {
  exitCode = 1;
  console.error(`\nrecording FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  log('stopping the harnesses and the test server');
  await teardown.run();
}
process.exit(exitCode);
