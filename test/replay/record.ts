/**
 * `npm run record-histories`: records the histories the replay test replays (./histories), from
 * the workflow code as it is now. Starts the test servers (Temporal dev server, scim2-server, a
 * workflow bundle, a test CA) with the recording's SCIM token, runs ./record-scenarios.ts in a
 * child process that trusts the CA, and stops the servers however the child ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../../src/tools/index';
import { startTestServers } from '../support/test-servers';
import { RECORDING_SECRETS } from './history-files';

let child: ChildProcess | undefined;
let interrupted: NodeJS.Signals | undefined;
// Ctrl-C reaches the child too, which stops what it started; a signal sent to this process alone is passed on.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    interrupted = signal;
    child?.kill(signal);
  });

const servers = await startTestServers({
  dir: join(projectRoot, '.test-tmp', `record-${process.pid}`),
  scimToken: RECORDING_SECRETS.scimToken,
});
let exitCode = 1;
try {
  if (interrupted) throw new Error(`${interrupted} while the servers started`);
  const recording = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./record-scenarios.ts', import.meta.url)), ...process.argv.slice(2)],
    {
      cwd: projectRoot,
      env: { ...process.env, ...servers.env },
      stdio: 'inherit',
    },
  );
  child = recording;
  exitCode = await new Promise<number>((resolve, reject) => {
    recording.on('error', reject);
    recording.on('exit', (code) => resolve(code ?? 1));
  });
} finally {
  await servers.stop();
}
process.exit(exitCode);
