/**
 * Starts `worker-process.ts` in a child process on a harness's database and task queue, for
 * tests that kill a worker (SIGKILL) and start another.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { testEnv } from './env';
import type { Harness } from './harness';

/**
 * Resolves once the worker polls its task queue; `env` adds settings (page size, concurrency).
 * The child joins `children` at once, so the test's cleanup kills it even if it never gets ready.
 */
export function startWorkerChild(h: Harness, children: ChildProcess[], env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
    env: {
      ...process.env,
      WORKER_DATABASE_URL: h.database.url,
      WORKER_SECRET_KEY: h.secretKey.toString('hex'),
      WORKER_PAYLOAD_KEYS: h.payloadKeys,
      WORKER_TEMPORAL_ADDRESS: testEnv.temporalAddress,
      WORKER_TASK_QUEUE: h.taskQueue,
      WORKER_WORKFLOW_BUNDLE: testEnv.workflowBundlePath,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited early with code ${code}`)));
  });
}
